#!/bin/sh
# demo.sh: what `make demo` shows: the main example checked, simulated and drawn, with each
# command printed before it runs. Commands that do not exist yet in this build are skipped.
set -eu
cjm=build/cjm
example=examples/reference.journey
mkdir -p build/demo

say() { printf '\n$ %s\n' "$*"; }
has() { "$cjm" help "$1" >/dev/null 2>&1; }

say cjm check "$example"
"$cjm" check "$example"

if has run; then
    say cjm run "$example"
    "$cjm" run "$example"
fi
if has graph; then
    say cjm graph "$example" -o build/demo/reference-flow.svg
    "$cjm" graph -q "$example" -o build/demo/reference-flow.svg
    say cjm graph --view map "$example" -o build/demo/reference-map.svg
    "$cjm" graph -q --view map "$example" -o build/demo/reference-map.svg
    echo
    echo "wrote build/demo/reference-flow.svg and build/demo/reference-map.svg (open them in a browser)"
fi
