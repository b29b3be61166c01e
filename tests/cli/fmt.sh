# tests/cli/fmt.sh: `cjm fmt` (sourced by tests/run.sh; files in $T). The layout itself is in the
# golden tests of tests/fmt/; here: idempotence and meaning on every journey of the repository,
# and the command line (--check, -w, -, errors).

has_run=false
"$CJM" help run >/dev/null 2>&1 && has_run=true
has_graph=false
"$CJM" help graph >/dev/null 2>&1 && has_graph=true
case $CJM in /*) cjm_abs=$CJM ;; *) cjm_abs=$(pwd)/$CJM ;; esac

# Every journey of the repository is formatted in a copy of its folder (so that relative imports,
# titles taken from file names and paths in messages stay the same), then the copy is compared
# with the original: from the root of each copy, the same relative paths.
dirs="examples stdlib/std stdlib/templates $(ls -d tests/*/)"
mkdir -p "$T/fmt/a" "$T/fmt/b"
for d in $dirs; do
    mkdir -p "$T/fmt/a/$d" "$T/fmt/b/$d"
    cp -R "$d/." "$T/fmt/a/$d"
    cp -R "$d/." "$T/fmt/b/$d"
done

# What a check says, places left out: what must not change when only the layout does.
check_digest() { # root file
    (cd "$1" && "$cjm_abs" --color=never check "$2" >"$T/fmt/digest" 2>&1; echo "exit $?")
    sed -n -e 's/^[^ ]*: ok: /ok: /p' -e 's/^.*:[0-9]*:[0-9]*: \(error\|warning\|note\): /\1: /p' \
        -e '/generated\.$/p' -e 's/^cjm: //p' "$T/fmt/digest"
}
# A report, its places left out (the line of a run-time warning may move).
run_digest() { # root file
    (cd "$1" && "$cjm_abs" run -q --format json --cohort 2000 --seed 1 "$2" 2>&1) |
        sed 's/\("where": "[^"]*\):[0-9]*:[0-9]*"/\1"/'
}
# A graph without blanks: its arrow labels quote the probabilities as written.
graph_digest() { # root file
    (cd "$1" && "$cjm_abs" graph -q --static -T dot "$2" 2>/dev/null) | tr -d ' \t\n'
}

for f in examples/*.journey stdlib/std/*.journey stdlib/templates/*.journey tests/*/*.journey; do
    a="$T/fmt/a/$f" b="$T/fmt/b/$f"
    "$CJM" --color=never fmt -w "$b" >/dev/null 2>"$T/fmt/err"
    status=$?
    if [ $status -eq 1 ]; then
        # Refused: only a file with syntax errors, which check refuses too; left as it was.
        "$CJM" check "$f" >/dev/null 2>&1
        if [ $? -eq 1 ] && grep -q 'fix its syntax errors first' "$T/fmt/err" && cmp -s "$a" "$b"; then
            ok "fmt: $f: refused, like check, and left as it was"
        else
            not_ok "fmt: $f: refused but checks" "$(cat "$T/fmt/err")"
        fi
        continue
    elif [ $status -ne 0 ]; then
        not_ok "fmt: $f: exit $status" "$(cat "$T/fmt/err")"
        continue
    fi
    "$CJM" fmt "$b" >"$T/fmt/twice" 2>&1
    if cmp -s "$b" "$T/fmt/twice"; then ok "fmt: $f: formatting twice changes nothing"
    else not_ok "fmt: $f: not idempotent" "$(diff "$b" "$T/fmt/twice" | head -n 20)"; fi
    # Only blanks and line ends change (and a byte order mark goes).
    if [ "$(sed '1s/^\xEF\xBB\xBF//' "$a" | tr -d ' \t\r\n')" = "$(tr -d ' \t\r\n' <"$b")" ]; then
        ok "fmt: $f: only blanks and line ends change"
    else
        not_ok "fmt: $f: changed more than blanks"
    fi
    if [ "$(check_digest "$T/fmt/a" "$f")" = "$(check_digest "$T/fmt/b" "$f")" ]; then ok "fmt: $f: checks the same"
    else not_ok "fmt: $f: checks differently" "$(check_digest "$T/fmt/b" "$f" | head -n 10)"; fi
    "$CJM" check -q "$f" >/dev/null 2>&1 || continue
    if $has_graph; then
        if [ "$(graph_digest "$T/fmt/a" "$f")" = "$(graph_digest "$T/fmt/b" "$f")" ]; then ok "fmt: $f: draws the same graph"
        else not_ok "fmt: $f: draws a different graph"; fi
    fi
    if $has_run; then
        if [ "$(run_digest "$T/fmt/a" "$f")" = "$(run_digest "$T/fmt/b" "$f")" ]; then ok "fmt: $f: runs to the same report"
        else not_ok "fmt: $f: runs to a different report" "$(run_digest "$T/fmt/b" "$f" | head -n 5)"; fi
    fi
done

# The repository's own journeys are formatted, except examples/reference.journey, which is kept
# exactly as the design reference (../shared/design/reference.journey) writes it.
run "$CJM" fmt --check $(ls examples/*.journey | grep -v '/reference.journey$') stdlib/std/*.journey stdlib/templates/*.journey
expect_status "fmt: examples and the standard library are formatted" 0
if [ ! -s "$tmp/out" ]; then ok "fmt --check prints nothing when all is formatted"; else not_ok "fmt --check output" "$(out)"; fi

# --check lists the files that are not formatted, and exits 1.
printf 'stage A goal {-> churn}\n' >"$T/messy.journey"
cp examples/cafe.journey "$T/tidy.journey"
run "$CJM" fmt --check "$T/tidy.journey" "$T/messy.journey"
expect_status "fmt --check: an unformatted file exits 1" 1
if [ "$(out)" = "$T/messy.journey" ]; then ok "fmt --check lists only the unformatted file"; else not_ok "fmt --check lists" "$(out)"; fi
if cmp -s examples/cafe.journey "$T/tidy.journey" && [ "$(cat "$T/messy.journey")" = 'stage A goal {-> churn}' ]; then
    ok "fmt --check changes no file"
else
    not_ok "fmt --check changed a file"
fi

# -w rewrites in place, atomically, only the files that change.
printf 'stage A goal {\n-> churn }\n' >"$T/messy2.journey"
touch -d '2001-01-01' "$T/tidy.journey"
run "$CJM" fmt -w "$T/messy2.journey" "$T/tidy.journey"
expect_status "fmt -w exits 0" 0
if [ ! -s "$tmp/out" ]; then ok "fmt -w prints nothing"; else not_ok "fmt -w prints nothing" "$(out)"; fi
if [ "$(cat "$T/messy2.journey")" = "$(printf 'stage A goal {\n  -> churn\n}')" ]; then ok "fmt -w rewrites the file"
else not_ok "fmt -w rewrites the file" "$(cat "$T/messy2.journey")"; fi
if [ -z "$(find "$T/tidy.journey" -newer "$T/messy.journey")" ]; then ok "fmt -w leaves formatted files untouched"
else not_ok "fmt -w touched a formatted file"; fi
if [ -z "$(find "$T" -maxdepth 1 -name '.*tmp*')" ]; then ok "fmt -w leaves no temporary file"; else not_ok "fmt -w left a temporary file"; fi
run "$CJM" fmt --check "$T/messy2.journey"
expect_status "fmt -w result passes --check" 0
# Through a symbolic link to its target; the file's permissions are kept.
mkdir -p "$T/target"
printf 'stage A goal {\n-> churn }\n' >"$T/target/real.journey"
chmod 640 "$T/target/real.journey"
ln -s target/real.journey "$T/link.journey"
run "$CJM" fmt -w "$T/link.journey"
expect_status "fmt -w through a symbolic link" 0
if [ -L "$T/link.journey" ] && grep -q '^  -> churn$' "$T/target/real.journey"; then ok "fmt -w rewrites a link's target and keeps the link"
else not_ok "fmt -w through a symbolic link"; fi
if [ "$(stat -c %a "$T/target/real.journey")" = 640 ]; then ok "fmt -w keeps the file's permissions"
else not_ok "fmt -w keeps the file's permissions" "$(stat -c %a "$T/target/real.journey")"; fi

# Standard input; -w cannot rewrite it.
run sh -c "printf 'journey \"x\"{cohort 1}' | \"$CJM\" fmt -"
expect_status "fmt - reads standard input" 0
expect_out "fmt - prints the result" '^journey "x" \{ cohort 1 \}$'
run "$CJM" fmt -w -
expect_status "fmt -w - is bad usage" 2

# Errors: syntax errors change nothing; missing files; usage.
printf 'stage A {\n  -> B 30%%%%\n}\n' >"$T/broken.journey"
cp "$T/broken.journey" "$T/broken.orig"
run "$CJM" fmt -w "$T/broken.journey"
expect_status "fmt: syntax errors exit 1" 1
expect_err "fmt: syntax errors are reported like check's" "broken.journey:2:11: error: unexpected character '%'"
if cmp -s "$T/broken.journey" "$T/broken.orig"; then ok "fmt -w leaves a broken file as it is"; else not_ok "fmt -w changed a broken file"; fi
if [ ! -s "$tmp/out" ]; then ok "fmt: nothing on standard output for a broken file"; else not_ok "fmt: output for a broken file" "$(out)"; fi
run "$CJM" fmt "$T/missing.journey" "$T/broken.journey"
expect_status "fmt: a missing file exits 3 (the worst wins)" 3
expect_err "fmt: a missing file is named" "cannot read '.*missing.journey'"
run "$CJM" fmt
expect_status "fmt without a file is bad usage" 2
run "$CJM" fmt --frobnicate x.journey
expect_status "fmt: an unknown option is bad usage" 2
run "$CJM" fmt --help
expect_status "fmt --help exits 0" 0
expect_out "fmt --help shows the usage" '^Usage: cjm fmt'
if [ "$(id -u)" != 0 ]; then
    mkdir -p "$T/ro"
    cp "$T/messy.journey" "$T/ro/ro.journey"
    chmod 555 "$T/ro"
    run "$CJM" fmt -w "$T/ro/ro.journey"
    expect_status "fmt -w: an unwritable folder exits 3" 3
    chmod 755 "$T/ro"
fi

# The before-and-after example of docs/cli.md is what cjm fmt does.
awk '/^Before and after:/ { f = 1; next } f && /^```/ { n++; next } f && n == 1 { print > "'"$T"'/doc-before.journey" } f && n == 3 { print > "'"$T"'/doc-after.journey" } n >= 4 { exit }' docs/cli.md
"$CJM" fmt "$T/doc-before.journey" >"$T/doc-formatted" 2>&1
if [ -s "$T/doc-after.journey" ] && cmp -s "$T/doc-formatted" "$T/doc-after.journey"; then ok "fmt: the example of docs/cli.md is right"
else not_ok "fmt: the example of docs/cli.md" "$(diff "$T/doc-after.journey" "$T/doc-formatted")"; fi

# Whether a file "looks binary" does not depend on its blanks: a file with a few bad bytes in a
# comment that checks and formats keeps doing so when the formatter takes its blanks away (a
# fuzzer found a file that cjm fmt refused with "would change its tokens").
{
    printf 'journey "x" {\n  cohort 40000'
    printf '%40s' ''
    printf '// bad bytes \377\377\377\275\275\275x\000\n}\n'
} >"$T/near-binary.journey"
run "$CJM" fmt "$T/near-binary.journey"
expect_status "fmt: a comment with bad bytes formats" 0
expect_no_err "fmt: a comment with bad bytes formats with no message"
printf 'journey "x" {\n  cohort 1 // \001\002\003\004\005\006\007\010\n}\n' >"$T/binary.journey"
run "$CJM" fmt "$T/binary.journey"
expect_status "fmt: a file that looks binary is refused" 1
expect_err "fmt: a file that looks binary is named so" "looks binary"
