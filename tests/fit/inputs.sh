# tests/fit/inputs.sh: cjm fit on damaged logs and big unsorted ones, on top of tests/cli/fit.sh
# (which has every option and usage error): each unreadable log (a bad time, a missing column, an
# unterminated quote, an extra field, an empty file, truncated gzip data, binary garbage) exits 3
# naming the file (and the line), with nothing on standard output and no partial journey; an
# unsorted log beyond --max-memory is an error that says to sort it or raise the limit, not a
# crash, while the same events sorted fit in the memory of the customers in flight; the fitted journey of a generated log checks without a warning. Sourced by tests/run.sh
# (files in $T).

if ! "$CJM" fit --help >/dev/null 2>&1; then
    echo "SKIP tests/fit/inputs.sh: this cjm has no fit command yet ($("$CJM" fit --help 2>&1 | head -n 1))"
else
    genlog() { python3 tests/fit/genlog.py "$@"; }
    genlog --preset recovery --customers 300 --seed 5 -o "$T/log.csv" --journey "$T/j.journey"
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
    python3 -c 'import random, sys; r = random.Random(1); open(sys.argv[1], "wb").write(bytes(r.randrange(256) for _ in range(3000)))' "$T/garbage.csv"
    for f in bad-time:3 no-time: unterminated:3 extra-field:3 empty: truncated: garbage:; do
        name=${f%%:*}
        line=${f#*:}
        for file in "$T/$name".*; do break; done
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

    # ---- an unsorted log beyond --max-memory: an error naming the way out ----
    genlog --preset recovery --customers 12000 --seed 6 --shuffle -o "$T/shuffled.csv"
    run "$CJM" fit --max-memory 1M "$J" "$T/shuffled.csv"
    expect_status "fit: an unsorted log beyond --max-memory exits 3" 3
    expect_err "fit: the message says to sort the log or raise --max-memory" "sort.*--max-memory"
    run "$CJM" fit --max-memory 64M "$J" "$T/shuffled.csv"
    expect_status "fit: the same log within --max-memory fits" 0

    # ---- a sorted log needs memory for the customers in flight only ----
    # 20 000 customers over 2000 days, some 10 in flight at once with 30 days of inactivity: the
    # sorted log fits in 1 MiB (cases quiet for 30 days are finished and let go), the same events
    # shuffled do not (an unsorted log is held whole); with room, both give the same figures.
    genlog --preset inactivity --customers 20000 --arrival-days 2000 --log-end 2100 --seed 2 -o "$T/long.csv" \
        --journey "$T/long.journey"
    genlog --preset inactivity --customers 20000 --arrival-days 2000 --log-end 2100 --seed 2 --shuffle \
        -o "$T/long-shuffled.csv"
    run "$CJM" fit --format json --max-memory 1M --inactivity 30days "$T/long.journey" "$T/long.csv"
    expect_status "fit: a sorted log of 20 000 customers, few at a time, fits in 1 MiB" 0
    cp "$tmp/out" "$T/long.json"
    run "$CJM" fit --format json --max-memory 1M --inactivity 30days "$T/long.journey" "$T/long-shuffled.csv"
    expect_status "fit: the same events shuffled need more than 1 MiB" 3
    expect_err "fit: the message names the line and says to sort the log or raise --max-memory" \
        "long-shuffled.csv:[0-9]+: .*sort the log.*--max-memory"
    run "$CJM" fit --format json --max-memory 256M --inactivity 30days "$T/long.journey" "$T/long-shuffled.csv"
    expect_status "fit: the shuffled log fits with room" 0
    cp "$tmp/out" "$T/long-shuffled.json"
    check "fit: cases let go early (sorted) and held whole (shuffled) give the same moves and stages" \
        python3 - "$T/long.json" "$T/long-shuffled.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for k in ("moves", "stages"):
    if a[k] != b[k]:
        sys.exit("%s differ:\n%s\n%s" % (k, json.dumps(a[k])[:600], json.dumps(b[k])[:600]))
PY

    # ---- what cjm fit writes checks cleanly; discover's errors ----
    run "$CJM" fit -o "$T/fitted.journey" "$J" "$L"
    expect_status "fit: -o writes the fitted journey" 0
    run "$CJM" check "$T/fitted.journey"
    expect_status "fit: the journey -o wrote checks" 0
    expect_no_err "fit: the journey -o wrote checks without a warning"
    run "$CJM" fit --format json "$T/fitted.journey" "$L"
    expect_status "fit: the fitted journey fits its log again" 0
    cp "$tmp/out" "$T/refit.json"
    check "fit: fitted again to its log, the fitted journey has no value outside its interval" \
        python3 - "$T/refit.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = ["%s -> %s: declared %s, interval %s" % (m["from"], m["to"], m["declared"], m["share_ci95"])
       for m in d["moves"] if m["outside"]]
bad += ["wait of %s: declared mean %s, interval %s" % (w["stage"], w["declared_mean_days"], w["mean_days_ci95"])
        for w in d["waits"] if w["outside"]]
bad += ["%s -> %s (%s) is no arrow of it" % (m["from"], m["to"], m["count"]) for m in d["moves"]
        if not m["in_journey"] and m["count"]]
if bad:
    sys.exit("; ".join(bad))
PY
    if "$CJM" discover --help >/dev/null 2>&1; then
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
        echo "SKIP tests/fit/inputs.sh: discover: this cjm has no discover command yet"
    fi

fi
