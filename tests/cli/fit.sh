# tests/cli/fit.sh: cjm fit, cjm discover and cjm score from the command line (sourced by
# tests/run.sh; files in $T): every option, every usage error and unreadable input with its
# message and exit status and no file written, the outputs accepted by `cjm check` (-o,
# --scenario, discover), the JSON's shape, the same output for any --threads and for a log in
# any order. The statistics (recovery of known parameters) are tests/fit/'s.

F="$T/fit"
mkdir -p "$F"
cat >"$F/j.journey" <<'EOF'
// A journey with the parts cjm fit reads: personas, touchpoints, a survey, churn reasons, waits.
import "std/channels"

journey "Fit test" {
  cohort     2000
  seed       5
  inactivity 30 days
}

persona Pro "Professional" { share 40% }
persona Hobby "Hobbyist"   { share 60% }

stage Visit "Visit the site" {
  wait exponential(2 days)
  touchpoint Ad { channel search reach 50% }
  -> Signup 40%
  -> churn otherwise "never engaged"
}

stage Signup {
  events "sign_up"
  wait 3 days
  touchpoint Survey { channel email survey nps }
  -> Buy 50%
  -> churn otherwise "lost"
}

stage Buy goal { }
EOF
cp "$F/j.journey" "$F/j.journey.orig"

# A log of 1500 cases drawn with awk's own generator (deterministic for one awk): 30% sign up
# (the journey says 40%: flagged), half of those buy; the others leave with the event "never
# engaged" or go quiet (inactivity). Epoch seconds; unmapped "page_scroll" events; segments.
awk 'BEGIN {
    srand(11)
    print "customer_id,event,timestamp,segment,score"
    t0 = 1700000000
    for (i = 1; i <= 1500; i++) {
        t = t0 + i * 11520
        seg = (rand() < 0.4) ? "Pro" : (rand() < 0.9 ? "Hobby" : "Student")
        printf "c%d,Visit,%d,%s,\n", i, t, seg
        if (rand() < 0.5) printf "c%d,Ad,%d,,\n", i, t + 60
        if (rand() < 0.2) printf "c%d,page_scroll,%d,,\n", i, t + 120
        w = -log(1 - rand()) * 2 * 86400
        u = rand()
        if (u < 0.3) {
            t += int(w) + 1
            printf "c%d,sign_up,%d,,%d\n", i, t, int(rand() * 11)
            t += 3 * 86400
            if (rand() < 0.5) printf "c%d,Buy,%d,,\n", i, t
            else printf "c%d,lost,%d,,\n", i, t
        } else if (u < 0.65) {
            printf "c%d,never engaged,%d,,\n", i, t + int(w) + 1
        }
    }
}' >"$F/log.csv"
# The same events sorted by time (the header first).
{ head -n 1 "$F/log.csv"; tail -n +2 "$F/log.csv" | sort -t, -k3,3n -s; } >"$F/sorted.csv"
cp "$F/log.csv" "$F/log.csv.orig"

# Whether the journey and the log are as they were, and no temporary file is left.
fit_inputs_untouched() {
    cmp -s "$F/j.journey" "$F/j.journey.orig" && cmp -s "$F/log.csv" "$F/log.csv.orig" &&
        [ -z "$(find "$F" -name '.*tmp*')" ]
}
no_file() { # name file
    if [ ! -e "$2" ] && fit_inputs_untouched; then ok "$1: nothing written"
    else not_ok "$1: nothing written" "$(ls -la "$F")"; fi
    rm -f "$2"
}

# ---- the report in each format ----
run "$CJM" fit "$F/j.journey" "$F/log.csv"
expect_status "fit: exit 0" 0
expect_out "fit: the log's figures" "^  log: [0-9]+ events, 1500 cases"
expect_out "fit: the columns used" "^  columns: case customer_id, event event, time timestamp \(epoch seconds\)"
expect_out "fit: the moves" "^Moves"
expect_out "fit: Visit -> Signup's declared 40% is outside its interval" "Visit +Signup +[0-9]+ +[0-9.]+% +[0-9.]+-[0-9.]+% +40\.0% +!"
expect_out "fit: the waits" "^Waits"
expect_out "fit: Signup's wait is 3 days" "Signup .*3\.0 d"
expect_out "fit: touchpoints' reach" "^  Ad +Visit"
expect_out "fit: personas' shares" "^  Pro +[0-9]+ +[0-9.]+%"
expect_out "fit: segments naming no persona" "Student"
expect_out "fit: unmapped events by name" "^  page_scroll +[0-9]+"
expect_no_err "fit: nothing on standard error"
cp "$tmp/out" "$F/table.txt"

run "$CJM" fit --format json "$F/j.journey" "$F/log.csv"
expect_status "fit --format json: exit 0" 0
cp "$tmp/out" "$F/fit.json"
if command -v python3 >/dev/null 2>&1; then
    check "fit --format json: its shape (docs/fit-json.md)" python3 - "$F/fit.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == 1, d["schema"]
for k in ("journey", "log", "conversion", "conversion_ci95", "stages", "moves", "waits", "touchpoints",
          "personas", "unmapped", "validation"):
    assert k in d, k
assert d["log"]["cases"] == 1500, d["log"]["cases"]
assert d["log"]["columns"]["case"] == "customer_id"
assert [s["stage"] for s in d["stages"]] == ["Visit", "Signup", "Buy"]
m = [x for x in d["moves"] if x["from"] == "Visit" and x["to"] == "Signup"][0]
assert m["in_journey"] and m["declared"] == 0.4 and m["outside"], m
lo, hi = m["share_ci95"]
assert lo < m["share"] < hi and hi < 0.4, m
w = [x for x in d["waits"] if x["stage"] == "Signup"][0]
assert abs(w["mean_days"] - 3) < 0.01, w
assert w["fitted"]["dist"] == "constant", w
assert d["validation"] is None
assert any(u["name"] == "page_scroll" for u in d["unmapped"])
EOF
fi

for t in moves waits touchpoints personas stages unmapped validation; do
    run "$CJM" fit --format csv --csv-table "$t" "$F/j.journey" "$F/log.csv"
    expect_status "fit --csv-table $t: exit 0" 0
    first=$(head -n 1 "$tmp/out" | cut -d, -f1)
    case $t in
    moves) want=from ;; waits | stages) want=stage ;; touchpoints) want=touchpoint ;; personas) want=persona ;;
    unmapped) want=event ;; validation) want=key ;;
    esac
    if [ "$first" = "$want" ]; then ok "fit --csv-table $t: its header"; else not_ok "fit --csv-table $t: its header" "$(head -n 2 "$tmp/out")"; fi
done
run "$CJM" fit --format csv "$F/j.journey" "$F/log.csv"
expect_out "fit --format csv: moves by default" "^from,to,in_journey,count,share"

run "$CJM" fit --format html "$F/j.journey" "$F/log.csv"
expect_status "fit --format html: exit 0" 0
expect_out "fit --format html: a page" "^<!DOCTYPE html>"
expect_out "fit --format html: the funnel chart" "Funnel: observed entries"
expect_out "fit --format html: the waits' histograms" "<svg class=\"chart\""
if command -v python3 >/dev/null 2>&1; then
    cp "$tmp/out" "$F/fit.html"
    check "fit --format html: well-formed XML" python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$F/fit.html"
fi

# The same output for the log in time order (cases finished early) and in case order (held whole).
run "$CJM" fit --format json "$F/j.journey" "$F/sorted.csv"
sed 's/sorted\.csv/log.csv/' "$tmp/out" >"$F/sorted.json"
if cmp -s "$F/sorted.json" "$F/fit.json"; then ok "fit: the same figures for the log sorted by time"
else not_ok "fit: the same figures for the log sorted by time" "$(diff "$F/fit.json" "$F/sorted.json" | head -n 20)"; fi

# Standard input.
run sh -c '"$1" fit --format json "$2" - <"$3"' sh "$CJM" "$F/j.journey" "$F/log.csv"
expect_status "fit JOURNEY -: exit 0" 0
expect_out "fit JOURNEY -: the log is <stdin>" '"file": "<stdin>"'

# ---- -o: the fitted journey; --scenario ----
run "$CJM" fit -o "$F/fitted.journey" "$F/j.journey" "$F/log.csv"
expect_status "fit -o: exit 0" 0
expect_out "fit -o: the report still on standard output" "^Moves"
check "fit -o: the fitted journey checks" "$CJM" check "$F/fitted.journey"
if ! cmp -s "$F/fitted.journey" "$F/j.journey" && grep -q '^// A journey with the parts cjm fit reads' "$F/fitted.journey"; then
    ok "fit -o: numbers changed, comments kept"
else
    not_ok "fit -o: numbers changed, comments kept" "$(diff "$F/j.journey" "$F/fitted.journey")"
fi

run "$CJM" fit --scenario Fitted --scenario-label "As the data says" -o "$F/with-scenario.journey" "$F/j.journey" "$F/log.csv"
expect_status "fit --scenario -o: exit 0" 0
check "fit --scenario -o: the journey with the scenario checks" "$CJM" check "$F/with-scenario.journey"
if head -n "$(wc -l <"$F/j.journey")" "$F/with-scenario.journey" | cmp -s - "$F/j.journey" &&
    grep -q '^scenario Fitted' "$F/with-scenario.journey"; then
    ok "fit --scenario -o: the journey as it was, then the scenario"
else
    not_ok "fit --scenario -o: the journey as it was, then the scenario" "$(cat "$F/with-scenario.journey")"
fi
run "$CJM" compare --scenario Fitted --cohort 500 "$F/with-scenario.journey"
expect_status "fit --scenario: cjm compare runs the scenario" 0

run "$CJM" fit --scenario Fitted "$F/j.journey" "$F/log.csv"
expect_status "fit --scenario without -o: exit 0" 0
expect_out "fit --scenario without -o: the block alone" "^scenario Fitted"
if grep -q '^Moves' "$tmp/out"; then not_ok "fit --scenario without -o: no report"; else ok "fit --scenario without -o: no report"; fi

# ---- --validate: the same for any --threads ----
run "$CJM" fit --validate --cohort 3000 --threads 1 --format json "$F/j.journey" "$F/log.csv"
expect_status "fit --validate: exit 0" 0
cp "$tmp/out" "$F/v1.json"
expect_out "fit --validate: the verdicts" '"key": "conversion"'
run "$CJM" fit --validate --cohort 3000 --threads 2 --format json "$F/j.journey" "$F/log.csv"
if cmp -s "$tmp/out" "$F/v1.json"; then ok "fit --validate: the same output for --threads 1 and 2"
else not_ok "fit --validate: the same output for --threads 1 and 2" "$(diff "$F/v1.json" "$tmp/out" | head)"; fi
run "$CJM" fit --validate --cohort 3000 --seed 9 "$F/j.journey" "$F/log.csv"
expect_out "fit --validate: the table's validation" "^Validation"

# ---- --map, --inactivity, --log-end, columns, --time-format, --max-memory ----
run "$CJM" fit --map page_scroll=ignore --format json "$F/j.journey" "$F/log.csv"
expect_status "fit --map EVENT=ignore: exit 0" 0
if grep -q '"name": "page_scroll"' "$tmp/out"; then not_ok "fit --map EVENT=ignore: no longer unmapped"
else ok "fit --map EVENT=ignore: no longer unmapped"; fi
expect_out "fit --map EVENT=ignore: counted as ignored" '"ignored": [1-9]'
run "$CJM" fit --map "Page Scroll=Ad" --map lost=churn:lost --format json "$F/j.journey" "$F/log.csv"
expect_status "fit --map EVENT=TOUCHPOINT, churn:REASON (names normalised): exit 0" 0
run "$CJM" fit --inactivity none --format json "$F/j.journey" "$F/log.csv"
expect_out "fit --inactivity none: no inactivity" '"inactivity_days": 0'
run "$CJM" fit --inactivity "2 weeks" --format json "$F/j.journey" "$F/log.csv"
expect_out "fit --inactivity 2 weeks: 14 days" '"inactivity_days": 14'
run "$CJM" fit --log-end 2024-06-30 --format json "$F/j.journey" "$F/log.csv"
expect_out "fit --log-end: the log's end" '"end": "2024-06-30T00:00:00Z"'
run "$CJM" fit --time-format s --max-memory 64M --case customer_id --event event --time timestamp --segment segment \
    --score score "$F/j.journey" "$F/log.csv"
expect_status "fit with every column named, --time-format s, --max-memory: exit 0" 0
sed '1s/.*/who,what,when,seg,nps/' "$F/log.csv" >"$F/renamed.csv"
run "$CJM" fit --case who --event what --time when --segment seg --score nps "$F/j.journey" "$F/renamed.csv"
expect_out "fit --case/--event/--time: other column names" "^  columns: case who, event what, time when \(epoch seconds\), segment seg, score nps"

# A log whose events name nothing of the journey: an empty report, and a warning naming them.
printf 'customer_id,event,timestamp\nc1,landing,1700000000\nc1,checkout,1700000600\n' >"$F/other-names.csv"
run "$CJM" fit "$F/j.journey" "$F/other-names.csv"
expect_status "fit a log of other names: exit 0" 0
expect_err "fit a log of other names: a warning names them" "^cjm fit: warning: no event of .*other-names\.csv maps to a stage of the journey \(2 events read\); the most frequent names: 'checkout' \(1\), 'landing' \(1\); map them"
expect_out "fit a log of other names: no move" "no case left a stage"
run "$CJM" fit -q "$F/j.journey" "$F/other-names.csv"
expect_no_err "fit -q: no warning"

# ---- --sql and the query's result ----
run "$CJM" fit --sql events "$F/j.journey"
expect_status "fit --sql: exit 0" 0
expect_out "fit --sql: a query" "SELECT"
expect_out "fit --sql: of the table" "events"
run "$CJM" fit --sql events --dialect sqlite "$F/j.journey"
expect_status "fit --sql --dialect sqlite: exit 0" 0
# SQLite's query reads ISO 8601 times: the raw epoch seconds through a view.
if command -v sqlite3 >/dev/null 2>&1; then
    run "$CJM" fit --sql events_iso --dialect sqlite --case customer_id "$F/j.journey"
    cp "$tmp/out" "$F/query.sql"
    tail -n +2 "$F/log.csv" >"$F/rows.csv"
    printf '%s\n' "CREATE TABLE raw (customer_id TEXT, event TEXT, timestamp INTEGER, segment TEXT, score TEXT);" \
        ".mode csv" ".import $F/rows.csv raw" \
        "CREATE VIEW events_iso AS SELECT customer_id, event, datetime(timestamp, 'unixepoch') AS timestamp FROM raw;" |
        sqlite3 "$F/events.db"
    sqlite3 -csv -header "$F/events.db" <"$F/query.sql" >"$F/result.csv" 2>"$F/sqlite.err"
    run "$CJM" fit --format json "$F/j.journey" "$F/result.csv"
    expect_status "fit RESULT.csv (the query's result): exit 0" 0
    expect_out "fit RESULT.csv: from the table" '"from_sql_table": true'
    expect_out "fit RESULT.csv: the log's cases" '"cases": 1500'
    run "$CJM" fit --format csv --csv-table moves "$F/j.journey" "$F/result.csv"
    cut -d, -f1-4 "$tmp/out" >"$F/moves-table.csv"
    run "$CJM" fit --format csv --csv-table moves "$F/j.journey" "$F/log.csv"
    cut -d, -f1-4 "$tmp/out" >"$F/moves-log.csv"
    if cmp -s "$F/moves-table.csv" "$F/moves-log.csv"; then ok "fit RESULT.csv: the same moves as the log"
    else not_ok "fit RESULT.csv: the same moves as the log" "$(diff "$F/moves-log.csv" "$F/moves-table.csv")"; fi
    run "$CJM" fit "$F/j.journey" "$F/result.csv"
    expect_out "fit RESULT.csv: the table says what the query does not give" "does not give touchpoints"
fi

# ---- discover and score ----
run "$CJM" discover "$F/log.csv" --goal Buy -o "$F/discovered.journey"
expect_status "discover: exit 0" 0
check "discover: the journey checks" "$CJM" check "$F/discovered.journey"
run "$CJM" discover --goal buy --min-share 10% --max-stages 5 --inactivity 30 --title "From data" "$F/log.csv"
expect_status "discover with its options: exit 0" 0
expect_out "discover --title" 'From data'
printf 'path,total_conversions,total_null\nsearch > email,10,30\nsearch,5,50\nsocial > search > email,7,20\n' >"$F/paths.csv"
run "$CJM" discover -o "$F/paths.journey" "$F/paths.csv"
expect_status "discover of a path table (no --goal): exit 0" 0
check "discover of a path table: the journey checks" "$CJM" check "$F/paths.journey"

run "$CJM" score --futures 200 --threads 1 "$F/j.journey" "$F/log.csv"
expect_status "score: exit 0" 0
cp "$tmp/out" "$F/score1.csv"
expect_out "score: CSV with a header" "^[a-z_]+(,[a-z0-9_]+)+$"
run "$CJM" score --futures 200 --threads 2 -o "$F/score2.csv" "$F/j.journey" "$F/log.csv"
if cmp -s "$F/score1.csv" "$F/score2.csv"; then ok "score: the same CSV for --threads 1 and 2 (and -o)"
else not_ok "score: the same CSV for --threads 1 and 2 (and -o)" "$(diff "$F/score1.csv" "$F/score2.csv" | head)"; fi

# ---- usage errors: exit 2, a message, nothing written ----
usage() { # name pattern args...
    name=$1
    pattern=$2
    shift 2
    run "$CJM" "$@"
    expect_status "$name: exit 2" 2
    expect_err "$name: says so" "$pattern"
    no_file "$name" "$F/out.journey"
}
J="$F/j.journey"
L="$F/log.csv"
usage "fit without files" "^cjm fit: no journey and no log" fit
usage "fit without a log" "^cjm fit: no log to fit the journey to" fit "$J"
usage "fit with three files" "^cjm fit: give one journey and one log, not 3" fit "$J" "$L" "$L"
usage "fit - -" "cannot both be standard input" fit - -
usage "fit --format bad" "^cjm fit: --format must be table, json, csv or html, not 'pdf'" fit --format pdf "$J" "$L"
usage "fit --csv-table bad" "^cjm fit: --csv-table must be moves, " fit --format csv --csv-table x "$J" "$L"
usage "fit --csv-table without csv" "^cjm fit: --csv-table goes with --format csv" fit --csv-table waits "$J" "$L"
usage "fit --dialect without --sql" "^cjm fit: --dialect goes with --sql TABLE" fit --dialect sqlite "$J" "$L"
usage "fit --dialect bad" "^cjm fit: --dialect must be postgres, sqlite or bigquery, not 'oracle'" fit --sql t --dialect oracle "$J"
usage "fit --sql with -o" "^cjm fit: --sql prints the query and does nothing else: not with -o" fit --sql t -o "$F/out.journey" "$J"
usage "fit --sql with a log" "^cjm fit: --sql takes the journey alone" fit --sql t "$J" "$L"
usage "fit --map without =" "^cjm fit: --map must be EVENT=TARGET" fit --map page_scroll "$J" "$L"
usage "fit --map to nothing" "^cjm fit: --map x=Nowhere: 'Nowhere' is no stage or touchpoint" fit --map x=Nowhere -o "$F/out.journey" "$J" "$L"
usage "fit --map churn:REASON unknown" "no churn arrow of the journey has the reason \"bored\"" fit --map x=churn:bored "$J" "$L"
usage "fit --inactivity bad" "^cjm fit: --inactivity must be a positive duration" fit --inactivity soon "$J" "$L"
usage "fit --log-end bad" "^cjm fit: --log-end must be a time" fit --log-end yesterday "$J" "$L"
usage "fit --max-memory bad" "^cjm fit: --max-memory must be a size" fit --max-memory lots "$J" "$L"
usage "fit --time-format bad" "^cjm fit: --time-format must be iso, s, ms or auto, not 'us'" fit --time-format us "$J" "$L"
usage "fit --threads 0" "^cjm fit: --threads must be a whole number" fit --validate --threads 0 "$J" "$L"
usage "fit --seed bad" "^cjm fit: --seed must be a whole number" fit --seed -1 "$J" "$L"
usage "fit an unknown option" "^cjm fit: unknown option '--bogus'" fit --bogus "$J" "$L"
usage "fit an option without its value" "^cjm fit: option '--map' needs a value" fit "$J" "$L" --map
usage "fit --scenario-label without --scenario" "^cjm fit: --scenario-label goes with --scenario" fit --scenario-label x "$J" "$L"

# --trait NAME=COLUMN: a trait of the journey, a column of a CSV log given as a file
cat >"$F/tr.journey" <<'EOF'
journey "Traits" { inactivity 30 days }
persona Pro { share 40% budget = 300 }
persona Hobby { share 60% budget = 100 }
stage Visit { -> Buy 30% + budget / 10000 -> churn otherwise }
stage Buy goal {}
EOF
awk 'BEGIN { srand(7); print "customer_id,event,timestamp,segment,budget";
             for (i = 0; i < 400; i++) { p = i % 2 ? "Pro" : "Hobby"; b = (p == "Pro" ? 300 : 100) * (0.5 + rand());
                 printf "c%d,Visit,%d,%s,%.2f\n", i, 1700000000 + 60 * i, p, b;
                 if (rand() < 0.3) printf "c%d,Buy,%d,,\n", i, 1700003600 + 60 * i } }' >"$F/tr.csv"
usage "fit --trait without =" "^cjm fit: --trait must be NAME=COLUMN" fit --trait budget -o "$F/out.journey" "$F/tr.journey" "$F/tr.csv"
usage "fit --trait twice" "^cjm fit: --trait budget is given twice" fit --trait budget=budget --trait budget=x "$F/tr.journey" "$F/tr.csv"
usage "fit --trait of no trait" "^cjm fit: --trait budgte=budget: the journey has no trait 'budgte'; did you mean 'budget'" fit --trait budgte=budget -o "$F/out.journey" "$F/tr.journey" "$F/tr.csv"
usage "fit --trait of a journey without traits" "^cjm fit: --trait x=budget: the journey declares no traits" fit --trait x=budget "$J" "$F/tr.csv"
usage "fit --trait of no column" "^cjm fit: --trait budget=nope: the log has no column 'nope' .its columns: customer_id, event, timestamp, segment, budget." fit --trait budget=nope -o "$F/out.journey" "$F/tr.journey" "$F/tr.csv"
usage "fit --trait from standard input" "^cjm fit: --trait reads the log's columns in a second pass" fit --trait budget=budget "$F/tr.journey" -
usage "fit --trait with --sql" "^cjm fit: --sql prints the query and does nothing else: not with --trait" fit --sql t --trait budget=budget "$F/tr.journey"
run "$CJM" fit -q --trait budget=budget "$F/tr.journey" "$F/tr.csv"
expect_status "fit --trait: exit 0" 0
expect_out "fit --trait: the traits table, all cases and each persona" "^  budget +Pro +budget +200 "
expect_out "fit --trait: the declared value beside the fit" "^  budget +Hobby +budget +200 .* 100$"
run "$CJM" fit -q --format json --trait budget=budget "$F/tr.journey" "$F/tr.csv"
expect_out "fit --trait: JSON traits with candidates" '"fitted": "uniform"'
run "$CJM" fit -q --format csv --csv-table traits --trait budget=budget "$F/tr.journey" "$F/tr.csv"
expect_out "fit --trait: --csv-table traits" "^budget,Pro,budget,200,.*,uniform,"
run "$CJM" fit -q "$F/tr.journey" "$F/tr.csv"
expect_out "fit: an arrow that reads a trait is listed as not fitted" "not fitted: its probability depends on the customer"
printf 'customer_id,event,timestamp,budget\nc1,Visit,1700000000,100\nc1,Buy,1700000060,200\nc2,Visit,1700000000,lots\nc2,Visit,1700000100,150\nc3,Visit,1700000000,\n' >"$F/tr-conflict.csv"
run "$CJM" fit -q --trait budget=budget "$F/tr.journey" "$F/tr-conflict.csv"
expect_status "fit --trait: a value that changes within a case: exit 0" 0
expect_out "fit --trait: conflicts and values that are no numbers counted, the first value kept" "^  budget: 1 case whose later values differ from the first .the first is taken., 1 value that is no number"
run "$CJM" fit -q --format json --trait budget=budget "$F/tr.journey" "$F/tr-conflict.csv"
expect_out "fit --trait: the cases with a value (c1's first, c2's number), not c3" '"cases": 2,'
expect_out "fit --trait: JSON counts the conflicts" '"conflicts": 1,'
expect_out "fit --trait: JSON counts the values that are no numbers" '"not_numbers": 1,'
if command -v bash >/dev/null 2>&1; then
    printf 'persona P {\n  share 100%%\n  lambda = gamma(2, 3)\n  plan   = 2\n}\nstage A { -> churn 10%% * plan }\n' >"$F/comp.journey"
    run bash -c '. completion/cjm.bash; _cjm_values "$1" fit --trait "$2"' _ "$CJM" "$F/comp.journey"
    expect_out "completion: --trait offers the journey's traits as NAME=" "^lambda=$"
    expect_out "completion: --trait offers every trait" "^plan=$"
    run bash -c '. completion/cjm.bash; _cjm_values "$1" fit --csv-table ""' _ "$CJM"
    expect_out "completion: --csv-table offers the new tables" " met traits choices cannot$"
fi
printf 'scenario Fitted { extend stage Visit { -> Signup 30%% } }\n' >>"$F/j.journey"
cp "$F/j.journey" "$F/j2.journey"
cp "$F/j.journey.orig" "$F/j.journey"
usage "fit --scenario NAME the journey has" "^cjm fit: --scenario Fitted: the journey has a scenario of that name" fit --scenario Fitted -o "$F/out.journey" "$F/j2.journey" "$L"
rm -f "$F/j2.journey"
usage "discover without a log" "^cjm discover: no log to discover a journey in" discover --goal Buy
usage "discover without --goal" "^cjm discover: --goal EVENT is needed for an event log" discover -o "$F/out.journey" "$L"
usage "discover --min-share bad" "^cjm discover: --min-share must be a share" discover --goal Buy --min-share 2 "$L"
usage "discover --max-stages bad" "^cjm discover: --max-stages must be a whole number from 2 to 1000" discover --goal Buy --max-stages 1 "$L"
usage "score without a log" "^cjm score: no log of customers to score" score "$J"
usage "score --futures bad" "^cjm score: --futures must be a whole number" score --futures 0.5 "$J" "$L"
usage "score --cohort (not an option of score)" "^cjm score: unknown option '--cohort'" score --cohort 5 "$J" "$L"

# -o naming an input: the journey, the log (however spelled), for each command.
usage "fit -o JOURNEY" "^cjm fit: -o .*j\.journey is the journey being read" fit -o "$J" "$J" "$L"
usage "fit -o LOG" "^cjm fit: -o .*log\.csv is the log being read" fit -o "$L" "$J" "$L"
ln -sf log.csv "$F/log-link.csv"
usage "fit -o a link to the LOG" "^cjm fit: -o .*log-link\.csv is the log being read" fit -o "$F/log-link.csv" "$J" "$L"
rm -f "$F/log-link.csv"
usage "discover -o LOG" "^cjm discover: -o .*log\.csv is the log being read" discover --goal Buy -o "$L" "$L"
usage "score -o LOG" "^cjm score: -o .*log\.csv is the log being read" score -o "$L" "$J" "$L"
usage "score -o JOURNEY" "^cjm score: -o .*j\.journey is the journey being read" score -o "$J" "$J" "$L"

# ---- logs that cannot be read: exit 3, the reader's FILE:LINE message, nothing written ----
unreadable() { # name pattern args...
    name=$1
    pattern=$2
    shift 2
    run "$CJM" "$@"
    expect_status "$name: exit 3" 3
    expect_err "$name: says where and what" "$pattern"
    no_file "$name" "$F/out.journey"
}
unreadable "fit a missing log" "no-such\.csv" fit -o "$F/out.journey" "$J" "$F/no-such.csv"
printf 'customer_id,event,timestamp\nc1,Visit,1700000000\nc1,sign_up,not-a-time\n' >"$F/bad-time.csv"
unreadable "fit a bad time" "^$F/bad-time\.csv:3: " fit -o "$F/out.journey" "$J" "$F/bad-time.csv"
printf 'customer_id,event\nc1,Visit\n' >"$F/no-time.csv"
unreadable "fit a log without a time column" "no-time\.csv.*time" fit -o "$F/out.journey" "$J" "$F/no-time.csv"
printf 'customer_id,event,timestamp\nc1,"Visit,1700000000\n' >"$F/open-quote.csv"
unreadable "fit an unclosed quote" "open-quote\.csv:2" fit "$J" "$F/open-quote.csv"
printf 'not gzip' | gzip -c | head -c 12 >"$F/cut.csv.gz"
unreadable "fit a damaged gzip file" "cut\.csv\.gz" fit "$J" "$F/cut.csv.gz"
unreadable "discover a bad time" "^$F/bad-time\.csv:3: " discover --goal Buy -o "$F/out.journey" "$F/bad-time.csv"
unreadable "score a bad time" "^$F/bad-time\.csv:3: " score -o "$F/out.journey" "$J" "$F/bad-time.csv"

# ---- journeys with errors: exit 1 ----
printf 'stage A { -> Nowhere 50%% }\n' >"$F/broken.journey"
run "$CJM" fit -o "$F/out.journey" "$F/broken.journey" "$L"
expect_status "fit a journey with errors: exit 1" 1
expect_err "fit a journey with errors: its diagnostics" "broken\.journey:1:"
no_file "fit a journey with errors" "$F/out.journey"
run "$CJM" score "$F/broken.journey" "$L"
expect_status "score a journey with errors: exit 1" 1

# ---- help ----
for cmd in fit discover score; do
    run "$CJM" help "$cmd"
    expect_status "help $cmd: exit 0" 0
    expect_out "help $cmd: its usage" "^Usage: cjm $cmd "
    run "$CJM" "$cmd" --help
    expect_out "$cmd --help: its usage" "^Usage: cjm $cmd "
done
run "$CJM" --help
expect_out "cjm --help lists fit" "^  fit +"
expect_out "cjm --help lists discover" "^  discover +"
expect_out "cjm --help lists score" "^  score +"

# ---- a progress bar on a terminal only (from the start with CJM_PROGRESS_DELAY=0) ----
if command -v script >/dev/null 2>&1 && [ -z "${MEMCHECK:-}" ]; then
    awk 'BEGIN { print "customer_id,event,timestamp"; for (i = 0; i < 200000; i++) printf "c%d,Visit,%d\n", i, 1700000000 + i }' >"$F/big.csv"
    CJM_PROGRESS_DELAY=0 script -qec "'$CJM' fit --format json '$J' '$F/big.csv' >/dev/null" /dev/null >"$T/tty" 2>&1
    if grep -q 'cjm fit: \[=*>* *\] *[0-9]*%' "$T/tty" && grep -q "$(printf '\r\033\\[K')" "$T/tty"; then
        ok "fit: a progress bar on a terminal, erased at the end"
    else
        not_ok "fit: no progress bar on a terminal" "$(cat -v "$T/tty" | head -c 400)"
    fi
    CJM_PROGRESS_DELAY=0 script -qec "'$CJM' fit -q --format json '$J' '$F/big.csv' >/dev/null" /dev/null >"$T/tty" 2>&1
    if grep -q 'cjm fit: \[' "$T/tty"; then not_ok "fit -q: no progress bar" "$(cat -v "$T/tty" | head -c 400)"
    else ok "fit -q: no progress bar"; fi
    CJM_PROGRESS_DELAY=0 run "$CJM" fit --format json "$J" "$F/big.csv"
    expect_no_err "fit: no progress bar when standard error is not a terminal"
    rm -f "$F/big.csv"
fi
