# tests/fit/recovery.sh: cjm fit recovers the parameters of the journeys the logs were generated
# from (tests/fit/genlog.py): over 40 seeds, every arrow's 95% interval holds its true probability
# in about 95% of arrow-seed pairs, and the waits' means theirs; censoring is taken into account
# where the finished waits alone are clearly biased; declared values the data contradict are
# flagged; a shuffled or gzip-compressed log gives the same fit. Sourced by tests/run.sh (files in
# $T); the checks' arithmetic is in tests/fit/recovery.py.

. tests/fit/checks.inc
fit_report() { checks_report fit "$1"; }

# fit_all DIR PRESET SEEDS ARGS...: cjm fit --format json of each seed's log
fit_all() {
    d=$1 p=$2 n=$3
    shift 3
    i=1
    failed=
    while [ "$i" -le "$n" ]; do
        "$CJM" fit --format json "$@" "$d/$p.journey" "$d/$p-$i.csv" >"$d/$p-$i.json" 2>"$d/$p-$i.err" ||
            failed="$failed $i"
        i=$((i + 1))
    done
    if [ -z "$failed" ]; then ok "fit: $p: cjm fit reads the $n generated logs"; else
        first=${failed# }
        first=${first%% *}
        not_ok "fit: $p: cjm fit failed on seeds$failed" "$(head -n 5 "$d/$p-$first.err")"
        return 1
    fi
}

recovery_py() { python3 tests/fit/recovery.py "$@"; }
if ! "$CJM" fit --help >/dev/null 2>&1; then
    echo "SKIP tests/fit/recovery.sh: this cjm has no fit command yet ($("$CJM" fit --help 2>&1 | head -n 1))"
elif ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP tests/fit/recovery.sh: python3 is needed"
else
    # ---- 40 seeds of a six-stage journey: every wait family, back edges, touchpoints, personas ----
    mkdir -p "$T/rec"
    if [ -n "${MEMCHECK:-}" ]; then
        # Under valgrind (make memcheck) a few seeds show the memory is clean; the coverage over
        # 40 seeds is make test's and make asan's to measure.
        recovery_py gen "$T/rec" recovery 3 2000
        fit_all "$T/rec" recovery 3
    else
        recovery_py gen "$T/rec" recovery 40 2000
        if fit_all "$T/rec" recovery 40; then
            run_checks fit_report recovery recovery_py cover "$T/rec" recovery 40 0.88 0.99 0.85 0.995
        fi
    fi

    # ---- churn without events, counted by inactivity: 10 seeds ----
    mkdir -p "$T/ina"
    if [ -n "${MEMCHECK:-}" ]; then
        recovery_py gen "$T/ina" inactivity 2 3000
        fit_all "$T/ina" inactivity 2 --inactivity 30days
    else
        recovery_py gen "$T/ina" inactivity 10 3000
        if fit_all "$T/ina" inactivity 10 --inactivity 30days; then
            # Waits too: a silent leaver's wait is censored at its last event (counted as finished
            # there, it gave waits of 0 and lognormal(10^6 days, 10^6 days)).
            run_checks fit_report inactivity recovery_py cover "$T/ina" inactivity 10 0.85 1 0.8 1
        fi
    fi

    # ---- a log that ends while many are still waiting: censoring ----
    mkdir -p "$T/cen"
    recovery_py gen "$T/cen" censoring 1 4000
    if fit_all "$T/cen" censoring 1; then
        run_checks fit_report censoring recovery_py censoring "$T/cen" censoring Trial "$T/cen/censoring-1.csv" "$T/cen/censoring-1.json"
    fi

    # ---- declared values the data contradict ----
    mkdir -p "$T/wrong"
    recovery_py gen "$T/wrong" recovery 1 4000 --wrong
    if fit_all "$T/wrong" recovery 1; then
        run_checks fit_report wrong recovery_py wrong "$T/rec/recovery.truth.json" "$T/wrong/recovery-1.json"
    fi

    # ---- the same events shuffled, or compressed, give the same fit ----
    j=$T/rec/recovery.journey
    python3 tests/fit/genlog.py --preset recovery --customers 2000 --seed 3 --shuffle -o "$T/shuffled.csv"
    gzip -c "$T/rec/recovery-3.csv" >"$T/rec3.csv.gz"
    "$CJM" fit --format json "$j" "$T/shuffled.csv" >"$T/shuffled.json" 2>"$T/err"
    "$CJM" fit --format json "$j" "$T/rec3.csv.gz" >"$T/gz.json" 2>>"$T/err"
    for v in shuffled gz; do
        check "fit: a ${v} log gives the sorted log's moves and waits (to 1e-6: sums taken in another order)" \
            python3 - "$T/rec/recovery-3.json" "$T/$v.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
def same(x, y, where):
    if isinstance(x, float) or isinstance(y, float):
        if not (isinstance(x, (int, float)) and isinstance(y, (int, float))) or abs(x - y) > 1e-6 * max(1, abs(x)):
            sys.exit("%s: %r and %r" % (where, x, y))
    elif isinstance(x, dict) and isinstance(y, dict):
        if x.keys() != y.keys():
            sys.exit("%s: keys %s and %s" % (where, sorted(x), sorted(y)))
        for k in x:
            same(x[k], y[k], where + "." + k)
    elif isinstance(x, list) and isinstance(y, list):
        if len(x) != len(y):
            sys.exit("%s: %d and %d items" % (where, len(x), len(y)))
        for i, (p, q) in enumerate(zip(x, y)):
            same(p, q, "%s[%d]" % (where, i))
    elif x != y:
        sys.exit("%s: %r and %r" % (where, x, y))
for k in ("moves", "waits", "stages", "touchpoints", "personas"):
    same(a.get(k), b.get(k), k)
PY
    done
fi
