# tests/fit/reference.sh: cjm fit and cjm discover against straightforward reference computations
# in Python (tests/fit/reference.py): the directly-follows counts of process-mining logs (a
# look-alike of pm4py's running-example, committed as tests/fit/running-example.csv, the data
# layer's copy in tests/data/ when there is one, and a generated look-alike of pm4py's receipt
# log), and the removal effects of the first-order absorbing Markov chain of a ChannelAttribution
# path table, against `cjm compare --exact` on the journey cjm discover writes from the table.
# Sourced by tests/run.sh (files in $T).

. tests/fit/checks.inc
ref_report() { checks_report reference "$1"; }

reference_py() { python3 tests/fit/reference.py "$@"; }
if ! "$CJM" fit --help >/dev/null 2>&1; then
    echo "SKIP tests/fit/reference.sh: this cjm has no fit command yet ($("$CJM" fit --help 2>&1 | head -n 1))"
elif ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP tests/fit/reference.sh: python3 is needed"
else
    reference_py receipt "$T/receipt.csv"
    logs="tests/fit/running-example.csv $T/receipt.csv"
    [ ! -f tests/data/running-example.csv ] || logs="$logs tests/data/running-example.csv"

    # ---- directly-follows counts: a journey whose stages are the activities ----
    for log in $logs; do
        b=$(basename "$log" .csv)
        reference_py journey "$log" "$T/$b.journey"
        run "$CJM" fit --format json "$T/$b.journey" "$log"
        if [ "$status" -ne 0 ]; then
            not_ok "reference: $log: cjm fit failed (exit $status)" "$(err)"
            continue
        fi
        cp "$tmp/out" "$T/$b.fit.json"
        run_checks ref_report "$log" reference_py dfcheck "$log" "$T/$b.fit.json" "$T/$b.journey"
    done

    # ---- cjm discover's journey, fitted to its own log ----
    if ! "$CJM" discover --help >/dev/null 2>&1; then
        echo "SKIP tests/fit/reference.sh: discover: this cjm has no discover command yet"
    else
        for pair in "tests/fit/running-example.csv:pay compensation" "$T/receipt.csv:T10 Determine necessity to stop indication"; do
            log=${pair%%:*}
            goal=${pair#*:}
            b=$(basename "$log" .csv)
            run "$CJM" discover --goal "$goal" -o "$T/$b.discovered.journey" "$log"
            expect_status "reference: $log: cjm discover writes a journey" 0
            run "$CJM" check "$T/$b.discovered.journey"
            expect_status "reference: $log: the discovered journey checks" 0
            run "$CJM" fit --format json "$T/$b.discovered.journey" "$log"
            if [ "$status" -ne 0 ]; then
                not_ok "reference: $log: cjm fit of the discovered journey failed (exit $status)" "$(err)"
                continue
            fi
            cp "$tmp/out" "$T/$b.dfit.json"
            run_checks ref_report "$log" reference_py discovered "$log" "$T/$b.discovered.journey" "$T/$b.dfit.json"
        done

        # ---- a path table: removal effects of the absorbing chain ----
        reference_py paths "$T/paths.csv" "$T/paths.expected.json"
        run "$CJM" discover -o "$T/paths.journey" "$T/paths.csv"
        expect_status "reference: path table: cjm discover writes a journey" 0
        run "$CJM" check "$T/paths.journey"
        expect_status "reference: path table: the discovered journey checks" 0
        run "$CJM" compare --removal stages --exact --format json "$T/paths.journey"
        expect_status "reference: path table: cjm compare --removal stages --exact" 0
        cp "$tmp/out" "$T/paths.compare.json"
        # The journey prints percentages to 0.01 points: the chain of its numbers is within 1e-3 of the counts'.
    run_checks ref_report "path table" reference_py removal "$T/paths.expected.json" "$T/paths.compare.json" 1e-3 "$T/paths.journey"
    fi
fi
