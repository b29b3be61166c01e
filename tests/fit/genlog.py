#!/usr/bin/env python3
"""tests/fit/genlog.py: event logs generated from a journey with known parameters, for the tests
of `cjm fit` (Python 3 standard library only; seeded and deterministic).

A journey is described by a spec (a built-in preset, or a JSON file of the same shape):

    {"title": "...", "start": "Visit", "customers": 2000,
     "arrival_days": 60,          # customers start uniformly over [0, arrival_days)
     "log_end_days": 150,         # the log ends then (customers still inside are censored);
                                  # null: everyone is followed to the end
     "inactivity_days": null,     # churn without an event: cjm fit --inactivity (written as a
                                  # comment in the journey: the flag says it on the command line)
     "churn_events": true,        # a churn arrow writes its reason as an event; false: silence
     "personas": [["Student", 0.3], ["Pro", 0.7]],      # segment column, by share
     "stages": [
       {"name": "Visit", "label": "Visits the site", "goal": false, "revenue": null,
        "event": null,            # the event name written (default: the stage's name)
        "wait": ["exponential", 2],   # days: exponential m | lognormal m s | normal m s |
                                      # uniform a b | triangular a c b | constant v
        "touchpoints": [{"name": "Ad", "channel": "display", "reach": 0.6}],
        "survey": null,           # or a touchpoint name whose events carry an NPS score (0-10)
        "arrows": [["Trial", 0.3], ["churn", 0.7, "not interested"]]}]}

A customer enters the start stage (an event named after it), waits, meets each of the stage's
touchpoints with its reach (an event strictly inside the wait), then takes one arrow: a stage (its
event at the end of the wait), or churn (its reason as an event, when churn_events). A stage with
no arrows completes the journey. Events after the log's end are not written.

Usage:
    genlog.py (--preset NAME | --spec FILE) --seed N [--customers N] [--shuffle]
              [--time-format iso|epoch-ms] [--log-end DAYS] [--arrival-days DAYS] [--wrong]
              [--journey FILE] [--truth FILE] -o LOG
LOG ending in .gz is gzip-compressed (deterministically). --journey writes the journey with the
true parameters (with --wrong: each stage's first arrow moved by 15 points and every wait's mean
doubled, so that they fall outside the fitted intervals). --truth writes the parameters and the
log's own figures (the naive mean of finished waits, per stage) as JSON.

As a module: generate(spec, seed, ...) returns the rows; journey_text(spec, wrong) the journey.
"""

import argparse
import copy
import datetime
import gzip
import io
import json
import math
import random
import sys

EPOCH = datetime.datetime(2024, 1, 1)
MS_PER_DAY = 86400000
MAX_STEPS = 1000

# ---------------------------------------------------------------- presets

PRESETS = {
    # Constant probabilities, every wait family, touchpoints, personas, back edges, a censoring
    # log end: what `cjm fit` should recover over seeds (tests/fit/recovery.sh).
    "recovery": {
        "title": "Recovery",
        "start": "Visit",
        "customers": 3000,
        "arrival_days": 60,
        "log_end_days": 400,
        "inactivity_days": None,
        "churn_events": True,
        "personas": [["Student", 0.3], ["Pro", 0.5], ["Team", 0.2]],
        "stages": [
            {"name": "Visit", "label": "Visits the site", "wait": ["exponential", 2],
             "touchpoints": [{"name": "Ad", "channel": "display", "reach": 0.6}],
             "arrows": [["Trial", 0.45], ["churn", 0.55, "not interested"]]},
            {"name": "Trial", "label": "Starts a trial", "event": "starts_a_trial",
             "wait": ["lognormal", 5, 3],
             "touchpoints": [{"name": "Welcome", "channel": "email", "reach": 0.8}],
             "arrows": [["Buy", 0.5], ["Visit", 0.1], ["churn", 0.4, "trial ended"]]},
            {"name": "Buy", "label": "Buys a plan", "goal": True, "revenue": 29,
             "wait": ["normal", 10, 3],
             "arrows": [["Active", 0.85], ["churn", 0.15, "refund"]]},
            {"name": "Active", "wait": ["exponential", 30],
             "touchpoints": [{"name": "Nps", "channel": "email", "reach": 0.3}],
             "survey": "Nps",
             "arrows": [["Active", 0.5], ["Upgrade", 0.2], ["churn", 0.3, "cancelled"]]},
            {"name": "Upgrade", "revenue": 99, "wait": ["uniform", 2, 8],
             "arrows": [["Active", 0.7], ["Done", 0.1], ["churn", 0.2, "downgraded"]]},
            {"name": "Done", "label": "Leaves happy"},
        ],
    },
    # One stage with a long exponential wait and a log that ends while many are still inside:
    # the finished waits alone are clearly shorter than the truth (tests/fit/recovery.sh).
    "censoring": {
        "title": "Censoring",
        "start": "Signup",
        "customers": 4000,
        "arrival_days": 100,
        "log_end_days": 100,
        "inactivity_days": None,
        "churn_events": True,
        "personas": [],
        "stages": [
            {"name": "Signup", "wait": ["exponential", 0.5],
             "arrows": [["Trial", 1.0]]},
            {"name": "Trial", "wait": ["exponential", 40],
             "arrows": [["Paid", 0.6], ["churn", 0.4, "trial ended"]]},
            {"name": "Paid", "goal": True},
        ],
    },
    # Churn without events: customers fall silent, and cjm fit --inactivity 30 days counts them
    # as churned, while those still inside at the log's end are censored.
    "inactivity": {
        "title": "Inactivity",
        "start": "Browse",
        "customers": 3000,
        "arrival_days": 200,
        "log_end_days": 260,
        "inactivity_days": 30,
        "churn_events": False,
        "personas": [],
        "stages": [
            {"name": "Browse", "wait": ["exponential", 3],
             "arrows": [["Cart", 0.4], ["churn", 0.6, "left"]]},
            {"name": "Cart", "wait": ["exponential", 1],
             "arrows": [["Order", 0.7], ["churn", 0.3, "abandoned"]]},
            {"name": "Order", "goal": True, "revenue": 50, "wait": ["exponential", 5],
             "arrows": [["Browse", 0.5], ["churn", 0.5, "gone"]]},
        ],
    },
}

# ---------------------------------------------------------------- drawing


def lognormal_params(m, s):
    s2 = math.log(1 + (s * s) / (m * m))
    return math.log(m) - s2 / 2, math.sqrt(s2)


def draw_wait(rng, wait):
    if not wait:
        return 0.0
    kind, args = wait[0], wait[1:]
    if kind == "exponential":
        return rng.expovariate(1.0 / args[0])
    if kind == "lognormal":
        mu, sigma = lognormal_params(args[0], args[1])
        return rng.lognormvariate(mu, sigma)
    if kind == "normal":  # truncated at 0: drawn again, as cjm does
        while True:
            w = rng.gauss(args[0], args[1])
            if w >= 0:
                return w
    if kind == "uniform":
        return rng.uniform(args[0], args[1])
    if kind == "triangular":
        return rng.triangular(args[0], args[2], args[1])
    if kind == "constant":
        return float(args[0])
    raise ValueError("unknown wait kind " + kind)


def wait_mean(wait):
    """The distribution's mean (normal: of the truncated one)."""
    if not wait:
        return 0.0
    kind, a = wait[0], wait[1:]
    if kind == "normal":
        m, s = a
        z = m / s
        phi = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        big_phi = 0.5 * (1 + math.erf(z / math.sqrt(2)))
        return m + s * phi / big_phi
    if kind in ("exponential", "lognormal", "constant"):
        return float(a[0])
    if kind == "uniform":
        return (a[0] + a[1]) / 2
    if kind == "triangular":
        return (a[0] + a[1] + a[2]) / 3
    raise ValueError("unknown wait kind " + kind)


def choose(rng, arrows):
    u = rng.random()
    acc = 0.0
    for a in arrows:
        acc += a[1]
        if u < acc:
            return a
    return arrows[-1]


def choose_persona(rng, personas):
    if not personas:
        return None
    u = rng.random()
    acc = 0.0
    for name, share in personas:
        acc += share
        if u < acc:
            return name
    return personas[-1][0]


def stage_event(st):
    return st.get("event") or st["name"]


def generate(spec, seed, customers=None, shuffle=False):
    """The log's rows: (ms since EPOCH, customer id, event, channel, revenue, segment, score),
    sorted by time (stable: a customer's events keep their order), or shuffled. Also the naive
    figures of the log (finished waits per stage) as a dict."""
    rng = random.Random(seed)
    stages = {s["name"]: s for s in spec["stages"]}
    n = customers or spec["customers"]
    end = spec.get("log_end_days")
    end_ms = None if end is None else int(round(end * MS_PER_DAY))
    rows = []
    finished = {s["name"]: [] for s in spec["stages"]}  # waits whose end is in the log
    width = len(str(n))
    for c in range(n):
        cid = "c%0*d" % (width, c + 1)
        segment = choose_persona(rng, spec.get("personas") or [])
        t = rng.uniform(0, spec["arrival_days"])
        st = stages[spec["start"]]
        seq = 0
        evs = []

        def emit(days, name, channel="", revenue="", score=""):
            nonlocal seq
            evs.append((int(round(days * MS_PER_DAY)), seq, name, channel, revenue, score))
            seq += 1

        emit(t, stage_event(st), revenue=fmt_num(st.get("revenue")))
        for _ in range(MAX_STEPS):
            arrows = st.get("arrows") or []
            if not arrows:
                break
            w = draw_wait(rng, st.get("wait"))
            for tp in st.get("touchpoints") or []:
                if rng.random() < tp["reach"]:
                    u = rng.uniform(0.05, 0.95)
                    score = str(rng.randint(0, 10)) if st.get("survey") == tp["name"] else ""
                    emit(t + u * w, tp["name"], channel=tp.get("channel", ""), score=score)
            a = choose(rng, arrows)
            t_next = t + w
            if end is None or t_next <= end:
                finished[st["name"]].append(w)
            t = t_next
            if a[0] == "churn":
                if spec.get("churn_events", True):
                    emit(t, a[2] if len(a) > 2 else "churn")
                break
            st = stages[a[0]]
            emit(t, stage_event(st), revenue=fmt_num(st.get("revenue")))
        # A customer's events in time order; ties (a zero wait) keep the order they happened in.
        evs.sort(key=lambda e: (e[0], e[1]))
        last = None
        for ms, s, name, channel, revenue, score in evs:
            if last is not None and ms <= last:
                ms = last + 1  # no two events of a customer at the same millisecond
            last = ms
            if end_ms is not None and ms > end_ms:
                break
            rows.append((ms, c, s, cid, name, channel, revenue, segment or "", score))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    if shuffle:
        random.Random(seed * 7919 + 1).shuffle(rows)
    naive = {k: (sum(v) / len(v) if v else None, len(v)) for k, v in finished.items()}
    return [(r[0],) + r[3:] for r in rows], naive


def fmt_num(x):
    if x is None:
        return ""
    return ("%.10g" % x)


def fmt_time(ms, time_format):
    if time_format == "epoch-ms":
        return str(ms + int((EPOCH - datetime.datetime(1970, 1, 1)).total_seconds()) * 1000)
    return (EPOCH + datetime.timedelta(milliseconds=ms)).isoformat(timespec="milliseconds")


def csv_field(s):
    if any(ch in s for ch in ',"\n\r'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_log(rows, path, time_format="iso"):
    out = io.StringIO()
    out.write("customer_id,event,timestamp,channel,revenue,segment,score\n")
    for ms, cid, name, channel, revenue, segment, score in rows:
        out.write(",".join((cid, csv_field(name), fmt_time(ms, time_format), channel, revenue,
                            csv_field(segment), score)) + "\n")
    data = out.getvalue().encode("utf-8")
    if path.endswith(".gz"):
        with open(path, "wb") as f:
            with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0) as g:
                g.write(data)
    elif path == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


# ---------------------------------------------------------------- the journey's text


def pct(p):
    return ("%.6f" % (p * 100)).rstrip("0").rstrip(".") + "%"


def days(d):
    return ("%.6f" % d).rstrip("0").rstrip(".") + " days"


def wait_text(wait):
    kind, a = wait[0], wait[1:]
    if kind == "constant":
        return days(a[0])
    return "%s(%s)" % (kind, ", ".join(days(x) for x in a))


def wrong_spec(spec):
    """Each stage's first arrow moved by 15 points (the last arrow takes the difference) and each
    wait's mean doubled: declared values that the data contradict."""
    w = copy.deepcopy(spec)
    for st in w["stages"]:
        arrows = st.get("arrows") or []
        if len(arrows) >= 2:
            d = 0.15 if arrows[0][1] < 0.5 else -0.15
            arrows[0][1] += d
            arrows[-1][1] -= d
        if st.get("wait"):
            st["wait"] = [st["wait"][0]] + [x * 2 for x in st["wait"][1:]]
    return w


def journey_text(spec, wrong=False, note=""):
    s = wrong_spec(spec) if wrong else spec
    lines = []
    lines.append("// %s" % (note or "generated by tests/fit/genlog.py"))
    lines.append("// %s parameters of the log's journey" % ("WRONG (on purpose)" if wrong else "the TRUE"))
    if s.get("inactivity_days"):
        lines.append("// churn without an event: fit with --inactivity %s" % days(s["inactivity_days"]))
    lines.append('journey "%s" { cohort %d seed 1 start %s }' % (s["title"], s["customers"], s["start"]))
    channels = []
    for st in s["stages"]:
        for tp in st.get("touchpoints") or []:
            if tp.get("channel") and tp["channel"] not in channels:
                channels.append(tp["channel"])
    for ch in channels:
        lines.append('channel %s "%s"' % (ch, ch.capitalize()))
    personas = s.get("personas") or []
    for name, share in personas:
        lines.append("persona %s { share %s }" % (name, pct(share)))
    for st in s["stages"]:
        head = "stage %s" % st["name"]
        if st.get("label"):
            head += ' "%s"' % st["label"]
        if st.get("goal"):
            head += " goal"
        lines.append(head + " {")
        if st.get("wait"):
            lines.append("  wait %s" % wait_text(st["wait"]))
        if st.get("revenue") is not None:
            lines.append("  revenue %s" % fmt_num(st["revenue"]))
        for tp in st.get("touchpoints") or []:
            extra = " survey nps" if st.get("survey") == tp["name"] else ""
            ch = " channel %s" % tp["channel"] if tp.get("channel") else ""
            lines.append("  touchpoint %s {%s reach %s%s }" % (tp["name"], ch, pct(tp["reach"]), extra))
        arrows = st.get("arrows") or []
        for i, a in enumerate(arrows):
            prob = "otherwise" if i == len(arrows) - 1 else pct(a[1])
            reason = ' "%s"' % a[2] if len(a) > 2 else ""
            lines.append("  -> %s %s%s" % (a[0], prob, reason))
        lines.append("}")
    return "\n".join(lines) + "\n"


def truth(spec, naive):
    out = {"arrows": [], "waits": {}, "naive_wait_mean": {}, "personas": dict(spec.get("personas") or []),
           "reach": {}}
    for st in spec["stages"]:
        for tp in st.get("touchpoints") or []:
            out["reach"][tp["name"]] = tp["reach"]
        for a in st.get("arrows") or []:
            out["arrows"].append({"from": st["name"], "to": a[0], "p": a[1]})
        if st.get("wait") and st.get("arrows"):
            out["waits"][st["name"]] = wait_mean(st["wait"])
        m, k = naive.get(st["name"], (None, 0))
        out["naive_wait_mean"][st["name"]] = {"mean": m, "n": k}
    return out


def load_spec(args):
    if args.spec:
        with open(args.spec) as f:
            return json.load(f)
    if args.preset not in PRESETS:
        sys.exit("genlog.py: no preset '%s' (%s)" % (args.preset, ", ".join(sorted(PRESETS))))
    return copy.deepcopy(PRESETS[args.preset])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--preset")
    g.add_argument("--spec")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--customers", type=int)
    p.add_argument("--shuffle", action="store_true")
    p.add_argument("--time-format", choices=["iso", "epoch-ms"], default="iso")
    p.add_argument("--log-end", type=float, help="days after 2024-01-01 (overrides the spec's)")
    p.add_argument("--arrival-days", type=float, help="customers start over that many days (overrides the spec's)")
    p.add_argument("--wrong", action="store_true")
    p.add_argument("--journey")
    p.add_argument("--truth")
    p.add_argument("-o", "--output", required=True)
    args = p.parse_args()
    spec = load_spec(args)
    if args.customers:
        spec["customers"] = args.customers
    if args.log_end is not None:
        spec["log_end_days"] = args.log_end
    if args.arrival_days is not None:
        spec["arrival_days"] = args.arrival_days
    rows, naive = generate(spec, args.seed, shuffle=args.shuffle)
    write_log(rows, args.output, args.time_format)
    note = "generated by tests/fit/genlog.py --%s %s --seed %d" % (
        "spec" if args.spec else "preset", args.spec or args.preset, args.seed)
    if args.journey:
        with open(args.journey, "w") as f:
            f.write(journey_text(spec, args.wrong, note))
    if args.truth:
        with open(args.truth, "w") as f:
            json.dump(truth(spec, naive), f, indent=1)


if __name__ == "__main__":
    main()
