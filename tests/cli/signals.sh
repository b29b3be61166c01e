# tests/cli/signals.sh: Ctrl-C and termination stop a long run cleanly: exit 128 + the signal,
# no output file, no temporary file (sourced by tests/run.sh; files in $T).

printf 'stage A { wait 1 day -> A 99%% -> churn otherwise "x" }\nstage B goal {}\n' >"$T/long.journey"
for sig in INT TERM; do
    for cmd in run graph; do
        mkdir -p "$T/sig-$cmd-$sig"
        out="$T/sig-$cmd-$sig/out"
        # A background job of a shell script ignores SIGINT: restore the default so that the
        # signal reaches cjm as a Ctrl-C would.
        env --default-signal=INT "$CJM" "$cmd" -q --cohort 1000000000 -o "$out" "$T/long.journey" 2>"$T/sig.err" &
        pid=$!
        sleep 1
        kill -"$sig" "$pid"
        wait "$pid"
        status=$?
        expected=$([ "$sig" = INT ] && echo 130 || echo 143)
        if [ "$status" -eq "$expected" ]; then ok "signals: SIG$sig stops cjm $cmd with exit $expected"
        else not_ok "signals: SIG$sig stops cjm $cmd: exit $status, expected $expected" "$(cat "$T/sig.err")"; fi
        if [ -z "$(ls -A "$T/sig-$cmd-$sig")" ]; then ok "signals: SIG$sig during cjm $cmd leaves no file"
        else not_ok "signals: SIG$sig during cjm $cmd left files" "$(ls -A "$T/sig-$cmd-$sig")"; fi
    done
done
if grep -q "interrupted: nothing written" "$T/sig.err"; then ok "signals: the interruption is reported"; else not_ok "signals: the interruption is reported" "$(cat "$T/sig.err")"; fi
