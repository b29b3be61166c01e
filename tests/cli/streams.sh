# tests/cli/streams.sh: one way of drawing random numbers for every simulation (sourced by
# tests/run.sh; files in $T): `cjm run J --seed S` gives the figures of `cjm compare J --seed S`'s
# journey column to the last digit, under the same names (issue 12: they drew differently and
# disagreed; issue 14: the same figures), and a run's output does not depend on --threads.
# docs/semantics.md, "Randomness and threads".

# The figures compare compares, by their path in cjm run's JSON (schema 3), which is their path in
# the journey's column ("baseline") of compare's JSON (its schema 2): the same names.
cat >"$T/figures.py" <<'PY'
import json, sys
FIGURES = ["conversion", "prospects.lost", "time_to_convert.mean", "customers.churn", "customers.monthly_churn",
           "customers.retention.day_90", "money.arpu", "money.ltv", "money.cac", "money.cost_to_serve",
           "money.ltv_cac", "money.payback_days", "money.cost_per_member", "money.cost_per_conversion",
           "satisfaction.nps", "cohort_churn"]
def at(doc, path):
    *outer, key = path.split(".")
    for k in outer:
        doc = doc[k]
    return doc, key
def run_value(run, path):  # a rate object's rate, or a number; its interval (a rate's ci95, or key_ci95)
    doc, key = at(run, path)
    v = doc[key]
    if isinstance(v, dict):
        return v["rate"], v.get("ci95")
    return v, doc.get(key + "_ci95")
run = json.load(open(sys.argv[1]))
base = json.load(open(sys.argv[2]))["baseline"]
what = sys.argv[3]
values, bad = [], []
for path in FIGURES:
    r, r_ci = run_value(run, path)
    doc, key = at(base, path)
    c = doc[key]
    if what == "values":
        values.append(f"{path}={r}")
        if r != c["value"]:
            bad.append(f"{path}: run {r}, compare {c['value']}")
    elif r_ci is not None and r_ci != c["ci95"]:  # intervals: where the run gives one
        bad.append(f"{path}: run {r_ci}, compare {c['ci95']}")
print("\n".join(bad) if bad else " ".join(values))
sys.exit(1 if bad else 0)
PY
# agree WHAT RUN.json COMPARE.json: the journey column's values (WHAT values) or intervals (WHAT
# intervals) are the run's, to the last digit; prints the values, or the figures that differ.
agree() { python3 "$T/figures.py" "$2" "$3" "$1" >"$tmp/agree" 2>&1; }

# ---- cjm run and cjm compare's journey column: the same figures, to the last digit ----
# b2b-saas: personas, rules, touchpoints, surveys, a horizon (removals of channels); ecommerce:
# scenarios.
for case in "examples/b2b-saas.journey|--removal channels" "examples/ecommerce.journey|"; do
    j=${case%%|*}
    mode=${case#*|}
    name=$(basename "$j" .journey)
    for seed in 1 7; do
        "$CJM" run --format json --seed $seed "$j" >"$T/run.json" 2>/dev/null
        # shellcheck disable=SC2086
        "$CJM" compare $mode --format json --seed $seed "$j" >"$T/compare.json" 2>/dev/null
        if agree values "$T/run.json" "$T/compare.json"; then
            ok "streams: $name seed $seed: cjm run's figures are compare's journey column"
        else not_ok "streams: $name seed $seed: cjm run and compare's journey column differ" "$(cat "$tmp/agree")"; fi
    done
done
# With options that change the run: a persona, a horizon, a cohort; compare on more threads.
"$CJM" run --format json --seed 3 --cohort 9000 --horizon "200 days" --persona MidMarket --threads 1 \
    examples/b2b-saas.journey >"$T/run.json" 2>/dev/null
"$CJM" compare --removal stages --format json --seed 3 --cohort 9000 --horizon "200 days" --persona MidMarket \
    --threads 3 examples/b2b-saas.journey >"$T/compare.json" 2>/dev/null
if agree values "$T/run.json" "$T/compare.json"; then ok "streams: with --persona, --horizon and --cohort, run and compare agree"
else not_ok "streams: with --persona, --horizon and --cohort, run and compare differ" "$(cat "$tmp/agree")"; fi
# More than one of compare's chunks (131 072 customers): the sums still add up as the run's.
"$CJM" run --format json --seed 2 --cohort 140000 --threads 2 examples/ecommerce.journey >"$T/run.json" 2>/dev/null
"$CJM" compare --format json --seed 2 --cohort 140000 --threads 2 examples/ecommerce.journey >"$T/compare.json" 2>/dev/null
if agree values "$T/run.json" "$T/compare.json"; then ok "streams: 140 000 customers (two chunks): run and compare agree"
else not_ok "streams: 140 000 customers (two chunks): run and compare differ" "$(cat "$tmp/agree")"; fi

# ---- and their intervals: the journey column's own interval of each figure is the run's ----
# (shares: Wilson; money: the normal interval of a mean, the delta method for ratios; retention:
# Greenwood; monthly churn: Poisson; NPS: its own)
"$CJM" run --format json --seed 7 examples/b2b-saas.journey >"$T/run.json" 2>/dev/null
"$CJM" compare --removal channels --format json --seed 7 examples/b2b-saas.journey >"$T/compare.json" 2>/dev/null
if agree intervals "$T/run.json" "$T/compare.json"; then
    ok "streams: compare's journey column gives the run's intervals"
else not_ok "streams: compare's journey column gives other intervals than cjm run" "$(cat "$tmp/agree")"; fi

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
