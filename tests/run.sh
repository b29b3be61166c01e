#!/bin/sh
# tests/run.sh: cjm's test suite. Run from the repository root (make test does).
#
#   1. unit tests         build/test_unit (C, tests/unit/*.c)
#   2. golden tests       tests/<area>/NAME.journey, run as `cjm ARGS FILE` where ARGS comes from
#                         NAME.args or else the area's default.args; NAME.expected holds stdout,
#                         then "--- stderr" and stderr, then "--- exit N". UPDATE=1 rewrites them.
#   3. script tests       tests/cli/*.sh, sourced with the helpers below; each check counts.
#   4. examples           every examples/*.journey and stdlib module checks with no warning.
#   5. memcheck           the golden tests again under valgrind (VALGRIND=0 skips, as the
#                         sanitizer build does): any leak or memory error fails.
# The last line is "N passed, N failed"; the exit status is 0 only when nothing failed.
set -u
CJM=${CJM:-build/cjm}
UNIT=${UNIT:-build/test_unit}
VALGRIND=${VALGRIND:-1}
VERBOSE=${VERBOSE:-}
pass=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cjm-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
export NO_COLOR=1 LC_ALL=C CJM_PATH=
repo=$(pwd -P)
# cjm's version (from git describe) changes with every commit; outputs that show it (cjm report)
# are compared with "<version>" in its place.
version=$("$CJM" --version 2>/dev/null | sed 's/^cjm //')

ok() { pass=$((pass + 1)); [ -z "$VERBOSE" ] || echo "ok   $1"; }
not_ok() {
    fail=$((fail + 1))
    echo "FAIL $1"
    [ $# -lt 2 ] || printf '%s\n' "$2" | head -n 40 | sed 's/^/     /'
}

# ---- 1. unit tests ----
if [ -x "$UNIT" ]; then
    "$UNIT" >"$tmp/unit" 2>&1
    status=$?
    while IFS= read -r line; do
        case "$line" in
        "ok "*) ok "unit: ${line#ok }" ;;
        "FAIL "*) not_ok "unit: ${line#FAIL }" ;;
        esac
    done <"$tmp/unit"
    [ $status -eq 0 ] || grep -q '^FAIL ' "$tmp/unit" || not_ok "unit tests exited with $status" "$(tail -n 20 "$tmp/unit")"
else
    not_ok "unit tests: $UNIT is missing"
fi

# ---- 2. golden tests ----
golden_args() {
    base=${1%.journey}
    if [ -f "$base.args" ]; then cat "$base.args"; else cat "$(dirname "$1")/default.args"; fi
}

run_golden() { # file -> writes the actual result to $tmp/actual
    args=$(golden_args "$1")
    # shellcheck disable=SC2086
    $2 "$CJM" --color=never $args "$1" >"$tmp/out" 2>"$tmp/err"
    status=$?
    # The checkout's own path (in "looked in ..." notes) differs between machines.
    { cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"; echo "--- exit $status"; } |
        sed -e "s|$repo|<repo>|g" -e "s|${version:-<version>}|<version>|g" >"$tmp/actual"
}

for f in tests/*/*.journey; do
    [ -f "$(dirname "$f")/default.args" ] || continue
    expected=${f%.journey}.expected
    run_golden "$f" ""
    if [ -n "${UPDATE:-}" ]; then
        cp "$tmp/actual" "$expected"
        ok "golden: $f (updated)"
    elif [ ! -f "$expected" ]; then
        not_ok "golden: $f: no $expected (UPDATE=1 writes it)"
    elif cmp -s "$expected" "$tmp/actual"; then
        ok "golden: $f"
    else
        not_ok "golden: $f" "$(diff -u "$expected" "$tmp/actual" | tail -n +3)"
    fi
done

# ---- 3. script tests ----
# Helpers for tests/cli/*.sh. `run` captures stdout, stderr and the exit status of a command.
run() {
    "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
}
out() { cat "$tmp/out"; }
err() { cat "$tmp/err"; }
expect_status() { # name expected
    if [ "$status" -eq "$2" ]; then ok "$1"; else not_ok "$1: exit $status, expected $2" "$(err)"; fi
}
expect_out() { # name pattern (grep -E on stdout)
    if grep -Eq -- "$2" "$tmp/out"; then ok "$1"; else not_ok "$1: stdout lacks /$2/" "$(out)"; fi
}
expect_err() { # name pattern (grep -E on stderr)
    if grep -Eq -- "$2" "$tmp/err"; then ok "$1"; else not_ok "$1: stderr lacks /$2/" "$(err)"; fi
}
expect_no_err() {
    if [ ! -s "$tmp/err" ]; then ok "$1"; else not_ok "$1: unexpected stderr" "$(err)"; fi
}
check() { # name command...: passes when the command succeeds
    name=$1
    shift
    if "$@" >"$tmp/check" 2>&1; then ok "$name"; else not_ok "$name" "$(cat "$tmp/check")"; fi
}

for script in tests/cli/*.sh; do
    [ -f "$script" ] || continue
    T="$tmp/work"
    rm -rf "$T"
    mkdir -p "$T"
    # shellcheck disable=SC1090
    . "./$script"
done

# ---- fuzz corpus ----
# Every committed fuzz input (crash reproducers and seeds) and every journey of the tests and
# examples goes through the fuzz harness once more.
REPLAY_FRONT=${REPLAY_FRONT:-build/replay_front}
REPLAY_ENGINE=${REPLAY_ENGINE:-build/replay_engine}
corpus_front=$(ls tests/fuzz/corpus/front/* examples/*.journey tests/*/*.journey 2>/dev/null)
corpus_engine=$(ls tests/fuzz/corpus/engine/* examples/*.journey tests/*/*.journey 2>/dev/null)
for harness in front engine; do
    eval "replay=\$REPLAY_$(echo $harness | tr a-z A-Z) corpus=\$corpus_$harness"
    if [ -x "$replay" ]; then
        # shellcheck disable=SC2086
        if "$replay" $corpus >"$tmp/out" 2>&1; then ok "fuzz corpus replays ($harness)"; else not_ok "fuzz corpus replays ($harness)" "$(tail -n 20 "$tmp/out")"; fi
    else
        not_ok "fuzz corpus: $replay is missing"
    fi
done

# ---- 4. examples ----
for f in examples/*.journey stdlib/std/*.journey; do
    "$CJM" check --color=never "$f" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ $status -eq 0 ] && [ ! -s "$tmp/err" ]; then ok "example checks cleanly: $f"; else not_ok "example checks cleanly: $f" "$(cat "$tmp/err")"; fi
done

# ---- 5. memcheck ----
if [ "$VALGRIND" = 1 ] && command -v valgrind >/dev/null 2>&1; then
    vg="valgrind -q --num-callers=40 --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --suppressions=tests/valgrind.supp"
    # shellcheck disable=SC2086
    $vg "$REPLAY_FRONT" $corpus_front >"$tmp/out" 2>"$tmp/err"
    if [ $? -ne 99 ] && ! grep -q '^==[0-9]*==' "$tmp/err"; then ok "memcheck: fuzz corpus (front end)"; else not_ok "memcheck: fuzz corpus (front end)" "$(grep '^==' "$tmp/err" | head -n 30)"; fi
    # shellcheck disable=SC2086
    $vg "$REPLAY_ENGINE" $corpus_engine >"$tmp/out" 2>"$tmp/err"
    if [ $? -ne 99 ] && ! grep -q '^==[0-9]*==' "$tmp/err"; then ok "memcheck: fuzz corpus (engine)"; else not_ok "memcheck: fuzz corpus (engine)" "$(grep '^==' "$tmp/err" | head -n 30)"; fi
    $vg "$UNIT" >"$tmp/out" 2>"$tmp/err"
    if [ $? -ne 99 ] && ! grep -q '^==[0-9]*==' "$tmp/err"; then ok "memcheck: unit tests"; else not_ok "memcheck: unit tests" "$(grep '^==' "$tmp/err" | head -n 30)"; fi
    for f in tests/*/*.journey examples/*.journey; do
        d=$(dirname "$f")
        if [ -f "$d/default.args" ]; then
            run_golden "$f" "$vg"
        else
            $vg "$CJM" check "$f" >"$tmp/out" 2>"$tmp/err"
            status=$?
        fi
        if [ "$status" -ne 99 ] && ! grep -q '^==[0-9]*==' "$tmp/err"; then
            ok "memcheck: $f"
        else
            not_ok "memcheck: $f" "$(grep '^==' "$tmp/err" | head -n 30)"
        fi
    done
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
