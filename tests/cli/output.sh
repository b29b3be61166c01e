# tests/cli/output.sh: the file named by -o: never one of the files a command reads (the journey,
# a module it imports, a template), however it is spelled; written through symbolic links, which
# stay links (sourced by tests/run.sh; files in $T).

cjm_abs=$(cd "$(dirname "$CJM")" && pwd)/$(basename "$CJM")
D="$T/out"
mkdir -p "$D/lib"
cat >"$D/x.journey" <<'EOF'
journey "Output files" { cohort 200 seed 1 }

import "lib/shop"

stage Visit { touchpoint Ad { channel search reach 50% } -> Buy 40% -> churn otherwise "left" }
stage Buy goal { touchpoint Till { channel counter } }

scenario More "More buy" {
  extend stage Visit { -> Buy 50% }
}
EOF
printf '// lib/shop: a channel of its own.\nimport "base"\nchannel counter "Shop counter"\n' >"$D/lib/shop.journey"
printf '// lib/base: the standard catalogue of channels.\nimport "std/channels"\n' >"$D/lib/base.journey"
for f in x.journey lib/shop.journey lib/base.journey; do cp "$D/$f" "$D/$f.orig"; done
ln -s x.journey "$D/link.journey"
ln -s link.journey "$D/link2.journey"
ln "$D/x.journey" "$D/hard.journey"
# The standard library this cjm reads (the last folder an import that is nowhere was looked in),
# and links to its files: writing through such a link is what must be refused; an unfixed cjm
# replaces the link itself and leaves the library alone.
printf 'import "no-such-module"\n' >"$T/nomod.journey"
libdir=$("$CJM" check "$T/nomod.journey" 2>&1 | sed -n "s/.*note: looked in .*, '\([^']*\)'$/\1/p")
ln -s "$libdir/std/channels.journey" "$D/std-channels.link"
cp "$libdir/std/channels.journey" "$T/std-channels.orig"

# Runs `cjm ARGS...` in the journey's folder, like a user who typed `cjm run x.journey -o ...` there.
in_dir() {
    run sh -c 'cd "$1" && shift && exec "$@"' sh "$D" "$cjm_abs" "$@"
}

# Whether the journey, its modules and the standard module are as they were; puts them back if not.
inputs_untouched() {
    untouched=true
    for f in x.journey lib/shop.journey lib/base.journey; do
        if [ -L "$D/$f" ] || ! cmp -s "$D/$f" "$D/$f.orig"; then
            untouched=false
            rm -f "$D/$f"
            cp "$D/$f.orig" "$D/$f"
        fi
    done
    if ! cmp -s "$libdir/std/channels.journey" "$T/std-channels.orig"; then
        untouched=false
        cp "$T/std-channels.orig" "$libdir/std/channels.journey"
    fi
    $untouched
}

# ---- -o naming a file the command reads: bad usage, nothing written ----
refused() { # cmd what-it-is expected-message -o-argument
    cmd=$1
    what=$2
    pattern=$3
    shift 3
    in_dir "$cmd" -q --cohort 200 x.journey -o "$@"
    expect_status "$cmd -o $what: exit 2" 2
    expect_err "$cmd -o $what: says so" "$pattern"
    if inputs_untouched; then ok "$cmd -o $what: the journey and its modules are untouched"
    else not_ok "$cmd -o $what: the journey and its modules are untouched"; fi
    if [ -z "$(find "$D" -name '.*tmp*')" ]; then ok "$cmd -o $what: no temporary file"
    else not_ok "$cmd -o $what: no temporary file" "$(find "$D" -name '.*tmp*')"; fi
}
re_escape() { printf '%s' "$1" | sed 's/[].[\\*^$()+?{}|]/\\&/g'; }
for cmd in run graph report compare; do
    for o in x.journey ./x.journey "$D/x.journey" lib/../x.journey link.journey link2.journey hard.journey; do
        case $o in
        link.journey) what="a symbolic link to the journey" ;;
        link2.journey) what="a link to a link to the journey" ;;
        hard.journey) what="a hard link to the journey" ;;
        *) what="the journey as $o" ;;
        esac
        refused "$cmd" "$what" \
            "^cjm $cmd: -o $(re_escape "$o") is the journey being read \(x\.journey\); choose another output file$" "$o"
    done
    refused "$cmd" "an imported module" \
        "^cjm $cmd: -o lib/shop\.journey is the module \"lib/shop\" imported by x\.journey:3; choose another output file$" \
        lib/shop.journey
    refused "$cmd" "a module imported by a module" \
        "^cjm $cmd: -o lib/base\.journey is the module \"base\" imported by lib/shop\.journey:2; choose another output file$" \
        lib/base.journey
    refused "$cmd" "a link to a standard module" \
        "^cjm $cmd: -o std-channels\.link is the module \"std/channels\" imported by lib/base\.journey:2; choose another output file$" \
        std-channels.link
done
# --output=FILE is -o.
in_dir run -q --output=x.journey x.journey
expect_status "run --output=the journey: exit 2" 2
if inputs_untouched; then ok "run --output=the journey: the journey is untouched"
else not_ok "run --output=the journey: the journey is untouched"; fi
# The journey read from standard input, redirected from the output file.
run sh -c 'cd "$1" && exec "$2" run -q - -o x.journey <x.journey' sh "$D" "$cjm_abs"
expect_status "run - -o the file standard input reads: exit 2" 2
expect_err "run - -o the file standard input reads: says so" "is the journey being read \(standard input\)"
if inputs_untouched; then ok "run - -o the file standard input reads: the journey is untouched"
else not_ok "run - -o the file standard input reads: the journey is untouched"; fi
# A journey with syntax errors is refused as well (its errors are shown first).
printf 'stage A {\n  -> B 30%%%%\n}\n' >"$D/broken.journey"
cp "$D/broken.journey" "$D/broken.orig"
in_dir run -q broken.journey -o broken.journey
expect_status "run -o a broken journey: exit 2" 2
check "run -o a broken journey: the journey is untouched" cmp "$D/broken.journey" "$D/broken.orig"

# cjm new --force FILE, where FILE is (a link to) the template it reads.
cp "$libdir/templates/minimal.journey" "$T/template.orig"
ln -s "$libdir/templates/minimal.journey" "$T/tpl.journey"
run "$CJM" new --force --template minimal "$T/tpl.journey"
expect_status "new --force the template being read: exit 2" 2
expect_err "new --force the template being read: says so" "tpl\.journey' is the template being read \(minimal\); choose another file"
if [ -L "$T/tpl.journey" ] && cmp -s "$libdir/templates/minimal.journey" "$T/template.orig"; then
    ok "new --force the template being read: the template and the link to it are untouched"
else
    not_ok "new --force the template being read: the template and the link to it are untouched"
    cmp -s "$libdir/templates/minimal.journey" "$T/template.orig" || cp "$T/template.orig" "$libdir/templates/minimal.journey"
fi

# Output files that are not inputs are still written, and /dev/null in place.
in_dir run -q x.journey -o report.txt
expect_status "run -o another file: exit 0" 0
check "run -o another file: written" grep -q "Output files" "$D/report.txt"
in_dir run -q x.journey -o /dev/null
expect_status "run -o /dev/null: exit 0" 0
if [ -c /dev/null ]; then ok "/dev/null is still a device"; else not_ok "/dev/null is still a device"; fi

# ---- -o a symbolic link to an output file: the target is written, the link stays ----
mkdir -p "$D/reports"
echo "old report" >"$D/reports/r.txt"
ln -s reports/r.txt "$D/r.link"
in_dir run -q x.journey -o r.link
expect_status "run -o LINK: exit 0" 0
if [ -L "$D/r.link" ]; then ok "run -o LINK: the link is still a link"; else not_ok "run -o LINK: the link is still a link"; fi
check "run -o LINK: the link's target is written" grep -q "Output files" "$D/reports/r.txt"
if [ -z "$(find "$D" -name '.*tmp*')" ]; then ok "run -o LINK: no temporary file"
else not_ok "run -o LINK: no temporary file" "$(find "$D" -name '.*tmp*')"; fi
# A chain of two links, the second one relative to its own folder.
echo "old report" >"$D/reports/c.txt"
ln -s c.txt "$D/reports/c.link"
ln -s reports/c.link "$D/chain.link"
in_dir graph --static -T dot x.journey -o chain.link
expect_status "graph -o LINK -> LINK -> FILE: exit 0" 0
if [ -L "$D/chain.link" ] && [ -L "$D/reports/c.link" ]; then ok "graph -o a chain of links: both stay links"
else not_ok "graph -o a chain of links: both stay links" "$(ls -l "$D" "$D/reports")"; fi
check "graph -o a chain of links: the last target is written" grep -q "digraph" "$D/reports/c.txt"
# A link with an absolute target.
echo "old report" >"$D/reports/a.txt"
ln -s "$D/reports/a.txt" "$D/abs.link"
in_dir compare -q --cohort 200 x.journey -o abs.link
expect_status "compare -o a link with an absolute target: exit 0" 0
if [ -L "$D/abs.link" ] && grep -q "More buy" "$D/reports/a.txt"; then ok "compare -o a link with an absolute target: written through"
else not_ok "compare -o a link with an absolute target: written through" "$(ls -l "$D")"; fi
# A dangling link: its target is created when its folder exists.
ln -s reports/new.txt "$D/dangling.link"
in_dir run -q x.journey -o dangling.link
expect_status "run -o a dangling link: exit 0" 0
if [ -L "$D/dangling.link" ] && grep -q "Output files" "$D/reports/new.txt"; then ok "run -o a dangling link creates its target"
else not_ok "run -o a dangling link creates its target" "$(ls -l "$D" "$D/reports")"; fi
ln -s no/such/folder/r.txt "$D/nowhere.link"
in_dir run -q x.journey -o nowhere.link
expect_status "run -o a link into a missing folder: exit 3" 3
expect_err "run -o a link into a missing folder: names the target" \
    "cannot create a temporary file for 'nowhere\.link' \(a symbolic link to 'no/such/folder/r\.txt'\)"
# A cycle of links.
ln -s loop2.link "$D/loop1.link"
ln -s loop1.link "$D/loop2.link"
in_dir run -q x.journey -o loop1.link
expect_status "run -o a cycle of links: exit 3" 3
expect_err "run -o a cycle of links: says so" "cannot follow the symbolic link 'loop1\.link'"
if [ -L "$D/loop1.link" ] && [ -L "$D/loop2.link" ]; then ok "run -o a cycle of links: the links are untouched"
else not_ok "run -o a cycle of links: the links are untouched"; fi
# A link to /dev/null: written in place, still a link to the device.
ln -s /dev/null "$D/null.link"
in_dir run -q x.journey -o null.link
expect_status "run -o a link to /dev/null: exit 0" 0
if [ -L "$D/null.link" ] && [ -c /dev/null ]; then ok "run -o a link to /dev/null: both are kept"
else not_ok "run -o a link to /dev/null: both are kept"; fi
if [ -z "$(find "$D" -name '.*tmp*')" ]; then ok "output through links: no temporary file"
else not_ok "output through links: no temporary file" "$(find "$D" -name '.*tmp*')"; fi
