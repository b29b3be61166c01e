# tests/cli/install.sh: `make install` and `make uninstall` into a DESTDIR, the installed program
# run from another folder, and the man pages: lint, and every command and option documented
# (sourced by tests/run.sh; files in $T).

case $CJM in /*) cjm_abs=$CJM ;; *) cjm_abs=$(pwd)/$CJM ;; esac
# The build folder whose program is tested; CJM_BUILD names it when $CJM is a wrapper (make
# memcheck's runs cjm under valgrind: `make install B=<the wrapper's folder>` would build a program
# over the wrapper, and every later command would run without valgrind).
build=${CJM_BUILD:-$(dirname "$cjm_abs")}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
dest="$T/dest"
prefix=/usr/local

run make -s --no-print-directory B="$build" install DESTDIR="$dest" PREFIX="$prefix"
expect_status "install: make install DESTDIR=... succeeds" 0
missing=""
for f in bin/cjm share/cjm/stdlib/std/channels.journey share/cjm/stdlib/std/5-stage.journey \
    share/cjm/stdlib/templates/5-stage.journey share/man/man1/cjm.1 share/man/man5/journey.5 \
    share/vim/vimfiles/ftdetect/journey.vim share/vim/vimfiles/syntax/journey.vim \
    share/vim/vimfiles/ftplugin/journey.vim share/vim/vimfiles/indent/journey.vim \
    share/nvim/site/syntax/journey.vim share/bash-completion/completions/cjm share/zsh/site-functions/_cjm; do
    [ -f "$dest$prefix/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then ok "install: the program, library, man pages, Vim files and completion"; else not_ok "install: missing:$missing"; fi
[ -x "$dest$prefix/bin/cjm" ] && ok "install: the program is executable" || not_ok "install: the program is executable"

# The installed program, from another folder, on a journey that imports the standard library.
mkdir -p "$T/elsewhere"
cp examples/cafe.journey "$T/elsewhere/"
run sh -c "cd '$T/elsewhere' && CJM_PATH= '$dest$prefix/bin/cjm' check cafe.journey"
expect_status "install: the installed cjm finds the standard library from any folder" 0
expect_out "install: the installed cjm checks the journey" '^cafe.journey: ok: '
run sh -c "cd '$T/elsewhere' && '$dest$prefix/bin/cjm' new -t minimal fresh && '$dest$prefix/bin/cjm' check fresh.journey"
expect_status "install: the installed cjm new finds its templates" 0
if "$CJM" help run >/dev/null 2>&1; then
    run sh -c "cd '$T/elsewhere' && '$dest$prefix/bin/cjm' run -q --cohort 200 cafe.journey"
    expect_status "install: the installed cjm runs the journey" 0
fi
run "$dest$prefix/bin/cjm" --version
expect_out "install: --version names the build's git revision" '^cjm [0-9]+\.[0-9]+\.[0-9]+ \([^)]+\)$'

run make -s --no-print-directory B="$build" uninstall DESTDIR="$dest" PREFIX="$prefix"
expect_status "install: make uninstall succeeds" 0
left=$(find "$dest" -type f)
if [ -z "$left" ]; then ok "install: make uninstall removes every file"; else not_ok "install: uninstall left files" "$left"; fi

# ---- man pages ----
if ! command -v man >/dev/null 2>&1 || ! command -v groff >/dev/null 2>&1; then
    not_ok "man: man and groff are not installed (make deps installs man-db)"
else
    for page in man/cjm.1 man/journey.5; do
        LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" >"$T/page" 2>"$T/page.err"
        if [ $? -eq 0 ] && [ ! -s "$T/page.err" ] && [ -s "$T/page" ]; then ok "man: $page has no warnings (man --warnings)"
        else not_ok "man: $page warnings" "$(cat "$T/page.err")"; fi
    done
    # Every command and each of its options is in cjm(1).
    MANWIDTH=200 man -l man/cjm.1 2>/dev/null | sed 's/.\x08//g' >"$T/cjm.txt"
    missing=""
    for cmd in $("$CJM" --help | awk '/^Commands:/ { f = 1; next } /^$/ { f = 0 } f { print $1 }'); do
        grep -q "^ *$cmd\\b" "$T/cjm.txt" || missing="$missing $cmd"
        for opt in $("$CJM" help "$cmd" | grep -oE -- '(^|[ ,])--?[A-Za-z][-A-Za-z]*' | sed 's/^[ ,]*//' | sort -u); do
            grep -q -- "$opt\\b" "$T/cjm.txt" || missing="$missing $cmd:$opt"
        done
    done
    if [ -z "$missing" ]; then ok "man: cjm(1) documents every command and option of cjm help"; else not_ok "man: cjm(1) lacks:$missing"; fi
    for section in "EXIT STATUS" ENVIRONMENT EXAMPLES; do
        grep -q "^$section" "$T/cjm.txt" && ok "man: cjm(1) has $section" || not_ok "man: cjm(1) has $section"
    done
    # Every keyword of the language is in journey(5).
    MANWIDTH=200 man -l man/journey.5 2>/dev/null | sed 's/.\x08//g' >"$T/journey.txt"
    missing=""
    for kw in $(sed -n 's/^KW("\([a-z]*\)".*/\1/p' lang/keywords.def); do
        grep -qw -- "$kw" "$T/journey.txt" || missing="$missing $kw"
    done
    if [ -z "$missing" ]; then ok "man: journey(5) names every keyword"; else not_ok "man: journey(5) lacks:$missing"; fi
    # The example of journey(5) is a journey that checks.
    sed -n '/^EXAMPLES/,/^SEE ALSO/p' "$T/journey.txt" | sed '1d;$d' | sed 's/^       //' >"$T/example.journey"
    run "$CJM" check "$T/example.journey"
    expect_status "man: the example of journey(5) checks" 0
fi

# ---- command-line manners: every command has --help (the same text as `cjm help COMMAND`) ----
for cmd in $("$CJM" --help | awk '/^Commands:/ { f = 1; next } /^$/ { f = 0 } f { print $1 }'); do
    run "$CJM" "$cmd" --help
    if [ $status -eq 0 ] && head -n 1 "$tmp/out" | grep -q "^Usage: cjm $cmd" && [ ! -s "$tmp/err" ]; then
        ok "manners: cjm $cmd --help prints its usage on standard output"
    else
        not_ok "manners: cjm $cmd --help" "$(err)"
    fi
    "$CJM" help "$cmd" >"$T/help-$cmd" 2>&1
    if cmp -s "$T/help-$cmd" "$tmp/out"; then ok "manners: cjm help $cmd is cjm $cmd --help"; else not_ok "manners: cjm help $cmd differs"; fi
done

# ---- NO_COLOR: on a terminal (script(1) gives one), diagnostics are coloured unless it is set ----
if command -v script >/dev/null 2>&1; then
    for cmd in check fmt; do
        script -qec "env NO_COLOR= TERM=xterm '$cjm_abs' $cmd tests/fmt/syntax-error.journey" /dev/null >"$T/tty-color" 2>&1
        script -qec "env NO_COLOR=1 TERM=xterm '$cjm_abs' $cmd tests/fmt/syntax-error.journey" /dev/null >"$T/tty-nocolor" 2>&1
        if grep -q "$(printf '\033')" "$T/tty-color" && ! grep -q "$(printf '\033')" "$T/tty-nocolor"; then
            ok "manners: cjm $cmd colours a terminal, and not with NO_COLOR set"
        else
            not_ok "manners: cjm $cmd and NO_COLOR" "$(od -c "$T/tty-nocolor" | head -n 5)"
        fi
    done
fi
