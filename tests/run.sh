#!/bin/sh
# tests/run.sh: cjm's test suite. Run from the repository root (make test does).
#
#   unit       build/test_unit (C, tests/unit/*.c)
#   golden     tests/<area>/NAME.journey, run as `cjm ARGS FILE` where ARGS comes from NAME.args or
#              else the area's default.args; NAME.expected holds stdout, then "--- stderr" and
#              stderr, then "--- exit N". UPDATE=1 rewrites them.
#   script     tests/cli/*.sh, tests/fit/*.sh and tests/models/*.sh, sourced with the helpers below;
#              each check counts.
#   replay     every committed fuzz input and every journey through both fuzz harnesses.
#   examples   every examples/*.journey and stdlib module checks with no warning.
#   memcheck   the unit tests, fuzz replays and golden tests again under valgrind: any leak or
#              memory error fails. VALGRIND=0 skips them (the sanitizer build does), and
#              VALGRIND=harnesses keeps only the unit tests and fuzz replays (make memcheck does:
#              there every cjm command already runs under valgrind).
#
# The suite is cut into pieces run JOBS at a time (default: one per core); each piece runs in its
# own process (`run.sh --piece NAME`) with its own scratch folder, and the driver prints their
# results in a fixed order, so the output does not depend on JOBS. TIMES=1 shows each piece's
# seconds. The last line is "N passed, N failed"; the exit status is 0 only when nothing failed.
set -u
CJM=${CJM:-build/cjm}
UNIT=${UNIT:-build/test_unit}
REPLAY_FRONT=${REPLAY_FRONT:-build/replay_front}
REPLAY_ENGINE=${REPLAY_ENGINE:-build/replay_engine}
REPLAY_DATA=${REPLAY_DATA:-build/replay_data}
VALGRIND=${VALGRIND:-1}
VERBOSE=${VERBOSE:-}
export NO_COLOR=1 LC_ALL=C CJM_PATH=
repo=$(pwd -P)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cjm-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# =============================== the driver ===============================
if [ "${1:-}" != --piece ]; then
    JOBS=${JOBS:-$(nproc 2>/dev/null || echo 1)}
    # cjm's version (from git describe) changes with every commit; outputs that show it (cjm
    # report) are compared with "<version>" in its place.
    CJM_TEST_VERSION=$("$CJM" --version 2>/dev/null | sed 's/^cjm //')
    export CJM_TEST_VERSION CJM UNIT REPLAY_FRONT REPLAY_ENGINE REPLAY_DATA
    # The slowest pieces first, so that no long one starts last.
    pieces=""
    if [ "$VALGRIND" != 0 ] && command -v valgrind >/dev/null 2>&1; then
        # The engine's corpus is the slowest under valgrind: four pieces, a quarter of it each.
        pieces="memcheck:replay:engine:0/4 memcheck:replay:engine:1/4 memcheck:replay:engine:2/4"
        pieces="$pieces memcheck:replay:engine:3/4 memcheck:unit memcheck:replay:front:0/1 memcheck:replay:data:0/1"
        [ "$VALGRIND" = harnesses ] || for d in tests/*/ examples/; do
            ls "$d"*.journey >/dev/null 2>&1 && pieces="$pieces memcheck:golden:${d%/}"
        done
    fi
    for s in tests/cli/*.sh tests/fit/*.sh tests/models/*.sh; do pieces="$pieces script:$s"; done
    for d in tests/*/; do
        [ -f "${d}default.args" ] && pieces="$pieces golden:${d%/}"
    done
    pieces="$pieces unit replay:front replay:engine replay:data examples"

    logs="$tmp/logs"
    mkdir -p "$logs"
    log_of() { echo "$logs/$(echo "$1" | tr '/:' '__')"; }
    # shellcheck disable=SC2086
    printf '%s\n' $pieces | xargs -P "$JOBS" -I{} sh -c \
        'sh tests/run.sh --piece "$1" >"$2/$(echo "$1" | tr "/:" "__")" 2>&1' piece {} "$logs"

    pass=0
    fail=0
    for p in $pieces; do
        log=$(log_of "$p")
        summary=$(tail -n 1 "$log" 2>/dev/null)
        case "$summary" in
        "# piece "*)
            # shellcheck disable=SC2086
            set -- $summary
            pass=$((pass + $3))
            fail=$((fail + $4))
            [ -z "${TIMES:-}" ] || echo "time $5 s  $p"
            if [ -n "$VERBOSE" ]; then sed '$d' "$log"; else sed '$d' "$log" | grep -v '^ok   '; fi
            ;;
        *)
            fail=$((fail + 1))
            echo "FAIL piece $p did not finish"
            tail -n 20 "$log" 2>/dev/null | sed 's/^/     /'
            ;;
        esac
    done
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
fi

# =============================== one piece ===============================
piece=$2
version=${CJM_TEST_VERSION:-}
pass=0
fail=0
started=$(date +%s)

ok() { pass=$((pass + 1)); echo "ok   $1"; }
not_ok() {
    fail=$((fail + 1))
    echo "FAIL $1"
    [ $# -lt 2 ] || printf '%s\n' "$2" | head -n 40 | sed 's/^/     /'
}

golden_args() {
    base=${1%.journey}
    if [ -f "$base.args" ]; then cat "$base.args"; else cat "$(dirname "$1")/default.args"; fi
}

run_golden() { # file wrapper -> writes the actual result to $tmp/actual
    args=$(golden_args "$1")
    # shellcheck disable=SC2086
    $2 "$CJM" --color=never $args "$1" >"$tmp/out" 2>"$tmp/err"
    status=$?
    # The checkout's own path (in "looked in ..." notes) differs between machines.
    { cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"; echo "--- exit $status"; } |
        sed -e "s|$repo|<repo>|g" -e "s|${version:-<version>}|<version>|g" >"$tmp/actual"
}

unit_tests() {
    if [ ! -x "$UNIT" ]; then
        not_ok "unit tests: $UNIT is missing"
        return
    fi
    "$UNIT" >"$tmp/unit" 2>&1
    status=$?
    while IFS= read -r line; do
        case "$line" in
        "ok "*) ok "unit: ${line#ok }" ;;
        "FAIL "*) not_ok "unit: ${line#FAIL }" ;;
        esac
    done <"$tmp/unit"
    [ $status -eq 0 ] || grep -q '^FAIL ' "$tmp/unit" || not_ok "unit tests exited with $status" "$(tail -n 20 "$tmp/unit")"
}

golden_tests() { # area folder
    for f in "$1"/*.journey; do
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
}

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

script_tests() { # tests/cli/NAME.sh
    T="$tmp/work"
    mkdir -p "$T"
    # shellcheck disable=SC1090
    . "./$1"
}

# Every committed fuzz input (crash reproducers and seeds) and every journey of the tests and
# examples goes through a fuzz harness once more; the data harness takes the sample logs.
replay_corpus() { # front|engine|data
    if [ "$1" = data ]; then ls "tests/fuzz/corpus/$1/"* 2>/dev/null; return; fi
    ls "tests/fuzz/corpus/$1/"* examples/*.journey tests/*/*.journey 2>/dev/null
}
replay_harness() { # front|engine|data
    case "$1" in front) echo "$REPLAY_FRONT" ;; data) echo "$REPLAY_DATA" ;; *) echo "$REPLAY_ENGINE" ;; esac
}
replay() { # front|engine|data
    harness=$(replay_harness "$1")
    if [ ! -x "$harness" ]; then
        not_ok "fuzz corpus: $harness is missing"
        return
    fi
    # shellcheck disable=SC2046
    if "$harness" $(replay_corpus "$1") >"$tmp/out" 2>&1; then ok "fuzz corpus replays ($1)"; else not_ok "fuzz corpus replays ($1)" "$(tail -n 20 "$tmp/out")"; fi
}

examples_check() {
    for f in examples/*.journey stdlib/std/*.journey; do
        "$CJM" check --color=never "$f" >"$tmp/out" 2>"$tmp/err"
        status=$?
        if [ $status -eq 0 ] && [ ! -s "$tmp/err" ]; then ok "example checks cleanly: $f"; else not_ok "example checks cleanly: $f" "$(cat "$tmp/err")"; fi
    done
}

vg="valgrind -q --num-callers=40 --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all --suppressions=tests/valgrind.supp"
valgrind_verdict() { # name: judges the valgrind run whose status and stderr are in $status, $tmp/err
    if [ "$status" -ne 99 ] && ! grep -q '^==[0-9]*==' "$tmp/err"; then
        ok "memcheck: $1"
    else
        not_ok "memcheck: $1" "$(grep '^==' "$tmp/err" | head -n 30)"
    fi
}
memcheck_replay() { # front|engine|data K/N: the K-th of N parts of the corpus
    part=${2%/*}
    parts=${2#*/}
    # shellcheck disable=SC2046
    $vg "$(replay_harness "$1")" $(replay_corpus "$1" | awk -v k="$part" -v n="$parts" '(NR - 1) % n == k') \
        >"$tmp/out" 2>"$tmp/err"
    status=$?
    valgrind_verdict "fuzz corpus ($1, part $((part + 1)) of $parts)"
}
memcheck_unit() {
    $vg "$UNIT" >"$tmp/out" 2>"$tmp/err"
    status=$?
    valgrind_verdict "unit tests"
}
memcheck_golden() { # folder: golden tests run their own arguments, other journeys `cjm check`
    for f in "$1"/*.journey; do
        if [ -f "$1/default.args" ]; then
            run_golden "$f" "$vg"
        else
            $vg "$CJM" check "$f" >"$tmp/out" 2>"$tmp/err"
            status=$?
        fi
        valgrind_verdict "$f"
    done
}

case "$piece" in
unit) unit_tests ;;
golden:*) golden_tests "${piece#golden:}" ;;
script:*) script_tests "${piece#script:}" ;;
replay:*) replay "${piece#replay:}" ;;
examples) examples_check ;;
memcheck:unit) memcheck_unit ;;
memcheck:replay:*)
    what=${piece#memcheck:replay:}
    memcheck_replay "${what%%:*}" "${what#*:}"
    ;;
memcheck:golden:*) memcheck_golden "${piece#memcheck:golden:}" ;;
*) not_ok "run.sh: no piece named '$piece'" ;;
esac
echo "# piece $pass $fail $(($(date +%s) - started))"
