# tests/cli/fit.sh: cjm fit and cjm discover as a user meets them: every bad input gets a clear
# message naming where and what, the right exit status (1 the journey, 2 usage, 3 a log that
# cannot be read) and no partial file; an unsorted log beyond --max-memory is an error, not a
# crash; the journeys written by -o, --scenario and cjm discover check cleanly; the output does
# not depend on --threads. Sourced by tests/run.sh (files in $T). The statistics are in
# tests/fit/recovery.sh, the reference computations in tests/fit/reference.sh.

if ! "$CJM" fit --help >/dev/null 2>&1; then
    echo "SKIP tests/cli/fit.sh: this cjm has no fit command yet ($("$CJM" fit --help 2>&1 | head -n 1))"
else
    G="python3 tests/fit/genlog.py"
    $G --preset recovery --customers 300 --seed 5 -o "$T/log.csv" --journey "$T/j.journey"
    J=$T/j.journey
    L=$T/log.csv

    run "$CJM" fit "$J" "$L"
    expect_status "fit: a generated log fits" 0
    expect_no_err "fit: a generated log fits without a message"

    # ---- logs that cannot be read: exit 3, the file and line named, nothing written ----
    printf 'customer_id,event,timestamp\nc1,Visit,2024-01-01\nc1,Trial,2024-13-01\n' >"$T/bad-time.csv"
    printf 'customer_id,event,when\nc1,Visit,2024-01-01\n' >"$T/no-time.csv"
    printf 'customer_id,event,timestamp\nc1,Visit,2024-01-01\nc1,"Trial\nc2,Visit,2024-01-03\n' >"$T/unterminated.csv"
    printf 'customer_id,event,timestamp\nc1,Visit,2024-01-01\nc1,Trial,2024-01-02,extra\n' >"$T/extra-field.csv"
    : >"$T/empty.csv"
    gzip -c "$L" | head -c 2000 >"$T/truncated.csv.gz"
    head -c 3000 /dev/urandom >"$T/garbage.csv" 2>/dev/null || printf '\001\002\003\377\376' >"$T/garbage.csv"
    for f in bad-time:3 no-time:1 unterminated:3 extra-field:3 empty: truncated: garbage:; do
        name=${f%%:*}
        line=${f#*:}
        file=$(ls "$T/$name".* | head -n 1)
        rm -f "$T/out.journey"
        run "$CJM" fit -o "$T/out.journey" "$J" "$file"
        expect_status "fit: $name: a log that cannot be read exits 3" 3
        if [ -n "$line" ]; then
            expect_err "fit: $name: the message names the file and line" "$(basename "$file"):$line"
        else
            expect_err "fit: $name: the message names the file" "$(basename "$file")"
        fi
        if [ -e "$T/out.journey" ]; then not_ok "fit: $name: no partial journey is written"; else ok "fit: $name: no partial journey is written"; fi
        if [ -s "$tmp/out" ]; then not_ok "fit: $name: nothing on standard output" "$(out | head -n 5)"; else ok "fit: $name: nothing on standard output"; fi
    done
    run "$CJM" fit "$J" "$T/no-such-log.csv"
    expect_status "fit: a missing log exits 3" 3
    expect_err "fit: a missing log is named" "no-such-log.csv"

    # ---- journeys with errors: exit 1 ----
    printf 'stage A { -> Nowhere 50%% }\n' >"$T/broken.journey"
    run "$CJM" fit "$T/broken.journey" "$L"
    expect_status "fit: a journey with errors exits 1" 1
    expect_err "fit: the journey's error is named with its line" "broken.journey:1"

    # ---- usage: exit 2 ----
    for args in "--format yaml" "--inactivity soon" "--map Visit" "--map Visit=Nowhere" "--time-format weekdays" \
        "--max-memory lots" "--log-end yesterday-ish" "--threads 0"; do
        # shellcheck disable=SC2086
        run "$CJM" fit $args "$J" "$L"
        expect_status "fit: usage error $args exits 2" 2
        expect_err "fit: usage error $args names the option" "${args%% *}"
    done
    run "$CJM" fit "$J"
    expect_status "fit: a missing LOG argument exits 2" 2
    run "$CJM" fit
    expect_status "fit: no arguments exits 2" 2

    # ---- an unsorted log beyond --max-memory: an error naming the way out ----
    $G --preset recovery --customers 2000 --seed 6 --shuffle -o "$T/shuffled.csv"
    run "$CJM" fit --max-memory 1M "$J" "$T/shuffled.csv"
    expect_status "fit: an unsorted log beyond --max-memory exits 3" 3
    expect_err "fit: the message says to sort the log or raise --max-memory" "sort.*--max-memory"
    run "$CJM" fit --max-memory 64M "$J" "$T/shuffled.csv"
    expect_status "fit: the same log within --max-memory fits" 0

    # ---- what cjm fit and discover write checks cleanly ----
    run "$CJM" fit -o "$T/fitted.journey" "$J" "$L"
    expect_status "fit: -o writes the fitted journey" 0
    run "$CJM" check "$T/fitted.journey"
    expect_status "fit: the journey -o wrote checks" 0
    expect_no_err "fit: the journey -o wrote checks without a warning"
    run "$CJM" fit -o "$T/scenario.journey" --scenario Fitted "$J" "$L"
    expect_status "fit: -o with --scenario writes the journey" 0
    if grep -q '^scenario Fitted' "$T/scenario.journey"; then ok "fit: --scenario appends a scenario block"; else
        not_ok "fit: --scenario appends a scenario block" "$(tail -n 20 "$T/scenario.journey")"; fi
    run "$CJM" check "$T/scenario.journey"
    expect_status "fit: the journey with the --scenario block checks" 0
    run "$CJM" run --cohort 1000 --format json "$T/scenario.journey"
    expect_status "fit: the fitted journey runs" 0
    run "$CJM" compare --cohort 1000 "$T/scenario.journey"
    expect_status "fit: the --scenario block compares" 0
    if "$CJM" discover --help >/dev/null 2>&1; then
        run "$CJM" discover --goal Buy -o "$T/discovered.journey" "$L"
        expect_status "discover: writes a journey from the log" 0
        run "$CJM" check "$T/discovered.journey"
        expect_status "discover: the discovered journey checks" 0
        rm -f "$T/d2.journey"
        run "$CJM" discover --goal "No such event" -o "$T/d2.journey" "$L"
        if [ "$status" -eq 2 ] || [ "$status" -eq 3 ]; then ok "discover: a goal the log does not have is an error"; else
            not_ok "discover: a goal the log does not have is an error: exit $status" "$(err)"; fi
        expect_err "discover: the message names the goal" "No such event"
        if [ -e "$T/d2.journey" ]; then not_ok "discover: no partial journey is written"; else ok "discover: no partial journey is written"; fi
        run "$CJM" discover --goal Buy "$T/bad-time.csv"
        expect_status "discover: a log that cannot be read exits 3" 3
        expect_err "discover: the message names the file and line" "bad-time.csv:3"
    else
        echo "SKIP tests/cli/fit.sh: discover: this cjm has no discover command yet"
    fi

    # ---- the same output whatever --threads ----
    "$CJM" fit --format json --threads 1 "$J" "$L" >"$T/t1.json" 2>/dev/null
    "$CJM" fit --format json --threads 2 "$J" "$L" >"$T/t2.json" 2>/dev/null
    check "fit: the JSON report is the same with one thread and two" cmp "$T/t1.json" "$T/t2.json"
    "$CJM" fit --format json "$J" "$L" >"$T/again.json" 2>/dev/null
    check "fit: the JSON report is the same run after run" cmp "$T/t1.json" "$T/again.json"
fi
