// figures.js: proves that an HTML report (`cjm report`) shows the figures of the JSON report
// (`cjm run --format json` with the same options).
//
//   node tests/report/figures.js REPORT.html REPORT.json
//
// Both reports are views of one catalogue of figures (render/figures.def), which gives each figure
// its JSON path; this checks that they agree. Every element of the page that carries
// data-figure="PATH" data-value="V" (render/report_html.h) must have V equal to the JSON value at PATH (keys and array indexes joined by dots), and its
// text must be V correctly rounded (one decimal shown: within 0.05; a "pct" figure shows V * 100).
// Every chart series (data-figure, data-keys, data-values) must equal the JSON array at PATH,
// object by object and key by key. And the page must show every figure a report is expected to
// show (the headline's prospects, customers, money and satisfaction, the funnel, the calendar, the
// customer retention curve, each stage, exit, persona, touchpoint, survey, channel, attribution
// and churn reason, the curves, every pain point and opportunity).
// Prints "N figures and M series match the JSON report" and exits 0; else lists what differs and
// exits 1. Uses nothing but Node itself.
'use strict';
const fs = require('fs');

const [htmlFile, jsonFile] = process.argv.slice(2);
if (!htmlFile || !jsonFile) {
    console.error('usage: node figures.js REPORT.html REPORT.json');
    process.exit(2);
}
const html = fs.readFileSync(htmlFile, 'utf8');
const data = JSON.parse(fs.readFileSync(jsonFile, 'utf8'));
const errors = [];
const seen = new Set();

function lookup(path) {
    let v = data;
    for (const k of path.split('.')) {
        if (v === null || typeof v !== 'object' || !(k in v)) return undefined;
        v = v[k];
    }
    return v;
}

function unescape(s) {
    return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');
}

function attributes(tag) {
    const a = {};
    const re = /([\w:-]+)="([^"]*)"/g;
    let m;
    while ((m = re.exec(tag))) a[m[1]] = unescape(m[2]);
    return a;
}

const number = (s) => (s === 'null' ? null : Number(s));

// The text shows the value rounded to the decimals it shows (commas group thousands; a real minus).
function checkText(path, value, format, text) {
    if (value === null) {
        if (text !== '\u2013') errors.push(`${path}: no value, but the page shows '${text}'`);
        return;
    }
    const shown = text.replace(/\u2212/g, '-').replace(/,/g, '').match(/[-+]?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?/i);
    if (!shown) {
        errors.push(`${path}: the page shows '${text}', not a number`);
        return;
    }
    const decimals = shown[1] && !shown[2] ? shown[1].length - 1 : 0;
    // A "days" figure is a duration shown in the unit it reaches: "15.8 d", "5.2 h", "42 min", "20 s".
    const unit = format === 'days' ? text.match(/[0-9]\s*(d|h|min|s)$/) : null;
    if (format === 'days' && !unit) {
        errors.push(`${path}: the page shows '${text}', not a duration`);
        return;
    }
    const perDay = { d: 1, h: 24, min: 24 * 60, s: 24 * 60 * 60 };
    const scale = format === 'pct' ? 100 : unit ? perDay[unit[1]] : 1;
    const want = value * scale;
    const slack = shown[2] ? Math.abs(want) * 1e-9 : 0.5 * Math.pow(10, -decimals) + 1e-9 * Math.max(1, Math.abs(want));
    if (Math.abs(Number(shown[0]) - want) > slack)
        errors.push(`${path}: the page shows '${text}' for ${value}`);
}

function checkFigure(a, text) {
    const path = a['data-figure'];
    const want = lookup(path);
    const value = number(a['data-value']);
    seen.add(path);
    if (want === undefined) errors.push(`${path}: not in the JSON report`);
    else if (value !== want) errors.push(`${path}: the page has ${value}, the JSON report ${want}`);
    checkText(path, value, a['data-format'], unescape(text).trim());
}

function checkSeries(a) {
    const path = a['data-figure'];
    const keys = a['data-keys'].split(' ');
    const values = a['data-values'] === '' ? [] : a['data-values'].split(' ').map(number);
    const want = lookup(path);
    seen.add(path);
    keys.forEach((k) => seen.add(`${path}:${k}`));
    if (!Array.isArray(want)) {
        errors.push(`${path}: a series on the page, ${JSON.stringify(want)} in the JSON report`);
        return;
    }
    if (values.length !== want.length * keys.length) {
        errors.push(`${path}: ${values.length / keys.length} points on the page, ${want.length} in the JSON report`);
        return;
    }
    want.forEach((obj, i) => keys.forEach((k, j) => {
        const v = values[i * keys.length + j];
        if (v !== obj[k]) errors.push(`${path}.${i}.${k}: the page has ${v}, the JSON report ${obj[k]}`);
    }));
}

let figures = 0, series = 0;
const tag = /<([a-zA-Z]+)\s([^>]*\bdata-figure="[^"]*"[^>]*)>([^<]*)/g;
let m;
while ((m = tag.exec(html))) {
    const a = attributes(m[2]);
    if ('data-keys' in a) {
        checkSeries(a);
        series++;
    } else {
        checkFigure(a, m[3]);
        figures++;
    }
}

// What the page must show: the headline (prospects, customers, money, satisfaction: a figure that
// is null must be on the page too, as a dash, unless the whole object is null), the funnel, every
// stage, exit, persona, touchpoint (and survey), channel (and its attribution) and churn reason,
// the curves and the calendar.
const required = ['cohort', 'seed'];
const interval = (obj, prefix, k) => {
    if (obj[`${k}_ci95`] !== null && !data.exact) required.push(`${prefix}${k}_ci95.0`, `${prefix}${k}_ci95.1`);
};
const rateObject = (obj, path, withCount) => {
    required.push(`${path}.rate`);
    if (withCount) required.push(`${path}.count`);
    if (!data.exact && obj !== null && obj.ci95[0] !== null && obj.ci95[1] !== null) required.push(`${path}.ci95.0`, `${path}.ci95.1`);
};
for (const k of ['converted', 'lost', 'still_prospects']) rateObject(data.prospects[k], `prospects.${k}`, true);
if (data.customers !== null) {
    const c = data.customers;
    required.push('customers.count', 'customers.monthly_churn', 'customers.lifetime_days');
    rateObject(c.churn, 'customers.churn', true);
    if (c.monthly_churn !== null) {
        required.push('customers.annual_churn');
        interval(c, 'customers.', 'monthly_churn');
    }
    interval(c, 'customers.', 'lifetime_days');
    for (const d of ['day_30', 'day_90', 'day_180', 'day_365']) {
        required.push(`customers.retention.${d}`);
        interval(c.retention, 'customers.retention.', d);
    }
}
for (const k of ['revenue', 'arpu', 'ltv', 'cac', 'acquisition_cost', 'cost_to_serve', 'ltv_cac', 'payback_days', 'cost',
    'cost_per_member', 'cost_per_conversion']) {
    required.push(`money.${k}`);
    if (`${k}_ci95` in data.money) interval(data.money, 'money.', k);
}
for (const k of ['nps', 'csat']) {
    required.push(`satisfaction.${k}`);
    if (data.satisfaction[k] !== null) required.push(`satisfaction.${k}_n`);
    interval(data.satisfaction, 'satisfaction.', k);
}
rateObject(data.cohort_churn, 'cohort_churn', true);
for (const k of ['mean', 'median', 'p90'])
    if (data.time_to_convert[k] !== null) required.push(`time_to_convert.${k}`);
if (data.horizon_days !== null) required.push('horizon_days');
data.funnel.forEach((f, i) => {
    required.push(`funnel.${i}.reached.count`, `funnel.${i}.reached.rate`, `funnel.${i}.lost`);
    if (f.step_through !== null) required.push(`funnel.${i}.step_through.rate`);
});
if (data.calendar !== null) {
    for (const k of ['month', 'new_customers', 'churned_customers', 'active_customers', 'revenue', 'cost'])
        required.push(`calendar:${k}`);
    if (data.calendar.length <= 19) // a longer calendar's table leaves months out: the charts have them all
        data.calendar.forEach((_, i) => {
            for (const k of ['new_prospects', 'new_customers', 'lost', 'churned_customers', 'active_customers',
                'revenue', 'cost', 'cumulative_revenue', 'cumulative_cost']) required.push(`calendar.${i}.${k}`);
        });
}
if (data.customer_retention_curve !== null)
    for (const k of ['day', 'retained', 'lo', 'hi']) required.push(`customer_retention_curve:${k}`);
data.stages.forEach((s, i) => {
    for (const k of ['reached', 'reached_rate', 'entries', 'mean_mood', 'converted', 'lost', 'customer_churned',
        'completed', 'active', 'revenue']) required.push(`stages.${i}.${k}`);
    s.exits.forEach((_, k) => required.push(`stages.${i}.exits.${k}.count`, `stages.${i}.exits.${k}.share_of_exits`));
});
data.personas.forEach((_, i) => {
    for (const k of ['share', 'cohort', 'conversion.rate', 'lost.rate', 'customer_churn.rate', 'cohort_churn.rate',
        'completed.count', 'active.count'])
        required.push(`personas.${i}.${k}`);
    if (i < 12) required.push(`personas.${i}.curve:declared`, `personas.${i}.curve:simulated`);
});
data.touchpoints.forEach((t, i) => {
    for (const k of ['reach', 'reached', 'reached_rate', 'meetings', 'cost', 'acquisition_cost', 'conversions',
        'conversion_rate'])
        required.push(`touchpoints.${i}.${k}`);
    if (t.survey !== null) required.push(`touchpoints.${i}.respondents`, `touchpoints.${i}.${t.survey}`);
});
data.channels.forEach((_, i) => {
    for (const k of ['reached', 'reached_rate', 'meetings', 'cost', 'acquisition_cost', 'conversions', 'conversion_rate'])
        required.push(`channels.${i}.${k}`);
    if (data.customers !== null)
        for (const m of ['first_touch', 'last_touch', 'linear', 'removal_effect'])
            required.push(`channels.${i}.${m}_conversions`, `channels.${i}.${m}_cac`);
});
data.churn_reasons.forEach((_, i) => required.push(`churn_reasons.${i}.count`, `churn_reasons.${i}.lost`,
    `churn_reasons.${i}.customers`, `churn_reasons.${i}.rate`));
if (data.cohort_retention_curve !== null) required.push('cohort_retention_curve:day', 'cohort_retention_curve:retained');
if (data.time_to_convert.histogram !== null)
    required.push('time_to_convert.histogram:from', 'time_to_convert.histogram:to', 'time_to_convert.histogram:count');
for (const path of required)
    if (!seen.has(path)) errors.push(`${path}: the page does not show it`);
// Every pain point and opportunity of the JSON report is on the page (its table's "What" cell).
const escape = (t) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;').replace(/[\x00-\x1f\x7f]/g, ' ');
data.touchpoints.forEach((t, i) => {
    for (const k of ['pains', 'opportunities'])
        for (const text of t[k])
            if (!html.includes(`<td>${escape(text)}</td>`)) errors.push(`touchpoints.${i}.${k}: '${text}' is not on the page`);
});

if (errors.length) {
    console.log(`${errors.length} problem(s) in ${htmlFile}:`);
    errors.slice(0, 40).forEach((e) => console.log(`  ${e}`));
    process.exit(1);
}
console.log(`${figures} figures and ${series} series match the JSON report`);
