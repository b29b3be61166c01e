# tests/cli/report.sh: `cjm report` (sourced by tests/run.sh; files in $T): options and exit codes,
# atomic output, a well-formed self-contained page, the figures equal to the JSON report's
# (tests/report/figures.js), and the page in a real browser (headless Chromium): no console error,
# a screenshot, and printing on A4 and Letter. The pages' text is pinned by the golden tests of
# tests/report/ (which valgrind checks too).

R=examples/reference.journey
D="--date 2024-05-01"

run "$CJM" help report
expect_status "report: help exits 0" 0
expect_out "report: help shows the usage" '^Usage: cjm report'
run "$CJM" report --help
expect_out "report: --help shows the usage" '^Usage: cjm report'
run "$CJM" --help
expect_out "report: cjm --help lists it" '^  report '

# ---- bad usage: exit 2, nothing written ----
bad_report() { # name stderr-pattern args...
    name=$1
    pattern=$2
    shift 2
    run "$CJM" report -o "$T/bad.html" "$@"
    expect_status "report: $name exits 2" 2
    expect_err "report: $name is explained" "$pattern"
    if [ ! -e "$T/bad.html" ]; then ok "report: $name writes nothing"; else not_ok "report: $name writes nothing"; rm -f "$T/bad.html"; fi
}
bad_report "--date 2024-13-01" "--date must be a day written YYYY-MM-DD, not '2024-13-01'" --date 2024-13-01 "$R"
bad_report "--date 2023-02-29" "--date must be a day" --date 2023-02-29 "$R"
bad_report "--date yesterday" "--date must be a day" --date yesterday "$R"
bad_report "--cohort 0" "--cohort must be a whole number" --cohort 0 "$R"
bad_report "--horizon soon" "--horizon must be a positive duration" --horizon soon "$R"
bad_report "an unknown option" "unknown option '--frobnicate'" --frobnicate "$R"
bad_report "no file" "no journey file given"
bad_report "two files" "give one journey file, not 2" "$R" "$R"
bad_report "an unknown persona" "unknown persona 'Studnet'; did you mean 'Student'" --persona Studnet "$R"
SOURCE_DATE_EPOCH=soon run "$CJM" report -o "$T/bad.html" "$R"
expect_status "report: a bad SOURCE_DATE_EPOCH exits 2" 2
expect_err "report: a bad SOURCE_DATE_EPOCH is explained" "SOURCE_DATE_EPOCH must be a number of seconds"

# ---- failures: 1 for the journey, 3 for input and output; never a file ----
run "$CJM" report $D -o "$T/missing.html" "$T/no-such.journey"
expect_status "report: a missing journey exits 3" 3
run "$CJM" report $D -o "$T/broken.html" tests/check/arrows-over.journey
expect_status "report: a journey with errors exits 1" 1
expect_err "report: a journey with errors gets the checker's diagnostics" 'arrows-over.journey:2:7: error'
if [ ! -e "$T/broken.html" ]; then ok "report: a broken journey leaves no file"; else not_ok "report: a broken journey leaves no file"; fi
run "$CJM" report $D --exact -o "$T/refused.html" "$R"
expect_status "report: a refused --exact exits 1" 1
if [ ! -e "$T/refused.html" ]; then ok "report: a refused --exact leaves no file"; else not_ok "report: a refused --exact leaves no file"; fi
# --exact leaves the touchpoints' removal effects out (they move nobody in a Markov journey), unless
# an arrow reads met() of a touchpoint of its stage
"$CJM" report $D -q --exact -o "$T/met.html" tests/compare/removal-met-exact.journey
if grep -q 'Removal effects of the touchpoints' "$T/met.html"; then ok "report: --exact shows the removal effects of touchpoints that met() reads"
else not_ok "report: --exact shows the removal effects of touchpoints that met() reads"; fi
"$CJM" report $D -q --exact -o "$T/nomet.html" tests/report/exact.journey
if ! grep -q 'Removal effects of the touchpoints' "$T/nomet.html"; then ok "report: --exact leaves out the removal effects of touchpoints no arrow reads"
else not_ok "report: --exact leaves out the removal effects of touchpoints no arrow reads"; fi
run "$CJM" report $D --no-graphs -o /dev/full "$R"
expect_status "report: a full disk exits 3" 3
expect_err "report: a full disk is reported" "cannot write '/dev/full': No space left on device"
mkdir -p "$T/ro"
run "$CJM" report $D --no-graphs -o "$T/ro/missing/r.html" "$R"
expect_status "report: a missing folder exits 3" 3
if [ -z "$(ls -A "$T/ro")" ]; then ok "report: no temporary file is left behind"; else not_ok "report: no temporary file is left behind" "$(ls -A "$T/ro")"; fi
echo "old" >"$T/kept.html"
run "$CJM" report $D -o "$T/kept.html" tests/check/arrows-over.journey
if [ "$(cat "$T/kept.html")" = old ]; then ok "report: a failed report keeps the old file"; else not_ok "report: a failed report keeps the old file"; fi
mkdir -p "$T/no-plugins"
GVBINDIR="$T/no-plugins" run "$CJM" report $D --cohort 200 -o "$T/no-plugins.html" "$R"
expect_status "report: without Graphviz plugins, exit 3" 3
expect_err "report: a missing plugin is explained, with the way out" "no Graphviz plugin loaded.*--no-graphs"
if [ ! -e "$T/no-plugins.html" ]; then ok "report: no file without plugins"; else not_ok "report: no file without plugins"; fi
GVBINDIR="$T/no-plugins" run "$CJM" report $D --cohort 200 --no-graphs -o "$T/no-plugins.html" "$R"
expect_status "report: --no-graphs needs no Graphviz plugin" 0

# ---- the date: --date, else SOURCE_DATE_EPOCH (UTC), else today ----
run "$CJM" report --no-graphs --cohort 100 --date 2024-02-29 "$R"
expect_out "report: --date is shown" '<span>2024-02-29</span>'
SOURCE_DATE_EPOCH=1700000000 run "$CJM" report --no-graphs --cohort 100 "$R"
expect_out "report: SOURCE_DATE_EPOCH gives the date" '<span>2023-11-14</span>'
SOURCE_DATE_EPOCH=1700000000 run "$CJM" report --no-graphs --cohort 100 --date 2020-01-01 "$R"
expect_out "report: --date wins over SOURCE_DATE_EPOCH" '<span>2020-01-01</span>'
today=$(date +%Y-%m-%d)
env -u SOURCE_DATE_EPOCH "$CJM" report --no-graphs --cohort 100 "$R" >"$tmp/out" 2>"$tmp/err"
expect_out "report: without either, today's date" "<span>$today</span>"

# ---- the page: one file, well-formed, nothing from outside, the same for any --threads ----
run "$CJM" report $D --cohort 3000 --seed 5 --threads 1 -o "$T/ref.html" "$R"
expect_status "report: the reference journey's report is written" 0
"$CJM" report $D --cohort 3000 --seed 5 --threads 2 -q -o "$T/ref2.html" "$R"
if cmp -s "$T/ref.html" "$T/ref2.html"; then ok "report: the same page for --threads 1 and 2"; else not_ok "report: the same page for --threads 1 and 2"; fi
if xmllint --noout "$T/ref.html" 2>"$tmp/xml"; then ok "report: the page is well-formed"; else not_ok "report: the page is well-formed" "$(head -n 5 "$tmp/xml")"; fi
if grep -Eiq '<script|<link|<img|<iframe|<object|@import|src=|url\((["'\'']?)(https?:|//|file:)' "$T/ref.html"; then
    not_ok "report: no script and no external asset" "$(grep -Eio '<script|<link|<img|<iframe|<object|@import|src=[^ ]*|url\([^)]*\)' "$T/ref.html" | head -5)"
else
    ok "report: no script and no external asset"
fi
others=$(grep -Eo '(https?|ftp)://[^" )<]*' "$T/ref.html" | sort -u | grep -Ev '^http://www\.w3\.org/(1999/xhtml|2000/svg|1999/xlink)$')
if [ -z "$others" ]; then ok "report: no address but XML namespaces"; else not_ok "report: no address but XML namespaces" "$others"; fi
if grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$T/ref.html"; then ok "report: a policy forbids any load"; else not_ok "report: a policy forbids any load"; fi
n=$(grep -c '<div class="graph"><svg' "$T/ref.html")
if [ "$n" -eq 2 ]; then ok "report: the flow graph and the journey map are inline"; else not_ok "report: the flow graph and the journey map are inline ($n)"; fi
if grep -Eq '<\?xml|<!DOCTYPE svg' "$T/ref.html"; then not_ok "report: Graphviz's prolog and DOCTYPE are stripped"; else ok "report: Graphviz's prolog and DOCTYPE are stripped"; fi
dups=$(grep -o ' id="[^"]*"' "$T/ref.html" | sort | uniq -d | head -3)
if [ -z "$dups" ]; then ok "report: no id is used twice"; else not_ok "report: no id is used twice" "$dups"; fi
# The headline's groups in kpis.md's order, and their cards.
if [ "$(grep -o '<h3 class="group">[^<]*</h3>' "$T/ref.html" | sed 's/<[^>]*>//g' | tr '\n' ,)" = \
    "Prospects,Customers,Money,Satisfaction,Whole cohort," ]; then
    ok "report: the headline's groups in order"
else not_ok "report: the headline's groups in order"; fi
for key in 'Converted' 'Lost before converting' 'Still prospects' 'Time to convert' 'Customers' 'Customer churn' \
    'Monthly churn' 'Retention 30 days after converting' 'Retention 365 days after converting' 'Customer lifetime' \
    'Revenue' 'ARPU' 'LTV' 'CAC' 'Acquisition cost' 'Cost to serve' 'LTV:CAC' 'Payback' 'NPS' 'CSAT' \
    'Churned (prospects and customers)' 'Cost per conversion'; do
    if grep -q "<h3>$key</h3>" "$T/ref.html"; then ok "report: the card '$key'"; else not_ok "report: the card '$key'"; fi
done
for what in 'Funnel: customers who reached each stage of the main path' 'Customer retention: share of customers' \
    'Emotion curve of Student' 'Emotion curve of Manager' \
    'The whole cohort over time' 'Time to convert: conversions' 'Churn reasons by stage'; do
    if grep -q "aria-label=\"$what" "$T/ref.html"; then ok "report: the chart '$what'"; else not_ok "report: the chart '$what'"; fi
done
for id in funnel customers stages personas touchpoints surveys pains; do
    if grep -q "<section id=\"$id\"" "$T/ref.html"; then ok "report: the section '$id'"; else not_ok "report: the section '$id'"; fi
done
# The reasons of the curves (thoughts and feelings) are shown with the curves and in the map.
if [ "$(grep -c 'Worried about the price' "$T/ref.html")" -ge 2 ] && grep -q '<ol class="why"' "$T/ref.html"; then
    ok "report: the curves' reasons are shown"
else not_ok "report: the curves' reasons are shown"; fi
# Ways out are shares of the stage's exits, the same figure as in the flow picture.
if grep -q "% of the stage&#39;s exits" "$T/ref.html" && grep -q 'still in the stage at the horizon' "$T/ref.html"; then
    ok "report: ways out are shares of the stage's exits, and what stayed is apart"
else not_ok "report: ways out are shares of the stage's exits, and what stayed is apart"; fi
run "$CJM" report $D --cohort 500 --no-graphs "$R"
if grep -q 'class="graph"' "$tmp/out"; then not_ok "report: --no-graphs leaves the pictures out"; else ok "report: --no-graphs leaves the pictures out"; fi

# ---- escaping: names with < & " ' and non-ASCII text are shown, not interpreted ----
run "$CJM" report $D --cohort 500 -o "$T/esc.html" tests/report/escaping.journey
expect_status "report: the escaping journey's report is written" 0
if xmllint --noout "$T/esc.html" 2>"$tmp/xml"; then ok "report: the escaped page is well-formed"; else not_ok "report: the escaped page is well-formed" "$(head -n 5 "$tmp/xml")"; fi
if grep -q '<h1>Café &lt;au lait&gt; &amp; &quot;crème&quot; — l&#39;été</h1>' "$T/esc.html"; then ok "report: the title is escaped"; else not_ok "report: the title is escaped"; fi
if grep -q 'slow &lt;script&gt;alert(1)&lt;/script&gt;' "$T/esc.html" && ! grep -q '<script' "$T/esc.html"; then ok "report: a reason with markup stays text"; else not_ok "report: a reason with markup stays text"; fi
if grep -q 'Menu: &lt;b&gt;not bold&lt;/b&gt; &amp; prices' "$T/esc.html"; then ok "report: labels are escaped"; else not_ok "report: labels are escaped"; fi

# ---- the figures of the page are the JSON report's ----
if command -v node >/dev/null 2>&1; then
    figures() { # name journey run-options... (with the pictures when $PICTURES is set)
        name=$1
        j=$2
        shift 2
        rm -f "$T/fig.html" "$T/fig.json"
        "$CJM" report $D -q ${PICTURES:---no-graphs} "$@" -o "$T/fig.html" "$j" 2>"$tmp/err"
        "$CJM" run --format json -q "$@" -o "$T/fig.json" "$j" 2>>"$tmp/err"
        if node tests/report/figures.js "$T/fig.html" "$T/fig.json" >"$tmp/check" 2>&1; then ok "report: figures equal the JSON report's: $name"
        else not_ok "report: figures equal the JSON report's: $name" "$(cat "$tmp/check" "$tmp/err")"; fi
    }
    PICTURES=" " figures "reference" "$R" --cohort 3000 --seed 5
    figures "reference, one persona, no horizon" "$R" --cohort 2000 --persona Student --horizon none
    figures "reference, 30-day horizon" "$R" --cohort 2000 --horizon "30 days" --threads 2
    figures "exact analysis" tests/report/exact.journey --exact
    figures "exact analysis, one persona" tests/report/exact.journey --exact --persona Slow --cohort 777
    figures "escaping" tests/report/escaping.journey --cohort 800
    figures "step limit" tests/run/step-limit.journey --cohort 300 --max-steps 5
    PICTURES=" " figures "ways out, horizon, a rule's goto" tests/run/shares.journey --cohort 2000 --seed 3
    figures "times under a day" tests/report/short-times.journey --cohort 2000 --seed 3
    for f in examples/*.journey; do
        figures "$(basename "$f")" "$f" --cohort 1500
    done
    # The checker itself: a changed value or a wrongly rounded text is caught.
    "$CJM" report $D --no-graphs --cohort 1000 -o "$T/fig.html" "$R"
    "$CJM" run --format json -q --cohort 1000 -o "$T/fig.json" "$R"
    sed 's/data-figure="prospects.converted.rate" data-value="0\./data-figure="prospects.converted.rate" data-value="0.0/' "$T/fig.html" >"$T/wrong.html"
    if node tests/report/figures.js "$T/wrong.html" "$T/fig.json" >/dev/null 2>&1; then not_ok "report: the checker catches a changed value"; else ok "report: the checker catches a changed value"; fi
    sed 's/\(data-figure="satisfaction.nps"[^>]*>\)[^<]*/\1+99.9/' "$T/fig.html" >"$T/wrong.html"
    if node tests/report/figures.js "$T/wrong.html" "$T/fig.json" >/dev/null 2>&1; then not_ok "report: the checker catches a wrong text"; else ok "report: the checker catches a wrong text"; fi
    sed 's/data-figure="stages\.0\.reached"/data-figure="stages.0.x"/g' "$T/fig.html" >"$T/wrong.html"
    if node tests/report/figures.js "$T/wrong.html" "$T/fig.json" >/dev/null 2>&1; then not_ok "report: the checker catches a missing figure"; else ok "report: the checker catches a missing figure"; fi
else
    echo "SKIP report: figures against the JSON report (node is not installed; make deps installs it)"
fi

# ---- in a real browser: headless Chromium loads the page with no console message at all (a
# script error, a blocked load, a policy violation would be one), takes a screenshot, prints ----
chromium_run() { # out-flag page -> $tmp/chrome (stderr)
    ud=$(mktemp -d "$T/chrome.XXXXXX")
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
        --user-data-dir="$ud" --enable-logging=stderr --v=0 --window-size=1280,4000 "$1" "file://$2" \
        >/dev/null 2>"$tmp/chrome"
    chrome_status=$?
    rm -rf "$ud"
}
console_messages() { grep -E ':CONSOLE|Uncaught' "$tmp/chrome"; }
if command -v chromium >/dev/null 2>&1; then
    "$CJM" report $D -q --exact -o "$T/exact.html" tests/report/exact.journey
    for page in ref esc exact; do
        chromium_run --screenshot="$T/$page.png" "$T/$page.html"
        if [ "$chrome_status" -eq 0 ] && [ -z "$(console_messages)" ]; then ok "report: Chromium loads the $page page with no console message"
        else not_ok "report: Chromium loads the $page page with no console message (exit $chrome_status)" "$(console_messages | head -n 5)"; fi
        magic=$(head -c 4 "$T/$page.png" 2>/dev/null | od -An -c | tr -d ' ')
        size=$(wc -c <"$T/$page.png" 2>/dev/null || echo 0)
        if [ "$magic" = '211PNG' ] && [ "$size" -gt 50000 ]; then ok "report: Chromium takes a screenshot of the $page page"
        else not_ok "report: Chromium takes a screenshot of the $page page ($size bytes)"; fi
    done
    # The detector works: a page that loads an outside image gets a console message.
    sed 's|</main>|<img src="https://example.com/x.png" alt=""/></main>|' "$T/ref.html" >"$T/leaky.html"
    chromium_run --screenshot="$T/leaky.png" "$T/leaky.html"
    if [ -n "$(console_messages)" ]; then ok "report: a page that loads an outside asset is caught"; else not_ok "report: a page that loads an outside asset is caught"; fi
    # Printing on A4 and Letter (the pictures' pages turn to landscape).
    for paper in A4 Letter; do
        sed "s|@page{size:auto;|@page{size:$paper;|; s|@page pictures{size:landscape}|@page pictures{size:$paper landscape}|" \
            "$T/ref.html" >"$T/print-$paper.html"
        chromium_run --print-to-pdf="$T/print-$paper.pdf" "$T/print-$paper.html"
        case $paper in A4) box='MediaBox \[0 0 59[45]\.[0-9]* 84[12]\.[0-9]*\]' ;; *) box='MediaBox \[0 0 612 792\]' ;; esac
        if [ "$(head -c 5 "$T/print-$paper.pdf" 2>/dev/null)" = "%PDF-" ] && grep -aEq "$box" "$T/print-$paper.pdf" && [ -z "$(console_messages)" ]
        then ok "report: Chromium prints the page on $paper"; else not_ok "report: Chromium prints the page on $paper"; fi
    done
else
    echo "SKIP report: the browser tests (chromium is not installed; make deps installs it)"
fi

# ---- memory: a report with both Graphviz pictures (two renders in one process) under valgrind;
# the golden tests of tests/report/ cover the rest ----
if [ "${VALGRIND:-1}" = 1 ] && command -v valgrind >/dev/null 2>&1; then
    valgrind -q --num-callers=40 --error-exitcode=99 --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
        --suppressions=tests/valgrind.supp "$CJM" report $D --cohort 300 --threads 2 -o "$T/vg.html" "$R" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ $status -eq 0 ] && ! grep -q '^==[0-9]*==' "$tmp/err"; then ok "report: memcheck with both pictures"
    else not_ok "report: memcheck with both pictures (exit $status)" "$(grep '^==' "$tmp/err" | head -n 30)"; fi
fi
