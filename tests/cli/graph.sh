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
# Empty labels, reasons, pains: a layout Graphviz accepts, with and without a run.
for view in flow map; do
    for how in --static --cohort=200; do
        run "$CJM" graph "$how" --view "$view" -o "$T/empty.svg" tests/graph/empty-labels.journey
        expect_status "graph: empty strings lay out ($view, $how)" 0
    done
done
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

# A large journey (200 stages, per-stage churn) renders: a correct picture, not a time (how long
# it takes is measured by make bench, never by the suite, whose timings vary with the load).
awk 'BEGIN { for (i = 0; i < 200; i++) printf "stage S%d %s{ touchpoint T%d { reach 50%% } -> S%d 70%% -> S%d 10%% -> churn otherwise \"lost at %d\" }\n", i, i == 199 ? "goal " : "", i, (i + 1) % 200, (i + 7) % 200, i }' >"$T/big.journey"
run "$CJM" graph --static -o "$T/big.svg" "$T/big.journey"
expect_status "graph: a 200-stage journey renders" 0
if [ "$(grep -c 'class="node"' "$T/big.svg")" -ge 200 ]; then ok "graph: the 200-stage picture has every stage"; else not_ok "graph: the 200-stage picture has every stage"; fi

# The picture of a run shows the numbers of `cjm run` with the same options.
run "$CJM" graph --cohort 2000 --seed 3 --threads 2 -T svg -o "$T/sim.svg" examples/reference.journey
expect_status "graph: simulated flow renders" 0
if grep -q '2,000 prospects simulated (seed 3)' "$T/sim.svg"; then ok "graph: the title names the cohort and seed"; else not_ok "graph: the title names the cohort and seed"; fi
if grep -q 'converted [0-9.]*% · lost before converting [0-9.]*% · customer churn [0-9.]*% · CAC [0-9.]* · LTV [0-9.]*' "$T/sim.svg"
then ok "graph: the title gives the headline under the reports' names"
else not_ok "graph: the title gives the headline under the reports' names"; fi
"$CJM" run --cohort 2000 --seed 3 --format csv examples/reference.journey >"$T/sim.csv"
missing=""
while IFS=, read -r stage label goal reached rest; do
    [ "$stage" = stage ] && continue
    shown=$(printf '%s' "$reached" | awk '{ n = sprintf("%d", $1); out = ""; while (length(n) > 3) { out = "," substr(n, length(n) - 2) out; n = substr(n, 1, length(n) - 3) } print n out }')
    grep -q ">$shown reached" "$T/sim.svg" || missing="$missing $stage($shown)"
done <"$T/sim.csv"
if [ -z "$missing" ]; then ok "graph: every stage shows the customers cjm run reports"; else not_ok "graph: stages whose count differs from cjm run:$missing"; fi
run "$CJM" graph --cohort 2000 --seed 3 --view map -T svg -o "$T/simmap.svg" examples/reference.journey
expect_status "graph: simulated map renders" 0
# Consideration's customers as cjm run counts them (the CSV above), as the map writes them.
shown=$(awk -F, '$1 == "Consideration" {
    n = $4
    if (n >= 1000) c = sprintf("%d,%03d", int(n / 1000), n % 1000); else c = sprintf("%d", n)
    printf "%s (%.1f%%)", c, 100 * n / 2000 }' "$T/sim.csv")
if grep -q "reached $shown" "$T/simmap.svg"; then ok "graph: the map shows the run's figures"; else not_ok "graph: the map shows the run's figures: reached $shown" "$(grep -o 'reached [0-9,]* ([0-9.]*%)' "$T/simmap.svg" | head -3)"; fi

# The flow graph's arrow figures are the shares of `cjm run` (of the stage's exits), and a stage
# shows the entries the horizon cut.
run "$CJM" run --cohort 2000 --seed 3 tests/run/shares.journey
took=$(awk '$1 == "A" && $2 == "->" && $3 == "A" { print $4 }' "$tmp/out")
share=$(awk '$1 == "A" && $2 == "->" && $3 == "A" { print $5 }' "$tmp/out")
still=$(awk '/\(still in the stage at the horizon\)/ { print $8 " still here at the horizon (" $9 " of entries)" }' "$tmp/out")
run "$CJM" graph --cohort 2000 --seed 3 -T svg -o "$T/shares.svg" tests/graph/shares.journey
if [ -n "$share" ] && grep -q "$took ($share)" "$T/shares.svg"; then ok "graph: an arrow shows the share cjm run reports ($took, $share)"
else not_ok "graph: an arrow shows the share cjm run reports" "run: '$took ($share)'; graph: $(grep -o '[0-9,]* ([0-9.]*%)' "$T/shares.svg" | head -4)"; fi
if [ -n "$took" ] && grep -qF "$still" "$T/shares.svg"; then ok "graph: a stage shows the entries still in it at the horizon ($still)"
else not_ok "graph: a stage shows the entries still in it at the horizon" "run: '$still'"; fi

# The journey map's emotion row is a curve: each stage's mood is a marker at its exact height
# (declared -0.10 and simulated +0.10 are 0.2 apart on a scale of 161 pt for 2 points, so 16.1 pt),
# each series is joined by a line, and the curve's reason is shown.
run "$CJM" graph --view map --cohort 500 --seed 2 -o "$T/curve.svg" tests/graph/map-curve.journey
expect_status "graph: the map with a curve renders" 0
marker_y() { # node-name: the cy of the node's marker in $T/curve.svg
    awk -v id="$1" '/<title>/ { t = $0; sub(/.*<title>/, "", t); sub(/<\/title>.*/, "", t) }
        /<ellipse/ && t == id { match($0, /cy="[-0-9.]+"/); print substr($0, RSTART + 4, RLENGTH - 5); exit }' "$T/curve.svg"
}
d=$(marker_y decl0)
s=$(marker_y sim0)
if [ -n "$d" ] && [ -n "$s" ] && awk -v d="$d" -v s="$s" 'BEGIN { exit !(d - s > 15.8 && d - s < 16.4) }'; then
    ok "graph: the map draws declared -0.10 and simulated +0.10 apart, at their values"
else not_ok "graph: the map draws declared -0.10 and simulated +0.10 apart, at their values" "declared y '$d', simulated y '$s'"; fi
if grep -q '<title>decl0&#45;&gt;decl1</title>' "$T/curve.svg" && grep -q '<title>sim0&#45;&gt;sim1</title>' "$T/curve.svg"; then
    ok "graph: each series of the map's curve is a line"
else not_ok "graph: each series of the map's curve is a line"; fi
if grep -q 'Worried about the price' "$T/curve.svg" && grep -q 'Thoughts and feelings' "$T/curve.svg"; then ok "graph: the map shows the curve's reasons"
else not_ok "graph: the map shows the curve's reasons"; fi
for fmt in png pdf; do
    run "$CJM" graph --view map --cohort 500 --seed 2 -o "$T/curve.$fmt" tests/graph/map-curve.journey
    expect_status "graph: the map with a curve renders as $fmt" 0
done
run "$CJM" graph --static --view map -o "$T/esc-map.svg" tests/graph/escaping.journey
if xmllint --noout "$T/esc-map.svg" 2>/dev/null && grep -q 'Café &lt;au lait&gt; &amp; &quot;crème&quot;' "$T/esc-map.svg"; then
    ok "graph: the escaped map is well-formed and shows the text"
else not_ok "graph: the escaped map is well-formed and shows the text"; fi
# The map's cells are sized by cjm from an estimate of their text: Graphviz (its dot program, when
# installed) finds no cell too small for its text in any example.
if command -v dot >/dev/null 2>&1; then
    small=""
    for f in examples/*.journey tests/graph/*.journey; do
        for how in --static --cohort=300; do
            "$CJM" graph -q "$how" --view map -T dot "$f" 2>/dev/null | dot -Tsvg -o /dev/null 2>"$tmp/dot"
            grep -q 'too small' "$tmp/dot" && small="$small $(basename "$f")($how)"
        done
    done
    if [ -z "$small" ]; then ok "graph: every map cell holds its text"; else not_ok "graph: map cells too small for their text:$small"; fi
else
    echo "SKIP graph: map cells against Graphviz's own measure (the dot program is not installed)"
fi

# --exact draws expected values; it refuses what cjm run --exact refuses.
printf 'stage A { -> B 60%% -> churn otherwise "lost" }\nstage B goal { -> churn "done" }\n' >"$T/markov.journey"
run "$CJM" graph --exact --cohort 1000 -T svg -o "$T/exact.svg" "$T/markov.journey"
expect_status "graph: --exact renders" 0
if grep -q 'exact analysis' "$T/exact.svg" && grep -q '>600 reached' "$T/exact.svg"; then ok "graph: --exact shows expected values"; else not_ok "graph: --exact shows expected values"; fi
run "$CJM" graph --exact -o "$T/refused.svg" examples/reference.journey
expect_status "graph: --exact on a journey with rules is refused" 1
if [ ! -e "$T/refused.svg" ]; then ok "graph: a refused --exact leaves no file"; else not_ok "graph: a refused --exact leaves no file"; fi

# Run options are checked as by cjm run.
run "$CJM" graph --cohort 0 examples/reference.journey
expect_status "graph: --cohort 0 is bad usage" 2
run "$CJM" graph --threads 0 examples/reference.journey
expect_status "graph: --threads 0 is bad usage" 2
run "$CJM" graph --horizon soon examples/reference.journey
expect_status "graph: a bad horizon is bad usage" 2
run "$CJM" graph --persona Studnet examples/reference.journey
expect_status "graph: an unknown persona is bad usage" 2
expect_err "graph: an unknown persona gets a suggestion" "did you mean 'Student'"
run "$CJM" graph --cohort 500 --persona Manager -T svg -o "$T/manager.svg" examples/reference.journey
if grep -q 'persona Manager' "$T/manager.svg"; then ok "graph: --persona names the persona in the title"; else not_ok "graph: --persona names the persona in the title"; fi

# Every example's simulated pictures render (a small cohort keeps the suite fast).
for f in examples/*.journey; do
    for view in flow map; do
        run "$CJM" graph -q --cohort 1000 --view "$view" -T svg -o "$T/run-$view.svg" "$f"
        expect_status "graph: $(basename "$f") simulated $view renders" 0
    done
done

# Without Graphviz's plugins (GVBINDIR points at an empty folder), a clear error and no file.
mkdir -p "$T/no-plugins"
GVBINDIR="$T/no-plugins" run "$CJM" graph --static -o "$T/no-plugins.svg" examples/reference.journey
expect_status "graph: without Graphviz plugins, an I/O-class failure" 3
expect_err "graph: a missing plugin is explained" "no Graphviz plugin loaded"
if [ ! -e "$T/no-plugins.svg" ]; then ok "graph: no file without plugins"; else not_ok "graph: no file without plugins"; fi

# A folder no one may create files in, even root (sysfs): exit 3 and a message naming the file.
run "$CJM" graph --static -o /sys/cjm-test.svg examples/reference.journey
expect_status "graph: a read-only folder is an I/O error" 3
expect_err "graph: a read-only folder is reported" "cannot create a temporary file for '/sys/cjm-test.svg'"
run "$CJM" run -q --cohort 100 -o /sys/cjm-test.json examples/reference.journey
expect_status "run: a read-only folder is an I/O error" 3

# ---- the progress bar is named after the command that runs (the runtime only reports progress) ----
# On a terminal (script gives it one), drawn from the start (CJM_PROGRESS_DELAY=0: the suite must
# not depend on how fast the machine is); none with -q.
if command -v script >/dev/null 2>&1 && [ -z "${MEMCHECK:-}" ]; then
    long="--cohort 1000000 --threads 1 -o '$T/long.svg' examples/ecommerce.journey"
    CJM_PROGRESS_DELAY=0 script -qec "'$CJM' graph $long" /dev/null >"$T/tty" 2>&1
    if grep -q 'cjm graph: \[=*>* *\] *[0-9]*%' "$T/tty" && ! grep -q 'cjm run:' "$T/tty" &&
        grep -q "$(printf '\r\033\\[K')" "$T/tty"; then
        ok "graph: the progress bar is labelled 'cjm graph', and erased at the end"
    else
        not_ok "graph: the progress bar is labelled 'cjm graph'" "$(cat -v "$T/tty" | head -c 400)"
    fi
    CJM_PROGRESS_DELAY=0 script -qec "'$CJM' graph -q $long" /dev/null >"$T/tty" 2>&1
    if ! grep -q 'cjm [a-z]*: \[' "$T/tty"; then ok "graph: no progress bar with -q"
    else not_ok "graph: no progress bar with -q" "$(cat -v "$T/tty" | head -c 400)"; fi
fi
