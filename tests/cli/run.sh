# tests/cli/run.sh: the command line of `cjm run`: option values, exit codes, determinism across
# threads, atomic output (sourced by tests/run.sh; files in $T).

J=tests/run/funnel.journey

run "$CJM" help run
expect_status "help run exits 0" 0
expect_out "help run shows the usage" '^Usage: cjm run'

run "$CJM" run --help
expect_out "run --help shows the usage" '^Usage: cjm run'

run "$CJM" --help
expect_out "--help lists run" '^  run '

# ---- bad values: a clear message and exit 2 ----
bad() { # name expected-stderr-pattern args...
    name=$1
    pattern=$2
    shift 2
    run "$CJM" run "$@"
    expect_status "bad usage: $name exits 2" 2
    expect_err "bad usage: $name is explained" "$pattern"
}
bad "--cohort 0" "--cohort must be a whole number" --cohort 0 "$J"
bad "--cohort -5" "--cohort must be a whole number.*'-5'" --cohort -5 "$J"
bad "--cohort 1e99" "--cohort must be a whole number.*'1e99'" --cohort 1e99 "$J"
bad "--cohort 2.5" "--cohort must be a whole number" --cohort 2.5 "$J"
bad "--cohort abc" "--cohort must be a whole number" --cohort abc "$J"
bad "--cohort nan" "--cohort must be a whole number" --cohort nan "$J"
bad "--threads 0" "--threads must be a whole number from 1" --threads 0 "$J"
bad "--threads 99999" "--threads must be a whole number from 1" --threads 99999 "$J"
bad "--seed -1" "--seed must be a whole number" --seed -1 "$J"
bad "--format xml" "--format must be table, json or csv, not 'xml'" --format xml "$J"
bad "--csv-table cells" "--csv-table must be stages, personas, touchpoints, channels, reasons, exits, curves, headline, pains, funnel, calendar, attribution, surveys or retention, not 'cells'" --format csv --csv-table cells "$J"
bad "--horizon soon" "--horizon must be a positive duration" --horizon soon "$J"
bad "--horizon -5" "--horizon must be a positive duration" --horizon -5 "$J"
bad "--horizon 0" "--horizon must be a positive duration" --horizon 0 "$J"
bad "--horizon nan" "--horizon must be a positive duration" --horizon nan "$J"
bad "--horizon inf" "--horizon must be a positive duration" --horizon inf "$J"
bad "--horizon 3 fortnights" "--horizon must be a positive duration" --horizon "3 fortnights" "$J"
bad "--horizon 2000000" "up to 1000000 days" --horizon 2000000 "$J"
bad "--horizon 1e308 weeks" "up to 1000000 days" --horizon "1e308 weeks" "$J"
bad "--max-steps 0" "--max-steps must be a whole number" --max-steps 0 "$J"
bad "--window 0" "--window must be a positive duration" --window 0 "$J"
bad "--window soon" "--window must be a positive duration" --window soon "$J"
bad "--window with --exact" "--window cannot be used with --exact: the exact analysis .* no distribution over time" --window 30 --exact "$J"
bad "--exact with --window" "--window cannot be used with --exact" --exact --window "2 weeks" "$J"
bad "unknown option" "unknown option '--frobnicate'" --frobnicate "$J"
bad "missing value" "needs a value" "$J" --cohort
bad "no file" "no journey file to run"
bad "two files" "give one journey file, not 2" "$J" "$J"
bad "unknown persona" "unknown persona 'Bargian'; did you mean 'Bargain'" --persona Bargian "$J"

run "$CJM" run "$T/no-such.journey"
expect_status "a missing journey file exits 3" 3

run "$CJM" run tests/run/journey-error.journey
expect_status "a journey with errors exits 1" 1

# ---- --window: only a goal reached within the window converts ----
run "$CJM" run --format json --cohort 1000 examples/cafe.journey
expect_out "without --window, customers convert" '"conversion": {"count": [1-9]'
run "$CJM" run --format json --cohort 1000 --window "1 minute" examples/cafe.journey
expect_out "--window 1 minute: nobody converts that fast" '"conversion": {"count": 0,'

# ---- arrivals: the cohort is the arrivals ----
printf 'journey "A" { horizon 60 days arrivals 100 per month }\nstage G goal { wait 7 days -> G 90%% -> churn otherwise }\n' >"$T/arrivals.journey"
run "$CJM" run --format json "$T/arrivals.journey"
expect_status "a journey with arrivals runs" 0
expect_out "a journey with arrivals simulates them" '"cohort": 200,'
run "$CJM" run --cohort 50 "$T/arrivals.journey"
expect_status "--cohort with arrivals exits 2" 2
expect_err "--cohort with arrivals is explained" "--cohort cannot be used with this journey: it declares arrivals, and its customers are the 200 who arrive"
run "$CJM" run --horizon 30 "$T/arrivals.journey"
expect_status "--horizon before the arrivals end exits 2" 2
expect_err "--horizon before the arrivals end is explained" "--horizon 30 days ends before this journey's arrivals do \\(day 60\\)"

# ---- horizon forms ----
for h in "90" "90d" "90days" "90 days" "12 weeks" "3 months" "2160 hours"; do
    run "$CJM" run --format json --cohort 100 --horizon "$h" "$J"
    expect_status "--horizon '$h' is accepted" 0
done
run "$CJM" run --format json --cohort 100 --horizon "12 weeks" "$J"
expect_out "--horizon 12 weeks is 84 days" '"horizon_days": 84,'
run "$CJM" run --format json --cohort 100 --horizon "36 hours" "$J"
expect_out "--horizon 36 hours is 1.5 days" '"horizon_days": 1.5,'
run "$CJM" run --format json --cohort 100 --horizon "1 year" "$J"
expect_out "--horizon 1 year is 365 days" '"horizon_days": 365,'
run "$CJM" run --format json --cohort 100 --horizon none tests/run/horizon.journey
expect_out "--horizon none removes the journey's horizon" '"horizon_days": null,'

# ---- the journey's settings and the options that override them ----
run "$CJM" run --format json examples/reference.journey
expect_out "the journey's cohort is the default" '"cohort": 20000,'
expect_out "the journey's seed is the default" '"seed": 7,'
expect_out "the journey's horizon is the default" '"horizon_days": 365,'
run "$CJM" run --format json --cohort 1e3 --seed 42 examples/reference.journey
expect_out "--cohort 1e3 is 1000 customers" '"cohort": 1000,'
expect_out "--seed overrides the journey's" '"seed": 42,'

# ---- determinism: same seed, any number of threads ----
for t in 1 2 4; do
    "$CJM" run --format json --cohort 30000 --seed 5 --threads $t examples/cafe.journey >"$T/threads-$t.json" 2>/dev/null
done
check "same seed: byte-identical JSON for --threads 1 and 2" cmp "$T/threads-1.json" "$T/threads-2.json"
check "same seed: byte-identical JSON for --threads 1 and 4" cmp "$T/threads-1.json" "$T/threads-4.json"
"$CJM" run --format json --cohort 30000 --seed 6 --threads 2 examples/cafe.journey >"$T/seed-6.json" 2>/dev/null
if cmp -s "$T/threads-1.json" "$T/seed-6.json"; then not_ok "different seeds give different results"; else ok "different seeds give different results"; fi
"$CJM" run --format table --cohort 30000 --seed 5 --threads 3 examples/cafe.journey >"$T/t3.txt" 2>/dev/null
"$CJM" run --format table --cohort 30000 --seed 5 --threads 1 examples/cafe.journey >"$T/t1.txt" 2>/dev/null
check "same seed: identical tables for --threads 1 and 3" cmp "$T/t1.txt" "$T/t3.txt"

# ---- every example runs, in every format ----
for f in examples/*.journey; do
    for fmt in table json csv; do
        run "$CJM" run -q --format $fmt --cohort 3000 "$f"
        expect_status "example runs: $f --format $fmt" 0
    done
done

run "$CJM" run -q --format csv --csv-table channels --cohort 1000 examples/cafe.journey
expect_out "CSV quotes a field with a comma" '^store,"Shop, branch or venue \(in person\)",'
printf 'stage A { -> churn 100%% "gone" }\n' >"$T/stdin.journey"
run sh -c "\"$CJM\" run -q --format csv --csv-table reasons --cohort 10 - <\"$T/stdin.journey\""
expect_out "a journey on standard input runs" '^A,gone,10,[0-9]+,0,1$'

# ---- the exact analysis ----
printf 'stage A {\n  -> B     30%% + 20%% * mood\n  -> churn otherwise "lost"\n}\nstage B goal {}\n' >"$T/mood.journey"
run "$CJM" run --exact "$T/mood.journey"
expect_status "--exact refuses a journey with mood in an arrow (exit 1)" 1
expect_err "--exact names the construct and its place" "mood.journey:2:24: error: --exact needs arrow probabilities .* depends on 'mood'"
run "$CJM" run --exact examples/reference.journey
expect_status "--exact refuses the reference journey (exit 1)" 1
expect_err "--exact on the reference journey names a construct and its place" "reference.journey:[0-9]+:[0-9]+: error: --exact needs .* depends on '"
run "$CJM" run --exact --format json "$J"
expect_status "--exact on a Markov journey exits 0" 0
expect_out "--exact says so in the report" '"exact": true,'
run "$CJM" run --exact --format json --persona Pro "$J"
expect_out "--exact --persona analyses one persona" '"persona": "Pro",'

# ---- the intervals of money (ARPU, cost per cohort member, cost per conversion) ----
# On a Markov journey the exact analysis gives the expected values; the 95% interval of each
# simulated figure must hold its expected value about 95% of the time: here in at least 17 of 20
# seeds (a calibrated interval misses more than 3 times in 20 with probability 1.6%; measured over
# 200 seeds: 94% to 96%). The journey's revenue and cost vary from customer to customer (a loop
# that earns at every turn, touchpoints met by chance).
H=tests/run/csv-headline.journey
"$CJM" run -q --exact --format csv --csv-table headline "$H" >"$T/money-exact.csv" 2>"$T/money.err"
rm -f "$T/money-sims.csv"
for seed in $(seq 1 20); do
    "$CJM" run -q --format csv --csv-table headline --cohort 2000 --seed $seed "$H" >>"$T/money-sims.csv" 2>>"$T/money.err"
done
for fig in money_arpu money_cost_per_member money_cost_per_conversion; do
    covered=$(awk -F, -v fig=$fig 'NR == FNR { if ($1 == fig) exact = $2; next }
        $1 == fig && $3 != "" && $3 <= exact && exact <= $4 { n++ } END { print n + 0 }' "$T/money-exact.csv" "$T/money-sims.csv")
    if [ "$covered" -ge 17 ]; then ok "the 95% interval of $fig holds the exact value in $covered of 20 seeds"
    else not_ok "the 95% interval of $fig holds the exact value in only $covered of 20 seeds" "$(cat "$T/money-exact.csv")"; fi
done
if awk -F, '$1 ~ /^money_(arpu|cost_per_member|cost_per_conversion)$/ { n++; if ($2 == "" || $3 != "" || $4 != "") bad = 1 }
    END { exit bad || n != 3 }' "$T/money-exact.csv"
then ok "--exact: money figures are expected values without an interval"
else not_ok "--exact: money figures have no interval" "$(cat "$T/money-exact.csv")"; fi
run "$CJM" run -q --format json --cohort 500 "$H"
expect_out "JSON: ARPU has its interval" '^    "arpu_ci95": \[[0-9.]+, [0-9.]+\],$'
expect_out "JSON: CAC has its interval" '^    "cac_ci95": \[[0-9.]+, [0-9.]+\],$'
expect_out "JSON: cost per conversion has its interval" '^    "cost_per_conversion_ci95": \[[0-9.]+, [0-9.]+\]$'
run "$CJM" run -q --cohort 500 "$H"
expect_out "the table gives ARPU with its interval" '^    ARPU +[0-9.]+  per cohort member, 95% CI [0-9.]+–[0-9.]+$'
expect_out "the table gives cost per member and per conversion with their intervals" '^    Cost +[0-9.]+  in all · per member [0-9.]+, 95% CI [0-9.]+–[0-9.]+ · per conversion [0-9.]+, 95% CI [0-9.]+–[0-9.]+$'
printf 'stage A { touchpoint T { cost 1 } -> churn 100%% }\nstage B goal {}\n' >"$T/noconv.journey"
run "$CJM" run -q --format json --cohort 300 "$T/noconv.journey"
expect_out "without conversions CAC is null" '^    "cac": null,$'
expect_out "without conversions CAC has no interval" '^    "cac_ci95": null,$'
expect_out "without conversions CAC says why" '^    "cac_note": "no customer converted",$'
expect_out "without conversions the cost per conversion is null" '^    "cost_per_conversion": null,$'
run "$CJM" run -q --cohort 300 "$T/noconv.journey"
expect_out "without conversions the table shows LTV - and why" '^    LTV +-  no customer converted$'
expect_out "without conversions the table shows CAC -, for the same reason" '^    CAC +-  \(the same\)$'
expect_out "without conversions the table shows the cost per conversion -" '^    Cost +300\.00  in all · per member 1\.00, 95% CI 1\.00–1\.00 · per conversion -$'

# ---- output files: atomic, and failures exit 3 ----
run "$CJM" run -q --format json --cohort 500 -o "$T/report.json" "$J"
expect_status "-o FILE exits 0" 0
check "-o FILE writes the report" grep -q '"schema": 3' "$T/report.json"
if [ ! -s "$tmp/out" ]; then ok "-o FILE writes nothing on stdout"; else not_ok "-o FILE writes nothing on stdout" "$(out)"; fi
leftovers=$(find "$T" -name '.*tmp*' | wc -l)
if [ "$leftovers" -eq 0 ]; then ok "-o leaves no temporary file"; else not_ok "-o leaves no temporary file" "$(ls -a "$T")"; fi
echo "old report" >"$T/keep.json"
run "$CJM" run -q --format json --cohort 500 -o "$T/keep.json" --exact examples/reference.journey
expect_status "a refused run exits 1" 1
check "a failed run leaves the old output file untouched" grep -q "old report" "$T/keep.json"
run "$CJM" run -q --cohort 500 -o /dev/full "$J"
expect_status "-o /dev/full exits 3" 3
expect_err "-o /dev/full says why" "cannot write '/dev/full'"
run "$CJM" run -q --cohort 500 -o "$T/no/such/folder/r.json" "$J"
expect_status "-o into a missing folder exits 3" 3
run "$CJM" run -q --cohort 500 -o "$T" "$J"
expect_status "-o a folder exits 3" 3
run "$CJM" run -q --cohort 500 -o /dev/null "$J"
expect_status "-o /dev/null is written in place" 0
if [ -c /dev/null ]; then ok "/dev/null is still a device"; else not_ok "/dev/null is still a device"; fi
if [ -w /dev/full ] && [ -c /dev/full ]; then
    "$CJM" run -q --cohort 500 "$J" >/dev/full 2>"$T/full.err"
    status=$?
    expect_status "standard output on a full disk exits 3" 3
fi
mkdir -p "$T/ro"
chmod 555 "$T/ro"
if [ ! -w "$T/ro" ]; then # root may write anywhere: the check would mean nothing
    run "$CJM" run -q --cohort 500 -o "$T/ro/r.json" "$J"
    expect_status "-o in a read-only folder exits 3" 3
    if [ -z "$(ls -A "$T/ro")" ]; then ok "a read-only folder is left empty"; else not_ok "a read-only folder is left empty"; fi
fi
chmod 755 "$T/ro"

# ---- warnings are printed with their place, and -q hides them ----
run "$CJM" run --cohort 2000 tests/run/warnings.journey
expect_err "runtime warnings name the place" "warnings.journey:6:7: warning: [0-9]+ customers had no way on from stage 'Start'"
run "$CJM" run -q --cohort 2000 tests/run/warnings.journey
expect_no_err "-q hides the warnings"
run "$CJM" run -q --stats --cohort 2000 "$J"
expect_err "--stats reports speed and memory" 'stage entries/s.*peak memory'
