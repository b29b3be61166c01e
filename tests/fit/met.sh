# tests/fit/met.sh: cjm fit's estimates of issue 16's additions recover the parameters logs were
# drawn from (tests/fit/metlog.py): the arrows A + B * met(T) of a touchpoint and of a channel
# (A and B inside their 95% intervals about 95% of the time over 40 seeds), traits given by
# --trait columns drawn from gamma, beta and lognormal (each family's arguments likewise, and AIC
# choosing the true family); -o rewrites A, B and the traits' arguments; the report says what
# the log cannot tell. Sourced by tests/run.sh (files in $T).

. tests/fit/checks.inc
met_report() { checks_report fit "$1"; }

# A journey with met() and a trait drawn per customer: the test runs when cjm reads it.
cat >"$T/met-probe.journey" <<'J'
persona P { share 100% x = gamma(2, 3) }
stage A { touchpoint T { reach 50% } -> B 10% + 5% * met(T) + 0 * x -> churn otherwise }
stage B {}
J
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP tests/fit/met.sh: python3 is needed"
elif ! "$CJM" check -q "$T/met-probe.journey" >/dev/null 2>&1; then
    echo "SKIP tests/fit/met.sh: this cjm does not read met() and traits drawn per customer yet"
else
    mkdir -p "$T/met"
    seeds=40
    [ -n "${MEMCHECK:-}" ] && seeds=2
    python3 tests/fit/metlog.py gen "$T/met" "$seeds" 3000
    failed=
    i=1
    while [ "$i" -le "$seeds" ]; do
        "$CJM" fit -q --format json --map left=churn --trait lambda=lambda --trait dropout=dropout \
            --trait spend=spend "$T/met/met.journey" "$T/met/met-$i.csv" >"$T/met/met-$i.json" 2>"$T/met/err-$i" ||
            failed="$failed $i"
        i=$((i + 1))
    done
    if [ -z "$failed" ]; then
        ok "fit: met: cjm fit --trait reads the $seeds generated logs"
        [ -n "${MEMCHECK:-}" ] || run_checks met_report met python3 tests/fit/metlog.py cover "$T/met" "$seeds" 0.88 0.99
    else
        first=${failed# }
        not_ok "fit: met: cjm fit failed on seeds$failed" "$(head -n 5 "$T/met/err-${first%% *}")"
    fi

    # The table names the new sections; the log cannot tell the latent trait nor the state.
    "$CJM" fit -q --map left=churn --trait lambda=lambda "$T/met/met.journey" "$T/met/met-1.csv" >"$T/met/table" 2>&1
    check "fit: met: the table has the arrows that depend on a meeting, the traits and what the log cannot tell" \
        sh -c "grep -q '^Arrows that depend on a meeting' '$T/met/table' && grep -q '^Traits' '$T/met/table' &&
               grep -q '^What the log cannot tell' '$T/met/table' && grep -q \"trait 'dropout' is drawn per customer\" '$T/met/table'"

    # -o: A and B, and the traits' arguments, from the data; the result checks.
    "$CJM" fit -q --map left=churn --trait lambda=lambda --trait dropout=dropout --trait spend=spend \
        "$T/met/met.journey" "$T/met/met-1.csv" -o "$T/met/fitted.journey" >/dev/null 2>"$T/met/err-o"
    check "fit: met: -o rewrites A and B of both arrows and the three traits' arguments" \
        python3 - "$T/met/met.journey" "$T/met/fitted.journey" <<'PY'
import re, sys
a, b = (open(p).read() for p in sys.argv[1:3])
for pat in (r"-> Trial ([0-9.]+)% \+ ([0-9.]+)% \* met\(SearchAd\)", r"-> Lead ([0-9.]+)% \+ met\(email\) \* ([0-9.]+)%",
            r"lambda  = gamma\(([0-9.]+), ([0-9.]+)\)", r"dropout = beta\(([0-9.]+), ([0-9.]+)\)",
            r"spend   = lognormal\(([0-9.]+), ([0-9.]+)\)"):
    x, y = re.search(pat, a), re.search(pat, b)
    if not y:
        sys.exit("not found in the fitted journey: " + pat)
    if x.groups() == y.groups():
        sys.exit("unchanged: " + y.group(0))
PY
    check "fit: met: the fitted journey checks" "$CJM" check -q "$T/met/fitted.journey"

    # CSV tables of their own.
    for t in met traits cannot; do
        "$CJM" fit -q --format csv --csv-table $t --map left=churn --trait lambda=lambda "$T/met/met.journey" \
            "$T/met/met-1.csv" >"$T/met/$t.csv" 2>/dev/null
        check "fit: met: --csv-table $t has a header and rows" sh -c "[ \$(wc -l <'$T/met/$t.csv') -ge 2 ]"
    done

    # Every addition the log cannot tell, and a choice trait's shares with an undeclared value.
    cat >"$T/met/all.journey" <<'J'
import "std/channels"
journey "All" { inactivity 30 days memory 60 days }
persona Shopper {
  share 100%
  lambda = gamma(2, 3)
  seats = choice(1: 60%, 5: 30%, 20: 10%)
  budget = uniform(100, 500)
}
state discount_sent = false
state invoices = 0
stage Visit {
  revenue 29 * seats
  wait exponential(1 week / lambda)
  touchpoint SearchAd { channel search reach 60% * budget / 500 cost 1.20 * seats }
  touchpoint Mail { channel email reach 40% }
  -> Buy 8% + 6% * met(SearchAd)
  -> Lead 2% * met_ever(Mail) + 0.01 * invoices
  -> churn otherwise
}
stage Buy goal { -> churn 10% -> Buy otherwise }
stage Lead {}
rule Invoice when stage == Buy and not discount_sent {
  invoices += 1
  discount_sent = true
}
J
    python3 - "$T/met/all.csv" <<'PY'
import random, sys
rng = random.Random(3)
with open(sys.argv[1], "w") as f:
    f.write("case_id,event,timestamp,seats\n")
    for i in range(600):
        s = rng.choices([1, 5, 20, 7], [55, 30, 10, 5])[0]
        f.write("c%d,Visit,%d,%d\n" % (i, 1700000000 + i * 60, s))
        if rng.random() < 0.3:
            f.write("c%d,Buy,%d,\n" % (i, 1700003600 + i * 60))
PY
    "$CJM" fit -q --format json --trait seats=seats "$T/met/all.journey" "$T/met/all.csv" >"$T/met/all.json" 2>"$T/met/all.err"
    check "fit: what the log cannot tell: latent traits, state, memory, amounts as expressions, met_ever arrows" \
        python3 - "$T/met/all.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
got = [(c["kind"], c["name"]) for c in d["cannot"]]
want = [("trait", "lambda"), ("trait", "budget"), ("state", "discount_sent"), ("state", "invoices"),
        ("memory", "memory"), ("amount", "Visit"), ("amount", "Visit"), ("amount", "SearchAd"),
        ("amount", "SearchAd"), ("arrow", "Visit")]
if got != want:
    sys.exit("got %s" % got)
if "met_ever(Mail)" not in d["cannot"][-1]["why"]:
    sys.exit(d["cannot"][-1]["why"])
PY
    check "fit: a choice trait: each value's share, declared weights, the undeclared value 7 listed" \
        python3 - "$T/met/all.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["traits"][0]
vals = [(c["value"], c["declared"]) for c in t["choices"]]
if vals != [(1, True), (5, True), (20, True), (7, False)]:
    sys.exit("values %s" % vals)
if abs(sum(c["count"] for c in t["choices"]) - 600) > 0 or t["fitted"] is not None or t["candidates"]:
    sys.exit("counts or candidates: %s" % t)
if [round(c["declared_share"], 6) for c in t["choices"][:3]] != [0.6, 0.3, 0.1]:
    sys.exit("declared shares %s" % t["choices"])
PY

    # Per persona: a segment column assigns them; each persona's gamma fitted and rewritten.
    cat >"$T/met/pp.journey" <<'J'
journey "PP" { inactivity 30 days }
persona Pro {
  share 40%
  spend = gamma(2, 0.1)
}
persona Hobby {
  share 60%
  spend = gamma(3, 0.5)
}
stage Visit { -> Buy 30% + 0 * spend -> churn otherwise }
stage Buy goal {}
J
    python3 - "$T/met/pp.csv" <<'PY'
import random, sys
r = random.Random(5)
with open(sys.argv[1], "w") as f:
    f.write("case_id,event,timestamp,segment,spend\n")
    for i in range(2000):
        p = "Pro" if r.random() < 0.4 else "Hobby"
        v = r.gammavariate(2, 10) if p == "Pro" else r.gammavariate(3, 2)
        f.write("c%d,Visit,%d,%s,%.6f\n" % (i, 1700000000 + i * 60, p, v))
PY
    "$CJM" fit -q --trait spend=spend "$T/met/pp.journey" "$T/met/pp.csv" -o "$T/met/pp2.journey" >"$T/met/pp.out" 2>&1
    check "fit: --trait per persona: a row for all cases and one per persona, each beside its declaration" \
        sh -c "grep -q '^  spend  (all) ' '$T/met/pp.out' && grep -q '^  spend  Pro .* gamma(1.896, 0.09464) .* gamma(2, 0.1)$' '$T/met/pp.out' &&
               grep -q '^  spend  Hobby .* gamma(3.128, 0.5247) .* gamma(3, 0.5)$' '$T/met/pp.out'"
    check "fit: --trait per persona: -o rewrites each persona's arguments" \
        sh -c "grep -q 'spend = gamma(1.896, 0.09464)' '$T/met/pp2.journey' && grep -q 'spend = gamma(3.128, 0.5247)' '$T/met/pp2.journey'"

    # The HTML page has the new sections and stays well-formed XML.
    "$CJM" fit -q --format html --map left=churn --trait lambda=lambda "$T/met/met.journey" "$T/met/met-1.csv" >"$T/met/r.html" 2>/dev/null
    check "fit: met: the HTML page has the arrows that depend on a meeting, the traits, what the log cannot tell; well-formed" \
        python3 - "$T/met/r.html" <<'PY'
import sys, xml.dom.minidom
t = open(sys.argv[1]).read()
for h in ("<h3>Arrows that depend on a meeting</h3>", "<h3>Traits</h3>", "<h3>What the log cannot tell</h3>"):
    if h not in t:
        sys.exit("missing " + h)
xml.dom.minidom.parseString(t)
PY

    # cjm score: resumed lives draw their traits as new customers do (docs/scoring.md); the same
    # CSV for any --threads.
    "$CJM" score -q --futures 300 --threads 1 "$T/met/met.journey" "$T/met/met-1.csv" >"$T/met/score1.csv" 2>"$T/met/score.err"
    s1=$?
    "$CJM" score -q --futures 300 --threads 2 "$T/met/met.journey" "$T/met/met-1.csv" >"$T/met/score2.csv" 2>>"$T/met/score.err"
    check "fit: met: cjm score of a journey with drawn traits and met(): exit 0, rows, the same for --threads 1 and 2" \
        sh -c "[ $s1 -eq 0 ] && [ \$(wc -l <'$T/met/score1.csv') -gt 100 ] && cmp -s '$T/met/score1.csv' '$T/met/score2.csv'"
fi
