# tests/cli/streams.sh: one way of drawing random numbers for every simulation (sourced by
# tests/run.sh; files in $T): `cjm run J --seed S` gives the figures of `cjm compare J --seed S`'s
# journey column to the last digit (issue 12: they drew differently and disagreed), and a run's
# output does not depend on --threads. docs/semantics.md, "Randomness and threads".

# run_figures FILE: conversion, churn, revenue, cost per customer and NPS of cjm run's JSON: the
# whole cohort's figures that compare compares (schema 3: cohort_churn, money.arpu,
# money.cost_per_member, satisfaction.cohort_nps).
run_figures() {
    awk '
        /^  "(conversion|cohort_churn)": / {
            k = $1; gsub(/[":]/, "", k)
            match($0, /"rate": [^,}]*/); f[k] = substr($0, RSTART + 8, RLENGTH - 8)
        }
        /^    "(arpu|cost_per_member|cohort_nps)": / { k = $1; gsub(/[":]/, "", k); v = $2; sub(/,$/, "", v); f[k] = v }
        END { print f["conversion"], f["cohort_churn"], f["arpu"], f["cost_per_member"], f["cohort_nps"] }' "$1"
}
# compare_figures FILE: the same figures of the journey column ("baseline") of cjm compare's JSON.
compare_figures() {
    awk '
        /^  "baseline": / { on = 1; next }
        on && /^  [^ ]/ { on = 0 }
        on && /^    "[a-z_0-9]+": / { k = $1; gsub(/[":]/, "", k) }
        on && /^      "value": / { v = $2; sub(/,$/, "", v); f[k] = v }
        END { print f["conversion"], f["churn"], f["revenue_per_customer"], f["cost_per_customer"], f["nps"] }' "$1"
}

# ---- cjm run and cjm compare's journey column: the same figures, to the last digit ----
# b2b-saas: personas, rules, touchpoints, a horizon (removals of channels); ecommerce: scenarios.
for case in "examples/b2b-saas.journey|--removal channels" "examples/ecommerce.journey|"; do
    j=${case%%|*}
    mode=${case#*|}
    name=$(basename "$j" .journey)
    for seed in 1 7; do
        "$CJM" run --format json --seed $seed "$j" >"$T/run.json" 2>/dev/null
        # shellcheck disable=SC2086
        "$CJM" compare $mode --format json --seed $seed "$j" >"$T/compare.json" 2>/dev/null
        r=$(run_figures "$T/run.json")
        c=$(compare_figures "$T/compare.json")
        case "$r" in
        *[0-9]*" "*[0-9]*" "*[0-9]*" "*[0-9]*" "*[0-9]*) ;;
        *) r="(figures missing: $r)" ;;
        esac
        if [ "$r" = "$c" ]; then ok "streams: $name seed $seed: cjm run's figures are compare's journey column ($r)"
        else not_ok "streams: $name seed $seed: cjm run and compare's journey column differ" "run:     $r
compare: $c"; fi
    done
done
# With options that change the run: a persona, a horizon, a cohort; compare on more threads.
"$CJM" run --format json --seed 3 --cohort 9000 --horizon "200 days" --persona MidMarket --threads 1 \
    examples/b2b-saas.journey >"$T/run.json" 2>/dev/null
"$CJM" compare --removal stages --format json --seed 3 --cohort 9000 --horizon "200 days" --persona MidMarket \
    --threads 3 examples/b2b-saas.journey >"$T/compare.json" 2>/dev/null
r=$(run_figures "$T/run.json")
c=$(compare_figures "$T/compare.json")
if [ "$r" = "$c" ] && [ -n "${r%% *}" ]; then ok "streams: with --persona, --horizon and --cohort, run and compare agree ($r)"
else not_ok "streams: with --persona, --horizon and --cohort, run and compare differ" "run:     $r
compare: $c"; fi

# ---- and their intervals: the journey column's own interval of each figure is the run's ----
# (conversion and churn: Wilson; money: the normal interval of a mean, the delta method for CAC)
cat >"$T/intervals.py" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
base = json.load(open(sys.argv[2]))["baseline"]
money = run["money"]
pairs = [("conversion", run["conversion"]["ci95"]), ("churn", run["cohort_churn"]["ci95"]),
         ("revenue_per_customer", money["arpu_ci95"]),
         ("cost_per_customer", money["cost_per_member_ci95"]), ("cac", money["cost_per_conversion_ci95"])]
bad = [f"{k}: run {r} compare {base[k]['ci95']}" for k, r in pairs if r != base[k]["ci95"]]
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
"$CJM" run --format json --seed 7 examples/b2b-saas.journey >"$T/run.json" 2>/dev/null
"$CJM" compare --removal channels --format json --seed 7 examples/b2b-saas.journey >"$T/compare.json" 2>/dev/null
if python3 "$T/intervals.py" "$T/run.json" "$T/compare.json" >"$tmp/iv" 2>&1; then
    ok "streams: compare's journey column gives the run's intervals (conversion, churn, money)"
else not_ok "streams: compare's journey column gives other intervals than cjm run" "$(cat "$tmp/iv")"; fi

# ---- any number of threads: the same bytes ----
# 40 000 customers are 10 blocks: 8 threads run most of them at once, 3 share them unevenly.
for t in 1 2 3 8; do
    "$CJM" run --format json --cohort 40000 --seed 7 --threads $t examples/b2b-saas.journey >"$T/threads-$t.json" 2>/dev/null
done
for t in 2 3 8; do
    check "streams: byte-identical JSON for --threads 1 and $t" cmp "$T/threads-1.json" "$T/threads-$t.json"
done
"$CJM" compare --format json --cohort 40000 --seed 7 --threads 1 examples/ecommerce.journey >"$T/cmp-1.json" 2>/dev/null
"$CJM" compare --format json --cohort 40000 --seed 7 --threads 8 examples/ecommerce.journey >"$T/cmp-8.json" 2>/dev/null
check "streams: byte-identical compare JSON for --threads 1 and 8" cmp "$T/cmp-1.json" "$T/cmp-8.json"
