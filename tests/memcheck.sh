#!/bin/sh
# memcheck.sh: the whole test suite with every cjm command under valgrind (make memcheck), and the
# unit tests and fuzz corpus replays under valgrind too.
# Each command writes valgrind's report to build/memcheck/log.PID; the run fails when any report
# holds an error or a leak, even in a test that checks only the command's output.
set -u
repo=$(pwd -P)
logs="$repo/build/memcheck"
rm -rf "$logs"
mkdir -p "$logs"
wrapper="$logs/cjm"
cat >"$wrapper" <<WRAP
#!/bin/sh
exec valgrind -q --num-callers=40 --error-exitcode=99 --leak-check=full --show-leak-kinds=all \\
    --errors-for-leak-kinds=all --suppressions="$repo/tests/valgrind.supp" \\
    --log-file="$logs/log.%p" "$repo/build/cjm" "\$@"
WRAP
chmod +x "$wrapper"
# Timing checks (a large graph "in a few seconds") measure cjm, not valgrind: MEMCHECK=1 relaxes them.
# The tests that build (make install, make vsix) use the plain build folder, not the wrapper's.
CJM="$wrapper" CJM_BUILD="$repo/build" MEMCHECK=1 VALGRIND=harnesses sh tests/run.sh
status=$?
bad=$(find "$logs" -maxdepth 1 -name 'log.[0-9]*' -size +0 | head -n 20)
if [ -n "$bad" ]; then
    echo "memcheck: valgrind reported errors or leaks:"
    for f in $bad; do echo "--- $f"; head -n 40 "$f"; done
    echo "memcheck: FAILED"
    exit 1
fi
# Every cjm command must have run under valgrind: the wrapper must still be the wrapper.
if ! head -n 1 "$wrapper" | grep -q '^#!/bin/sh'; then
    echo "memcheck: FAILED: $wrapper was replaced during the run, so later commands ran without valgrind"
    exit 1
fi
echo "memcheck: no valgrind error or leak in $(find "$logs" -maxdepth 1 -name 'log.[0-9]*' | wc -l) cjm runs"
exit $status
