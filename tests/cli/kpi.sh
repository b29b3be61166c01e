# tests/cli/kpi.sh: the figures of ../shared/design/kpis.md on hand-computed journeys (tests/kpi/,
# each file's comment gives its arithmetic), as a user reads them in `cjm run --format json`, and
# the simulation against the exact analysis on the same journeys (sourced by tests/run.sh; files
# in $T). docs/semantics.md defines every figure.

# kpi_checks SIM EXACT CHECKS: runs the checks (one per line: "label => expression", with
# `s` the simulation's JSON and `e` the exact analysis's, or None) and reports each.
kpi_checks() { # sim.json exact.json|- checks-file
    python3 - "$1" "$2" "$3" <<'PY'
import json, math, sys
s = json.load(open(sys.argv[1]))
e = json.load(open(sys.argv[2])) if sys.argv[2] != "-" else None
def within(ci, v):
    return ci is not None and ci[0] - 1e-9 <= v <= ci[1] + 1e-9
def near(a, b, tol=1e-6):
    return a is not None and abs(a - b) <= tol * max(1, abs(b))
def ch(doc, name):
    return next(c for c in doc["channels"] if c["name"] == name)
for line in open(sys.argv[3]):
    line = line.strip()
    if not line or line.startswith("#"): continue
    label, expr = line.split(" => ", 1)
    try:
        good = eval(expr)
    except Exception as x:
        good, expr = False, f"{expr} ({type(x).__name__}: {x})"
    print(("PASS " if good else "FAIL ") + label + ("" if good else "\t" + expr))
PY
}
# kpi_report reads kpi_checks' output from a file, never through a pipe: a pipe's last command
# runs in a subshell under dash, and the checks it counts would not reach the piece's total.
kpi_report() { # what: the output of kpi_checks
    while IFS= read -r line; do
        case "$line" in
        PASS*) ok "kpi: $1: ${line#PASS }" ;;
        FAIL*) rest=${line#FAIL }; not_ok "kpi: $1: ${rest%%	*}" "${rest#*	}" ;;
        esac
    done
}

# ---- a two-stage funnel with one paid channel: CAC from acquisition cost only ----
"$CJM" run --format json --no-removal-effect tests/kpi/funnel-cac.journey >"$T/sim.json" 2>/dev/null
"$CJM" run --format json --no-removal-effect --exact tests/kpi/funnel-cac.journey >"$T/exact.json" 2>/dev/null
cat >"$T/checks" <<'C'
CAC's interval holds 14 (ad 2 + welcome call 6 x 25%, over 25%) => within(s["money"]["cac_ci95"], 14)
acquisition cost per member's interval holds 3.5 => within(s["money"]["acquisition_cost_ci95"], 3.5)
cost to serve is the support after converting, 3 per customer => near(s["money"]["cost_to_serve"], 3)
LTV is the revenue from the conversion on, 40 => near(s["money"]["ltv"], 40)
LTV:CAC's interval holds 40 / 14 => within(s["money"]["ltv_cac_ci95"], 40 / 14)
the old all-cost figure is kept as cost per conversion (17 = 14 + 3) => within(s["money"]["cost_per_conversion_ci95"], 17)
payback is at conversion (the revenue comes then) => s["money"]["payback_days"] == 0
first touch credits every conversion to search => ch(s, "search")["first_touch_conversions"] == s["prospects"]["converted"]["count"]
last touch credits every conversion to the welcome call's channel => ch(s, "sales")["last_touch_conversions"] == s["prospects"]["converted"]["count"] and ch(s, "search")["last_touch_conversions"] == 0
linear splits each conversion between the two channels met => near(ch(s, "search")["linear_conversions"], s["prospects"]["converted"]["count"] / 2)
search's first-touch CAC is its acquisition cost over its conversions (2 / 25% = 8) => abs(ch(s, "search")["first_touch_cac"] - 8) < 0.2
support is cost to serve, not acquisition => ch(s, "support")["acquisition_cost"] == 0
lost before converting is 75% => within(s["prospects"]["lost"]["ci95"], 0.75)
exactly: CAC 14, acquisition cost 3.5, cost to serve 3, LTV 40 => near(e["money"]["cac"], 14) and near(e["money"]["acquisition_cost"], 3.5) and near(e["money"]["cost_to_serve"], 3) and near(e["money"]["ltv"], 40)
exactly: LTV:CAC 40 / 14 => near(e["money"]["ltv_cac"], 40 / 14)
exactly: first and last touch => near(ch(e, "search")["first_touch_conversions"], e["prospects"]["converted"]["count"]) and near(ch(e, "sales")["last_touch_conversions"], e["prospects"]["converted"]["count"])
the exact CAC lies in the simulation's interval => within(s["money"]["cac_ci95"], e["money"]["cac"])
C
kpi_checks "$T/sim.json" "$T/exact.json" "$T/checks" >"$T/kpi.out"
kpi_report funnel-cac <"$T/kpi.out"

# ---- constant monthly churn p = 10%: retention 0.9^k, monthly churn p ----
"$CJM" run --format json tests/kpi/subscription-churn.journey >"$T/sim.json" 2>/dev/null
"$CJM" run --format json --horizon none tests/kpi/subscription-churn.journey >"$T/sim-none.json" 2>/dev/null
"$CJM" run --format json --exact tests/kpi/subscription-churn.journey >"$T/exact.json" 2>/dev/null
cat >"$T/checks" <<'C'
retention 30 days holds 0.9 => within(s["customers"]["retention"]["day_30_ci95"], 0.9)
retention 90 days holds 0.9^3 => within(s["customers"]["retention"]["day_90_ci95"], 0.9 ** 3)
retention 180 days holds 0.9^6 => within(s["customers"]["retention"]["day_180_ci95"], 0.9 ** 6)
retention 365 days holds 0.9^12 (a churn every 30 days: 360 of them by day 365) => within(s["customers"]["retention"]["day_365_ci95"], 0.9 ** 12)
monthly churn's interval holds 10% although the horizon cuts the follow-up => within(s["customers"]["monthly_churn_ci95"], 0.1)
annual churn's interval holds 1 - 0.9^12 => within(s["customers"]["annual_churn_ci95"], 1 - 0.9 ** 12)
exactly: monthly churn 10% => near(e["customers"]["monthly_churn"], 0.1)
exactly: figures over time are null, with the reason => e["customers"]["retention"]["day_30"] is None and "exact" in e["customers"]["retention"]["day_30_note"]
C
kpi_checks "$T/sim.json" "$T/exact.json" "$T/checks" >"$T/kpi.out"
kpi_report subscription-churn <"$T/kpi.out"
cat >"$T/checks" <<'C'
without a horizon every customer churns, as exactly => within(s["customers"]["churn"]["ci95"], e["customers"]["churn"]["rate"])
without a horizon the mean lifetime is 300 days (10 months of 30 days) => abs(s["customers"]["lifetime_days"] - 300) < 6
the exact LTV (100) lies in the simulation's interval => near(e["money"]["ltv"], 100) and within(s["money"]["ltv_ci95"], e["money"]["ltv"])
the exact monthly churn lies in the simulation's interval => within(s["customers"]["monthly_churn_ci95"], e["customers"]["monthly_churn"])
C
kpi_checks "$T/sim-none.json" "$T/exact.json" "$T/checks" >"$T/kpi.out"
kpi_report subscription-churn-no-horizon <"$T/kpi.out"

# ---- late converters: the horizon censors; Kaplan-Meier is not biased ----
"$CJM" run --format json tests/kpi/late-converters.journey >"$T/sim.json" 2>/dev/null
cat >"$T/checks" <<'C'
retention 90 days holds 0.9^3 although late converters are followed less => within(s["customers"]["retention"]["day_90_ci95"], 0.729)
retention 180 days holds 0.9^6 => within(s["customers"]["retention"]["day_180_ci95"], 0.9 ** 6)
the naive share of customers never churned is far above R(365), which KM gives => s["customers"]["churn"]["rate"] < 0.5 and s["customers"]["retention"]["day_365"] is None or s["customers"]["retention"]["day_365"] < 0.3
the lifetime says the follow-up it is restricted to => s["customers"]["lifetime_limit_days"] is not None and s["customers"]["lifetime_limit_days"] <= 365
C
kpi_checks "$T/sim.json" - "$T/checks" >"$T/kpi.out"
kpi_report late-converters <"$T/kpi.out"

# ---- surveys: NPS from survey touchpoints, per survey and pooled ----
"$CJM" run --format json --no-removal-effect tests/kpi/surveys.journey >"$T/sim.json" 2>/dev/null
cat >"$T/checks" <<'C'
the headline NPS comes from the surveys => s["satisfaction"]["nps_source"] == "surveys"
every visitor answers the first survey, as a detractor => [t for t in s["touchpoints"] if t["name"] == "AskVisitor"][0]["respondents"] == s["cohort"] and [t for t in s["touchpoints"] if t["name"] == "AskVisitor"][0]["nps"] == -100
every buyer answers the second, as a promoter => [t for t in s["touchpoints"] if t["name"] == "AskBuyer"][0]["nps"] == 100
the pooled NPS is 100 (buyers - visitors) / answers => near(s["satisfaction"]["nps"], 100 * (s["prospects"]["converted"]["count"] - s["cohort"]) / s["satisfaction"]["nps_n"])
the answers are the visitors and the buyers => s["satisfaction"]["nps_n"] == s["cohort"] + s["prospects"]["converted"]["count"]
C
kpi_checks "$T/sim.json" - "$T/checks" >"$T/kpi.out"
kpi_report surveys <"$T/kpi.out"

# ---- arrivals: 100 a month into 10% monthly churn: active customers approach 1000 ----
"$CJM" run --format json tests/kpi/arrivals-steady.journey >"$T/sim.json" 2>/dev/null
cat >"$T/checks" <<'C'
the cohort is the arrivals, 100 a month for 36.5 months => s["cohort"] == 3650 and s["arrivals"] is True
the calendar has a month per 30 days of the horizon => len(s["calendar"]) == 37
100 new prospects arrive each month => all(m["new_prospects"] == 100 for m in s["calendar"][:36])
active customers after a year are near 1000 (1 - 0.9^12) = 718 => abs(s["calendar"][11]["active_customers"] - 718) < 60
active customers after three years approach rate / p = 1000 => abs(s["calendar"][35]["active_customers"] - 1000 * (1 - 0.9 ** 36)) < 70
the month's revenue (MRR) is 10 per member billed => abs(s["calendar"][35]["revenue"] - 10 * s["calendar"][35]["active_customers"]) < 1500
cumulative revenue adds up to the revenue => near(s["calendar"][-1]["cumulative_revenue"], s["money"]["revenue"])
C
kpi_checks "$T/sim.json" - "$T/checks" >"$T/kpi.out"
kpi_report arrivals-steady <"$T/kpi.out"

# ---- a journey without arrivals keeps today's per-customer clock: one cohort on day 0 ----
"$CJM" run --format json tests/kpi/subscription-churn.journey >"$T/sim.json" 2>/dev/null
cat >"$T/checks" <<'C'
everyone arrives in the first month => s["calendar"][0]["new_prospects"] == s["cohort"] and all(m["new_prospects"] == 0 for m in s["calendar"][1:])
C
kpi_checks "$T/sim.json" - "$T/checks" >"$T/kpi.out"
kpi_report no-arrivals <"$T/kpi.out"

# ---- removal effect: the drop in conversion without each channel, shared out ----
"$CJM" run --format json tests/kpi/removal.journey >"$T/sim.json" 2>/dev/null
"$CJM" run --format json --no-removal-effect tests/kpi/removal.journey >"$T/none.json" 2>/dev/null
cat >"$T/checks" <<'C'
the ad is credited about 80% of the conversions => abs(ch(s, "display")["removal_effect_conversions"] / s["prospects"]["converted"]["count"] - 0.8) < 0.03
the email about 20% => abs(ch(s, "email")["removal_effect_conversions"] / s["prospects"]["converted"]["count"] - 0.2) < 0.03
the credits add up to the conversions => near(ch(s, "display")["removal_effect_conversions"] + ch(s, "email")["removal_effect_conversions"], s["prospects"]["converted"]["count"])
the ad's removal-effect CAC is its acquisition cost over its credit => near(ch(s, "display")["removal_effect_cac"], ch(s, "display")["acquisition_cost"] / ch(s, "display")["removal_effect_conversions"])
C
kpi_checks "$T/sim.json" - "$T/checks" >"$T/kpi.out"
kpi_report removal <"$T/kpi.out"
cat >"$T/checks" <<'C'
--no-removal-effect leaves it out => ch(s, "display")["removal_effect_conversions"] is None and ch(s, "display")["first_touch_conversions"] > 0
C
kpi_checks "$T/none.json" - "$T/checks" >"$T/kpi.out"
kpi_report removal <"$T/kpi.out"

# ---- README's sample run is what cjm run prints (it once showed a stub's figures) ----
awk '/^```journey$/ { n++; if (n == 1) { inside = 1; next } } /^```/ { inside = 0 } inside' README.md >"$T/coffee.journey"
awk '/^\$ cjm run coffee.journey$/ { inside = 1; next } inside && /^\.\.\.$/ { exit } inside' README.md >"$T/readme-run.txt"
cjm_abs=$(cd "$(dirname "$CJM")" && pwd)/$(basename "$CJM")
(cd "$T" && "$cjm_abs" run coffee.journey 2>/dev/null) | head -n "$(wc -l <"$T/readme-run.txt")" >"$T/real-run.txt"
if [ -s "$T/readme-run.txt" ] && cmp -s "$T/readme-run.txt" "$T/real-run.txt"; then ok "kpi: README's sample of cjm run is its real output"
else not_ok "kpi: README's sample of cjm run is not its real output" "$(diff "$T/readme-run.txt" "$T/real-run.txt" | head -20)"; fi
