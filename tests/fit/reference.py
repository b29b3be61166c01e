#!/usr/bin/env python3
"""tests/fit/reference.py: straightforward reference computations that tests/fit/reference.sh
checks cjm against (Python 3 standard library only). Each check prints "PASS label" or
"FAIL label<TAB>why"; "NOTE ..." lines give figures.

    reference.py receipt OUT.csv
        a look-alike of pm4py's `receipt` log (the WABO receipt phase of the CoSeLoG project:
        1,434 cases, about 8,600 events, its 27 activity names), generated from a Markov chain
        with a fixed seed (not downloaded; the real log's sequences are not reproduced)
    reference.py journey LOG OUT.journey
        a journey whose stages are the log's activities (S1, S2, ... labelled with the activity's
        name, so that events map by label), with no arrows
    reference.py dfcheck LOG FIT.json JOURNEY
        the directly-follows counts of LOG (per case, events in time order, ties in the log's
        order; every consecutive pair) equal the moves of `cjm fit --format json`, and the
        cases' first activities its starts
    reference.py paths OUT.csv EXPECTED.json
        a ChannelAttribution-style path table (path, total_conversions, total_null) drawn from a
        seeded chain, and the removal effects of the first-order absorbing Markov chain built from
        its counts: start -> channels -> conversion or null; removing a channel sends what enters
        it to null; its removal effect is 1 - P(conversion without it) / P(conversion)
    reference.py discovered LOG JOURNEY FIT.json
        fitted to the journey `cjm discover LOG` wrote, the moves are the directly-follows counts
        of the log cut down to the activities it kept, and arrows of it
    reference.py removal EXPECTED.json COMPARE.json TOLERANCE JOURNEY
        cjm compare --removal stages --exact --format json's conversions lost on the JOURNEY cjm
        discover wrote from the table equal the chain of the journey's printed probabilities (to
        1e-9) and the chain of the table's counts (to TOLERANCE: the journey prints rounded
        percentages)
"""

import csv
import datetime
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fitjson  # noqa: E402


def say(good, label, why=""):
    print(("PASS " if good else "FAIL ") + label + ("" if good else "\t" + why))


def norm(s):
    """Names as cjm compares them: ASCII lower case, without ' ', '_', '-', '.'."""
    return re.sub(r"[ _\-.]", "", s.lower())


# ---------------------------------------------------------------- reading a log


def parse_time(s):
    t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return t


def read_cases(log):
    """{case: [activity, ...]} with each case's events in time order (stable), and the columns'
    names used."""
    with open(log, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    cols = rows[0].keys()
    case = next(c for c in ("case:concept:name", "case_id", "customer_id") if c in cols)
    event = next(c for c in ("concept:name", "event", "activity") if c in cols)
    time = next(c for c in ("time:timestamp", "timestamp", "time") if c in cols)
    cases = {}
    for i, r in enumerate(rows):
        cases.setdefault(r[case], []).append((parse_time(r[time]), i, r[event]))
    return {k: [e[2] for e in sorted(v)] for k, v in cases.items()}


def directly_follows(cases):
    df, starts = {}, {}
    for acts in cases.values():
        starts[acts[0]] = starts.get(acts[0], 0) + 1
        for a, b in zip(acts, acts[1:]):
            df[(a, b)] = df.get((a, b), 0) + 1
    return df, starts


def activities(cases):
    seen = []
    for acts in cases.values():
        for a in acts:
            if a not in seen:
                seen.append(a)
    return seen


# ---------------------------------------------------------------- the receipt look-alike

RECEIPT_ACTIVITIES = [
    "Confirmation of receipt",
    "T02 Check confirmation of receipt",
    "T03 Adjust confirmation of receipt",
    "T04 Determine confirmation of receipt",
    "T05 Print and send confirmation of receipt",
    "T06 Determine necessity of stop advice",
    "T07-1 Draft intern advice aspect 1",
    "T07-2 Draft intern advice aspect 2",
    "T07-3 Draft intern advice hold for aspect 3",
    "T07-4 Draft internal advice to hold for type 4",
    "T07-5 Draft intern advice aspect 5",
    "T08 Draft and send request for advice",
    "T09-1 Process or receive external advice from party 1",
    "T09-2 Process or receive external advice from party 2",
    "T09-3 Process or receive external advice from party 3",
    "T09-4 Process or receive external advice from party 4",
    "T10 Determine necessity to stop indication",
    "T11 Create document X request unlicensed",
    "T12 Check document X request unlicensed",
    "T13 Adjust document X request unlicensed",
    "T14 Determine document X request unlicensed",
    "T15 Print document X request unlicensed",
    "T16 Report reasons to hold request",
    "T17 Check report Y to stop indication",
    "T18 Adjust report Y to stop indicition",
    "T19 Determine report Y to stop indication",
    "T20 Print report Y to stop indication",
]


def receipt_chain():
    """From each activity (by its code), the next ones with weights; END ends the case."""
    A = {a.split(" ")[0] if a[0] == "T" else "C": a for a in RECEIPT_ACTIVITIES}
    chain = {
        "C": [("T02", 0.95), ("T06", 0.04), ("END", 0.01)],
        "T02": [("T04", 0.9), ("T03", 0.04), ("T06", 0.05), ("END", 0.01)],
        "T03": [("T02", 0.6), ("T04", 0.4)],
        "T04": [("T05", 0.94), ("T06", 0.05), ("END", 0.01)],
        "T05": [("T06", 0.9), ("T10", 0.08), ("END", 0.02)],
        "T06": [("T10", 0.82), ("T07-1", 0.03), ("T07-2", 0.02), ("T07-3", 0.01), ("T07-4", 0.01),
                ("T07-5", 0.01), ("T08", 0.03), ("T11", 0.03), ("END", 0.04)],
        "T07-1": [("T10", 0.7), ("T07-2", 0.2), ("END", 0.1)],
        "T07-2": [("T10", 0.7), ("T07-3", 0.1), ("END", 0.2)],
        "T07-3": [("T10", 0.8), ("END", 0.2)],
        "T07-4": [("T10", 0.8), ("END", 0.2)],
        "T07-5": [("T10", 0.8), ("END", 0.2)],
        "T08": [("T09-1", 0.4), ("T09-2", 0.25), ("T09-3", 0.2), ("T09-4", 0.15)],
        "T09-1": [("T10", 0.7), ("T09-2", 0.1), ("END", 0.2)],
        "T09-2": [("T10", 0.8), ("END", 0.2)],
        "T09-3": [("T10", 0.8), ("END", 0.2)],
        "T09-4": [("T10", 0.8), ("END", 0.2)],
        "T10": [("END", 0.9), ("T16", 0.03), ("T17", 0.04), ("T11", 0.03)],
        "T11": [("T12", 0.9), ("T14", 0.1)],
        "T12": [("T14", 0.8), ("T13", 0.2)],
        "T13": [("T14", 1.0)],
        "T14": [("T15", 0.9), ("END", 0.1)],
        "T15": [("END", 0.7), ("T10", 0.3)],
        "T16": [("END", 0.8), ("T17", 0.2)],
        "T17": [("T19", 0.8), ("T18", 0.2)],
        "T18": [("T19", 1.0)],
        "T19": [("T20", 0.9), ("END", 0.1)],
        "T20": [("END", 1.0)],
    }
    return A, chain


def cmd_receipt(out):
    rng = random.Random(1434)
    names, chain = receipt_chain()
    resources = ["Resource%02d" % i for i in range(1, 49)]
    rows = []
    base = datetime.datetime(2010, 10, 4, 8, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    for c in range(1434):
        cid = "case-%d" % (10000 + 11 * c)
        t = base + datetime.timedelta(minutes=rng.uniform(0, 60 * 24 * 380))
        code = "C"
        for _ in range(40):
            rows.append((t, cid, names[code], rng.choice(resources)))
            t += datetime.timedelta(seconds=rng.randint(5, 3 * 86400))
            u, acc = rng.random(), 0.0
            for nxt, p in chain[code]:
                acc += p
                if u < acc:
                    break
            if nxt == "END":
                break
            code = nxt
    rows.sort(key=lambda r: r[0])  # as an export: by time, cases interleaved
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["case:concept:name", "concept:name", "time:timestamp", "org:resource", "lifecycle:transition"])
        for t, cid, act, res in rows:
            w.writerow([cid, act, t.isoformat(timespec="milliseconds"), res, "complete"])


# ---------------------------------------------------------------- journeys and checks


def cmd_journey(log, out):
    acts = activities(read_cases(log))
    with open(out, "w") as f:
        f.write("// generated by tests/fit/reference.py: one stage per activity of %s, no arrows\n"
                % os.path.basename(log))
        f.write('journey "Activities of %s" { start S1 }\n' % os.path.basename(log))
        for i, a in enumerate(acts):
            f.write('stage S%d "%s" { }\n' % (i + 1, a))


def cmd_dfcheck(log, fit, journey):
    cases = read_cases(log)
    df, starts = directly_follows(cases)
    label = {}
    for line in open(journey):
        m = re.match(r'stage (\w+) "([^"]*)"', line)
        if m:
            label[m.group(1)] = m.group(2)
    doc = fitjson.load(fit)
    got = {}
    for mv in fitjson.moves(doc):
        if mv["to"] == "churn" or not mv["count"]:
            continue
        key = (label.get(mv["from"], mv["from"]), label.get(mv["to"], mv["to"]))
        got[key] = got.get(key, 0) + mv["count"]
    name = os.path.basename(log)
    events = sum(len(v) for v in cases.values())
    print("NOTE %s: %d cases, %d events, %d activities, %d directly-follows pairs (%d in all)"
          % (name, len(cases), events, len(activities(cases)), len(df), sum(df.values())))
    diff = ["%s -> %s: reference %s, cjm %s" % (a, b, df.get((a, b)), got.get((a, b)))
            for (a, b) in sorted(set(df) | set(got)) if df.get((a, b)) != got.get((a, b))]
    say(not diff, "%s: cjm fit's moves equal the reference directly-follows counts (%d pairs, %d moves)"
        % (name, len(df), sum(df.values())), "; ".join(diff[:12]))
    say(doc["log"]["events"] == events and doc["log"]["cases"] == len(cases),
        "%s: cjm fit reads every event and case (%d, %d)" % (name, events, len(cases)),
        "events %s, cases %s" % (doc["log"]["events"], doc["log"]["cases"]))
    got_starts = {label.get(s["stage"], s["stage"]): s["starts"] for s in doc["stages"] if s["starts"]}
    say(got_starts == starts, "%s: the cases' first activities are the fit's starts" % name,
        "reference %s, cjm %s" % (starts, got_starts))


def cmd_discovered(log, journey, fit):
    """The journey cjm discover wrote from LOG, fitted to LOG again: its moves are the
    directly-follows pairs of the log cut down to the activities it kept as stages (the others map
    to nothing and are passed over), with the reference counts, and each is an arrow of it."""
    cases = read_cases(log)
    text = open(journey).read()
    label = {}
    for m in re.finditer(r'^\s*stage (\w+)(?: "([^"]*)")?', text, re.M):
        label[m.group(1)] = m.group(2) or m.group(1)
    by_norm = {norm(a): a for a in activities(cases)}
    stage_of = {}
    for st, lab in label.items():
        act = by_norm.get(norm(lab)) or by_norm.get(norm(st))
        if act:
            stage_of[act] = st
    kept = {k: [a for a in v if a in stage_of] for k, v in cases.items()}
    df, _ = directly_follows({k: v for k, v in kept.items() if v})
    doc = fitjson.load(fit)
    got = {}
    not_arrows = []
    for mv in fitjson.moves(doc):
        if mv["to"] == "churn" or not mv["count"]:
            continue
        act = {st: a for a, st in stage_of.items()}
        key = (act.get(mv["from"], mv["from"]), act.get(mv["to"], mv["to"]))
        got[key] = got.get(key, 0) + mv["count"]
        if not mv["in_journey"]:
            not_arrows.append("%s -> %s (%s)" % (key[0], key[1], mv["count"]))
    name = os.path.basename(log)
    print("NOTE %s: cjm discover kept %d of %d activities as stages" % (name, len(stage_of), len(activities(cases))))
    diff = ["%s -> %s: reference %s, cjm %s" % (a, b, df.get((a, b)), got.get((a, b)))
            for (a, b) in sorted(set(df) | set(got)) if df.get((a, b)) != got.get((a, b))]
    say(not diff, "%s: fitted to the journey cjm discover wrote, the moves are the reference directly-follows "
        "counts between the activities it kept (%d pairs)" % (name, len(df)), "; ".join(diff[:12]))
    say(not not_arrows, "%s: every such move is an arrow of the discovered journey" % name, ", ".join(not_arrows[:12]))


# ---------------------------------------------------------------- the path table

CHANNELS = ["search", "email", "social", "display", "direct", "affiliate"]


def cmd_paths(out, expected):
    rng = random.Random(2024)
    # The chain the paths are drawn from (the check uses only the table's counts).
    first = [0.35, 0.15, 0.2, 0.15, 0.1, 0.05]
    step = {
        "search": ([0.15, 0.1, 0.05, 0.05, 0.15, 0.05], 0.12),
        "email": ([0.1, 0.2, 0.05, 0.02, 0.2, 0.03], 0.10),
        "social": ([0.15, 0.05, 0.2, 0.1, 0.05, 0.05], 0.04),
        "display": ([0.2, 0.05, 0.1, 0.1, 0.05, 0.05], 0.03),
        "direct": ([0.05, 0.1, 0.05, 0.02, 0.1, 0.02], 0.20),
        "affiliate": ([0.2, 0.05, 0.05, 0.05, 0.1, 0.05], 0.08),
    }
    table = {}
    for _ in range(20000):
        path = [rng.choices(CHANNELS, first)[0]]
        converted = False
        while len(path) < 12:
            weights, conv = step[path[-1]]
            u = rng.random()
            if u < conv:
                converted = True
                break
            if u >= conv + sum(weights):
                break  # null
            path.append(rng.choices(CHANNELS, weights)[0])
        key = " > ".join(path)
        c, n = table.get(key, (0, 0))
        table[key] = (c + converted, n + (not converted))
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["path", "total_conversions", "total_null"])
        for key in sorted(table, key=lambda k: (-sum(table[k]), k)):
            w.writerow([key, table[key][0], table[key][1]])
    json.dump(removal_effects(out), open(expected, "w"), indent=1)


def read_paths(path):
    with open(path, newline="") as f:
        return [(r["path"].split(" > "), float(r["total_conversions"]), float(r["total_null"]))
                for r in csv.DictReader(f)]


def absorbing_conversion(counts, channels, removed=None):
    """P(conversion) from the start of the first-order chain whose transition counts are `counts`
    ({(from, to): n}, from "(start)" or a channel, to a channel, "(conversion)" or "(null)"),
    with the channel `removed` sending what enters it to null. Gauss-Jordan on (I - Q) x = r."""
    states = ["(start)"] + [c for c in channels if c != removed]
    idx = {s: i for i, s in enumerate(states)}
    n = len(states)
    a = [[0.0] * (n + 1) for _ in range(n)]
    for s in states:
        i = idx[s]
        out = sum(v for (f, _), v in counts.items() if f == s)
        a[i][i] = 1.0
        if out == 0:
            continue
        for (f, t), v in counts.items():
            if f != s:
                continue
            if t == "(conversion)":
                a[i][n] += v / out
            elif t in idx:
                a[i][idx[t]] -= v / out
    for col in range(n):
        piv = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[piv] = a[piv], a[col]
        p = a[col][col]
        a[col] = [x / p for x in a[col]]
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
    return a[idx["(start)"]][n]


def removal_effects(table_path):
    counts = {}
    channels = []
    conv = total = 0.0
    for steps, c, n in read_paths(table_path):
        seq = ["(start)"] + steps
        for s in steps:
            if s not in channels:
                channels.append(s)
        for a, b in zip(seq, seq[1:]):
            counts[(a, b)] = counts.get((a, b), 0) + c + n
        if c:
            counts[(seq[-1], "(conversion)")] = counts.get((seq[-1], "(conversion)"), 0) + c
        if n:
            counts[(seq[-1], "(null)")] = counts.get((seq[-1], "(null)"), 0) + n
        conv += c
        total += c + n
    base = absorbing_conversion(counts, channels)
    effects = {ch: 1 - absorbing_conversion(counts, channels, ch) / base for ch in channels}
    return {"conversion": base, "observed_conversion": conv / total, "paths": total,
            "removal_effects": effects}


def journey_chain(path):
    """The arrows of a Markov journey's text (as cjm discover writes them: `-> T P%` and
    `-> T otherwise`, one per line) as transition counts out of 1, with the goal stages as
    "(conversion)" and churn as "(null)"; and its start stage."""
    counts, stage, start, goals, arrows = {}, None, None, set(), {}
    for line in open(path):
        m = re.match(r"\s*start\s+(\w+)", line)
        if m:
            start = m.group(1)
        m = re.match(r"\s*stage\s+(\w+)(?:\s+\"[^\"]*\")?(\s+goal)?", line)
        if m:
            stage = m.group(1)
            arrows[stage] = []
            if m.group(2):
                goals.add(stage)
        m = re.match(r"\s*->\s+(\w+)\s+(otherwise|[0-9.]+%)", line)
        if m and stage:
            arrows[stage].append((m.group(1), m.group(2)))
    for st, arr in arrows.items():
        if st in goals:
            continue
        given = sum(float(p[:-1]) / 100 for _, p in arr if p != "otherwise")
        for t, p in arr:
            v = 1 - given if p == "otherwise" else float(p[:-1]) / 100
            t = "(conversion)" if t in goals else "(null)" if t == "churn" else t
            counts[(st, t)] = counts.get((st, t), 0) + v
    return counts, start, goals


def journey_removal(path):
    """Removal effects computed from the discovered journey's printed probabilities."""
    counts, start, goals = journey_chain(path)
    counts = {("(start)" if f == start else f, "(start)" if t == start else t): v for (f, t), v in counts.items()}
    chans = sorted({f for f, _ in counts} - {"(start)"})
    base = absorbing_conversion(counts, chans)
    return base, {ch: 1 - absorbing_conversion(counts, chans, ch) / base for ch in chans}


def cmd_removal(expected, compare, tol, journey):
    ref = json.load(open(expected))
    doc = json.load(open(compare))
    got = {}
    for v in doc["variants"]:
        got[norm(v["name"])] = v["conversions_lost"]
    base = doc["baseline"]["conversion"]["value"]
    jbase, jeff = journey_removal(journey)
    print("NOTE path table: %d paths, conversion %.6f (chain of the counts), %.6f (observed), %.9f (chain of the "
          "discovered journey's printed probabilities); cjm's exact conversion %.9f"
          % (ref["paths"], ref["conversion"], ref["observed_conversion"], jbase, base))
    say(abs(ref["conversion"] - ref["observed_conversion"]) < 1e-9,
        "the reference chain converts as the table does (its flows balance)",
        "%.9g vs %.9g" % (ref["conversion"], ref["observed_conversion"]))
    say(abs(base - jbase) <= 1e-9, "cjm's exact conversion is that of the discovered journey's chain (to 1e-9)",
        "cjm %.12g, reference %.12g" % (base, jbase))
    say(abs(base - ref["conversion"]) <= tol,
        "the discovered journey's exact conversion is the counts' chain's (%.6f), to the journey's printed "
        "precision (%g)" % (ref["conversion"], tol), "cjm %.9g, reference %.9g" % (base, ref["conversion"]))
    bad, bad_exact = [], []
    for ch, eff in sorted(ref["removal_effects"].items(), key=lambda kv: -kv[1]):
        g = got.get(norm(ch))
        j = {norm(k): v for k, v in jeff.items()}.get(norm(ch))
        print("NOTE removal effect of %-10s counts' chain %.6f  discovered journey's chain %s  cjm %s"
              % (ch, eff, j, g))
        if g is None or abs(g - eff) > tol:
            bad.append("%s: reference %.9g, cjm %s" % (ch, eff, g))
        if g is None or j is None or abs(g - j) > 1e-9:
            bad_exact.append("%s: reference %s, cjm %s" % (ch, j, g))
    say(not bad_exact, "every channel's exact removal effect equals that of the discovered journey's absorbing "
        "chain (to 1e-9)", "; ".join(bad_exact) + "; cjm's variants: " + ", ".join(sorted(got)))
    say(not bad, "every channel's exact removal effect equals that of the absorbing chain built from the table's "
        "counts, to the journey's printed precision (%g)" % tol,
        "; ".join(bad) + "; cjm's variants: " + ", ".join(sorted(got)))
    order_ref = [ch for ch, _ in sorted(ref["removal_effects"].items(), key=lambda kv: -kv[1])]
    order_got = [norm(v["name"]) for v in doc["variants"] if norm(v["name"]) in map(norm, order_ref)]
    say(order_got == [norm(c) for c in order_ref], "channels are ranked by their removal effect",
        "reference %s, cjm %s" % (order_ref, order_got))


def main():
    a = sys.argv[1:]
    cmds = {
        "receipt": lambda: cmd_receipt(a[1]),
        "journey": lambda: cmd_journey(a[1], a[2]),
        "dfcheck": lambda: cmd_dfcheck(a[1], a[2], a[3]),
        "discovered": lambda: cmd_discovered(a[1], a[2], a[3]),
        "paths": lambda: cmd_paths(a[1], a[2]),
        "removal": lambda: cmd_removal(a[1], a[2], float(a[3]), a[4]),
    }
    if not a or a[0] not in cmds:
        sys.exit("usage: see tests/fit/reference.py's comment")
    cmds[a[0]]()


if __name__ == "__main__":
    main()
