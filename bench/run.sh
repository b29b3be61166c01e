#!/bin/sh
# bench/run.sh: `make bench`. Measures, in one run on this machine:
#   - customer-steps (stage entries) per second of `cjm run` on journeys of 7, 50 and 500 stages,
#     with constant probabilities and with mood expressions, touchpoints and rules, for cohorts of
#     10^6 and 10^7, next to bench/handloop.c (the 7-stage journey with no interpreter), as a ratio;
#   - the speed-up of two threads over one;
#   - peak memory (RSS) for 10^4 and 10^7 customers;
#   - `cjm check` of a generated 5000-stage journey, `cjm run --exact` of a 1000-stage one and
#     `cjm graph --static` of a 200-stage one with churn from every stage.
# Each speed is the best of REPS runs (default 3; 2 for 10^7 customers), and each row measures the
# hand loop again, alternating with cjm, so that a busy machine slows both alike and the ratio
# compares like with like.
# cjm's own figures come from `cjm run --stats` (the simulation's time, not start-up; without the
# removal-effect attribution, which runs the journey again once per channel).
set -u
CJM=${CJM:-build/cjm}
HAND=${HAND:-build/bench/handloop}
W=${W:-build/bench}
REPS=${REPS:-3}
mkdir -p "$W"

for n in 50 500; do
    sh bench/gen.sh $n plain >"$W/s$n.journey"
    sh bench/gen.sh $n rich >"$W/s$n-rich.journey"
done
sh bench/gen.sh 1000 plain >"$W/s1000.journey"
sh bench/gen.sh 5000 rich >"$W/s5000-rich.journey"

# cjm_run JOURNEY COHORT THREADS REPS -> "steps_per_s peak_MiB" (the best of REPS runs)
cjm_run() {
    best=0
    mem=0
    i=0
    while [ $i -lt "$4" ]; do
        line=$("$CJM" run -q --stats --no-removal-effect --threads "$3" --cohort "$2" --format json -o /dev/null "$1" 2>&1 >/dev/null | tail -n 1)
        rate=$(echo "$line" | sed -n 's/.*: \([0-9.e+]*\) stage entries\/s.*/\1/p')
        m=$(echo "$line" | sed -n 's/.*peak memory \([0-9.]*\) MiB.*/\1/p')
        [ -n "$rate" ] || { echo "bench: cjm failed on $1: $line" >&2; echo "0 0"; return; }
        best=$(awk -v a="$best" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')
        mem=$(awk -v a="$mem" -v b="$m" 'BEGIN { print (b > a ? b : a) }')
        i=$((i + 1))
    done
    echo "$best $mem"
}

hand_run() { # COHORT REPS -> steps/s
    best=0
    i=0
    while [ $i -lt "$2" ]; do
        rate=$("$HAND" "$1" | sed -n 's/.*: \([0-9.e+]*\) stage entries\/s.*/\1/p')
        best=$(awk -v a="$best" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')
        i=$((i + 1))
    done
    echo "$best"
}

seconds() { # command... -> wall-clock seconds
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

verdict() { # value op goal -> "ok" or "MISSED"
    awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN { ok = op == ">=" ? v >= g : v < g; print ok ? "ok" : "MISSED" }'
}

cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
echo "cjm benchmark: $("$CJM" --version), $cores online cores, $(uname -m)"
echo
echo "Speed, one thread: customer-steps (stage entries) per second"
printf '%-34s %8s %12s %12s %8s  %s\n' "journey" "cohort" "cjm" "hand loop" "ratio" "goal"

row() { # label journey cohort-exponent goal-ratio(or -)
    label=$1
    j=$2
    e=$3
    goal=$4
    cohort=1000000
    reps=$REPS
    if [ "$e" = 7 ]; then
        cohort=10000000
        reps=$(( REPS < 2 ? REPS : 2 ))
    fi
    best=0
    hand=0
    k=0
    while [ $k -lt $reps ]; do
        h=$(hand_run $cohort 1)
        c=$(cjm_run "$j" $cohort 1 1 | cut -d' ' -f1)
        hand=$(awk -v a="$hand" -v b="$h" 'BEGIN { print (b > a ? b : a) }')
        best=$(awk -v a="$best" -v b="$c" 'BEGIN { print (b > a ? b : a) }')
        k=$((k + 1))
    done
    ratio=$(awk -v a="$best" -v b="$hand" 'BEGIN { printf "%.2f", a / b }')
    if [ "$goal" = - ]; then
        printf '%-34s %8s %12.4g %12.4g %8s\n' "$label" "10^$e" "$best" "$hand" "$ratio"
    else
        printf '%-34s %8s %12.4g %12.4g %8s  >= %s: %s\n' "$label" "10^$e" "$best" "$hand" "$ratio" "$goal" \
            "$(verdict "$ratio" ">=" "$goal")"
    fi
}
for e in 6 7; do
    row "7 stages, constant" bench/journeys/b7.journey $e 0.5
    row "7 stages, mood+touchpoints+rules" bench/journeys/b7-rich.journey $e 0.2
    row "50 stages, constant" "$W/s50.journey" $e -
    row "50 stages, mood+touchpoints+rules" "$W/s50-rich.journey" $e -
    row "500 stages, constant" "$W/s500.journey" $e -
    row "500 stages, mood+touchpoints+rules" "$W/s500-rich.journey" $e -
done

echo
echo "Two threads over one (10^7 customers)"
printf '%-34s %12s %12s %9s  %s\n' "journey" "1 thread" "2 threads" "speed-up" "goal"
for pair in "7 stages, constant:bench/journeys/b7.journey" "7 stages, mood+touchpoints+rules:bench/journeys/b7-rich.journey" \
    "50 stages, constant:$W/s50.journey" "500 stages, mood+touchpoints+rules:$W/s500-rich.journey"; do
    label=${pair%%:*}
    j=${pair#*:}
    one=0
    two=0
    k=0
    while [ $k -lt 2 ]; do # alternating, the best of two each
        a=$(cjm_run "$j" 10000000 1 1 | cut -d' ' -f1)
        b=$(cjm_run "$j" 10000000 2 1 | cut -d' ' -f1)
        one=$(awk -v x="$one" -v y="$a" 'BEGIN { print (y > x ? y : x) }')
        two=$(awk -v x="$two" -v y="$b" 'BEGIN { print (y > x ? y : x) }')
        k=$((k + 1))
    done
    up=$(awk -v a="$one" -v b="$two" 'BEGIN { printf "%.2f", b / a }')
    printf '%-34s %12.4g %12.4g %8sx  >= 1.7: %s\n' "$label" "$one" "$two" "$up" "$(verdict "$up" ">=" 1.7)"
done
if [ "$cores" != "?" ] && [ "$cores" -lt 2 ]; then echo "  (one core only: two threads cannot run at once here)"; fi

echo
echo "Peak memory (RSS), 7 stages, every core"
m4=$(cjm_run bench/journeys/b7.journey 10000 "$cores" 1 | cut -d' ' -f2)
m7=$(cjm_run bench/journeys/b7.journey 10000000 "$cores" 1 | cut -d' ' -f2)
r=$(awk -v a="$m4" -v b="$m7" 'BEGIN { printf "%.2f", b / a }')
printf '  10^4 customers: %s MiB; 10^7 customers: %s MiB; ratio %s (goal <= 1.5: %s; under 64 MiB: %s)\n' \
    "$m4" "$m7" "$r" "$(verdict 1.5 ">=" "$r")" "$(verdict "$m7" "<" 64)"
m7r=$(cjm_run "$W/s500-rich.journey" 10000000 "$cores" 1 | cut -d' ' -f2)
printf '  500 stages with rules, 10^7 customers: %s MiB\n' "$m7r"

echo
echo "Front end, exact analysis and layout (wall clock, whole process)"
t=$(seconds "$CJM" check "$W/s5000-rich.journey")
printf '  cjm check, 5000 stages:        %s s (goal < 1 s: %s)\n' "$t" "$(verdict "$t" "<" 1)"
t=$(seconds "$CJM" run --exact --format json -o /dev/null "$W/s1000.journey")
printf '  cjm run --exact, 1000 stages:  %s s (goal < 1 s: %s)\n' "$t" "$(verdict "$t" "<" 1)"
awk 'BEGIN { for (i = 0; i < 200; i++) printf "stage S%d %s{ touchpoint T%d { reach 50%% } -> S%d 70%% -> S%d 10%% -> churn otherwise \"lost at %d\" }\n", i, i == 199 ? "goal " : "", i, (i + 1) % 200, (i + 7) % 200, i }' >"$W/g200.journey"
t=$(seconds "$CJM" graph --static -o "$W/g200.svg" "$W/g200.journey")
printf '  cjm graph --static, 200 stages: %s s (goal < 10 s: %s)\n' "$t" "$(verdict "$t" "<" 10)"
