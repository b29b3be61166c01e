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
fi
