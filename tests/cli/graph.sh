# tests/cli/graph.sh: `cjm graph` (sourced by tests/run.sh; files in $T).

# Every example renders in every format and view.
for f in examples/*.journey; do
    name=$(basename "$f" .journey)
    for view in flow map; do
        for fmt in svg png pdf dot; do
            run "$CJM" graph --static --view "$view" -T "$fmt" -o "$T/$name-$view.$fmt" "$f"
            expect_status "graph: $name $view $fmt renders" 0
        done
        if xmllint --noout "$T/$name-$view.svg" 2>"$tmp/xml"; then ok "graph: $name $view SVG is well-formed XML"; else not_ok "graph: $name $view SVG is well-formed XML" "$(cat "$tmp/xml")"; fi
        magic=$(head -c 4 "$T/$name-$view.png" | od -An -c | tr -d ' ')
        if [ "$magic" = '211PNG' ]; then ok "graph: $name $view PNG starts with its magic bytes"; else not_ok "graph: $name $view PNG magic" "$magic"; fi
        if [ "$(head -c 5 "$T/$name-$view.pdf")" = "%PDF-" ]; then ok "graph: $name $view PDF starts with %PDF-"; else not_ok "graph: $name $view PDF magic"; fi
    done
    # The SVG of the flow view names every stage.
    missing=""
    for stage in $(grep -oE '^(extend )?stage [A-Za-z_][A-Za-z0-9_]*' "$f" | awk '{print $NF}'); do
        grep -q ">$stage<" "$T/$name-flow.svg" || missing="$missing $stage"
    done
    if [ -z "$missing" ]; then ok "graph: $name SVG shows every stage"; else not_ok "graph: $name SVG lacks stages:$missing"; fi
done

# Escaping: the SVG of a journey full of < & " and non-ASCII text is well-formed and shows them.
run "$CJM" graph --static -o "$T/esc.svg" tests/graph/escaping.journey
expect_status "graph: escaping journey renders" 0
if xmllint --noout "$T/esc.svg" 2>/dev/null; then ok "graph: escaped SVG is well-formed"; else not_ok "graph: escaped SVG is well-formed"; fi
if grep -q 'Café &lt;au lait&gt; &amp; &quot;crème&quot;' "$T/esc.svg"; then ok "graph: labels are escaped, not interpreted"; else not_ok "graph: labels are escaped" "$(grep -o 'Caf[^<]*' "$T/esc.svg" | head -3)"; fi

# The format follows -o's extension; -T wins; standard output without -o.
run "$CJM" graph --static -o "$T/ext.pdf" examples/reference.journey
if [ "$(head -c 5 "$T/ext.pdf")" = "%PDF-" ]; then ok "graph: -o x.pdf writes PDF"; else not_ok "graph: -o x.pdf writes PDF"; fi
run "$CJM" graph --static examples/reference.journey
expect_out "graph: SVG on standard output by default" '^<svg|<\?xml'
run "$CJM" graph --static -T dot examples/reference.journey
expect_out "graph: -T dot writes the dot source" '^digraph journey'

# Errors: usage (2), journey errors with no output file (1), unwritable output (3).
run "$CJM" graph --static -T gif examples/reference.journey
expect_status "graph: unknown format is bad usage" 2
run "$CJM" graph --static --view wheel examples/reference.journey
expect_status "graph: unknown view is bad usage" 2
run "$CJM" graph --static --persona Nobody examples/reference.journey
expect_status "graph: unknown persona is bad usage" 2
run "$CJM" graph --static --persona Student -o "$T/student.svg" examples/reference.journey
expect_status "graph: --persona draws one persona" 0
run "$CJM" graph --static -o "$T/broken.svg" tests/check/arrows-over.journey
expect_status "graph: a broken journey fails like check" 1
expect_err "graph: a broken journey gets the checker's diagnostics" 'arrows-over.journey:2:7: error'
if [ ! -e "$T/broken.svg" ]; then ok "graph: a broken journey leaves no output file"; else not_ok "graph: a broken journey leaves no output file"; fi
run "$CJM" graph --static -o /dev/full examples/reference.journey
expect_status "graph: a full disk is an I/O error" 3
expect_err "graph: a full disk is reported" "cannot write '/dev/full': No space left on device"
mkdir -p "$T/nodir"
run "$CJM" graph --static -o "$T/nodir/missing/x.svg" examples/reference.journey
expect_status "graph: a missing folder is an I/O error" 3
if [ -z "$(ls -A "$T/nodir")" ]; then ok "graph: no temporary file is left behind"; else not_ok "graph: no temporary file is left behind" "$(ls -A "$T/nodir")"; fi

# A large journey (200 stages, per-stage churn) lays out in a few seconds.
awk 'BEGIN { for (i = 0; i < 200; i++) printf "stage S%d %s{ touchpoint T%d { reach 50%% } -> S%d 70%% -> S%d 10%% -> churn otherwise \"lost at %d\" }\n", i, i == 199 ? "goal " : "", i, (i + 1) % 200, (i + 7) % 200, i }' >"$T/big.journey"
start=$(date +%s)
run "$CJM" graph --static -o "$T/big.svg" "$T/big.journey"
elapsed=$(( $(date +%s) - start ))
expect_status "graph: a 200-stage journey renders" 0
if [ "$elapsed" -le 10 ]; then ok "graph: a 200-stage journey lays out in ${elapsed}s"; else not_ok "graph: a 200-stage journey took ${elapsed}s"; fi
