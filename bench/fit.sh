#!/bin/sh
# bench/fit.sh: `make bench`'s rows for `cjm fit` (also `make bench-fit` alone). Measures, on this
# machine, one thread:
#   - events per second fitting a CSV sorted by time of 10^6 and 10^7 events (bench/loggen.c's
#     customers of bench/journeys/fit7.journey), beside the goal of 5x10^6 events/s (pm4py
#     imports 1.6x10^6 events in about 110 s: some 1.4x10^4 events/s);
#   - peak memory (RSS) beside the most customers in flight at once (from a case's first event to
#     the inactivity after its last), which bounds what a sorted log needs;
#   - the same log shuffled (unsorted: held whole, up to --max-memory), with its memory.
# QUICK=1 measures the 10^6 events only. The logs are generated into build/bench/ (some 400 MB for 10^7 events), never committed. Each
# speed is the best of REPS runs (default 2) of the whole process, from its CPU time (user +
# system: one thread, so on a machine shared with other work this is what the wall clock would
# be alone); the wall clock is shown beside it.
set -u
CJM=${CJM:-build/cjm}
LOGGEN=${LOGGEN:-build/bench/loggen}
W=${W:-build/bench}
REPS=${REPS:-2}
QUICK=${QUICK:-}  # QUICK=1: the 10^6 events only
J=bench/journeys/fit7.journey
mkdir -p "$W"

echo
echo "Fitting an event log (cjm fit, one thread)"
if ! "$CJM" fit --help >/dev/null 2>&1; then
    echo "  SKIPPED: this cjm has no fit command ($("$CJM" fit --help 2>&1 | head -n 1))"
    exit 0
fi
TIME=/usr/bin/time
if ! "$TIME" -f %M true >/dev/null 2>&1; then
    echo "  SKIPPED: GNU time (/usr/bin/time) is needed for peak memory"
    exit 0
fi

gen() { # EVENTS FILE -> the generator's summary line
    "$LOGGEN" "$1" 1 2>"$2.info" >"$2" || { echo "bench: loggen failed" >&2; exit 1; }
    cat "$2.info"
}
in_flight() { sed -n 's/.* \([0-9]*\) customers in flight.*/\1/p' "$1.info"; }

# fit_run LOG REPS [OPTION...] -> "cpu_seconds wall_seconds peak_MiB status" (the run of least CPU
# time; the largest peak memory)
fit_run() {
    log=$1
    reps=$2
    shift 2
    best=
    wall=
    mem=0
    i=0
    while [ "$i" -lt "$reps" ]; do
        "$TIME" -f '%U %S %e %M' -o "$W/fit.time" "$CJM" fit --threads 1 --inactivity 60days --format json "$@" \
            "$J" "$log" >/dev/null 2>"$W/fit.err"
        st=$?
        if [ "$st" -ne 0 ]; then
            echo "- - - $st"
            return
        fi
        line=$(tail -n 1 "$W/fit.time")
        cpu=$(echo "$line" | awk '{ print $1 + $2 }')
        if [ -z "$best" ] || [ "$(awk -v a="$cpu" -v b="$best" 'BEGIN { print (a < b) }')" = 1 ]; then
            best=$cpu
            wall=$(echo "$line" | awk '{ print $3 }')
        fi
        mem=$(echo "$line" | awk -v m="$mem" '{ print ($4 > m ? $4 : m) }')
        i=$((i + 1))
    done
    echo "$best $wall $(awk -v k="$mem" 'BEGIN { printf "%.1f", k / 1024 }') 0"
}

verdict() { # value op goal -> "ok" or "MISSED"
    awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN { ok = op == ">=" ? v >= g : v < g; print ok ? "ok" : "MISSED" }'
}

row() { # label LOG EVENTS REPS [OPTION...]
    label=$1
    log=$2
    events=$3
    reps=$4
    shift 4
    # shellcheck disable=SC2046
    set -- "$label" "$log" "$events" "$reps" $(fit_run "$log" "$reps" "$@")
    if [ "$8" != 0 ]; then
        printf '  %-26s %9s   cjm fit stopped (exit %s): %s\n' "$1" "$3" "$8" "$(head -n 1 "$W/fit.err")"
        return 1
    fi
    rate=$(awk -v n="$3" -v t="$5" 'BEGIN { r = t > 0 ? n / t : 0; printf "%.3g", r }')
    printf '  %-26s %9s %7s s %7s s %9s  %-6s %8s MiB  %s\n' \
        "$1" "$3" "$5" "$6" "$rate" "$(verdict "$rate" ">=" 5e6)" "$7" "$(in_flight "$2")"
}

s6=$(gen 1000000 "$W/fit-1e6.csv")
echo "  logs: $s6"
if [ -z "$QUICK" ]; then
    s7=$(gen 10000000 "$W/fit-1e7.csv")
    echo "        $s7"
    # The same events in another order (the header first): a fixed random source, so runs compare.
    {
        head -n 1 "$W/fit-1e7.csv"
        tail -n +2 "$W/fit-1e7.csv" | shuf --random-source="$W/fit-1e6.csv"
    } >"$W/fit-1e7-shuffled.csv"
    cp "$W/fit-1e7.csv.info" "$W/fit-1e7-shuffled.csv.info"
fi
printf '  %-26s %9s %9s %9s %9s  %-6s %12s  %s\n' "log" "events" "CPU" "wall" "events/s" "goal" "peak memory" \
    "customers in flight"
echo "  (goal: >= 5e6 events/s on one core)"
row "sorted" "$W/fit-1e6.csv" 1000000 "$REPS"
if [ -z "$QUICK" ]; then
    row "sorted" "$W/fit-1e7.csv" 10000000 "$REPS"
    row "shuffled (held whole)" "$W/fit-1e7-shuffled.csv" 10000000 1 ||
        row "shuffled, --max-memory 4G" "$W/fit-1e7-shuffled.csv" 10000000 1 --max-memory 4G
    rm -f "$W/fit-1e7.csv" "$W/fit-1e7-shuffled.csv"
fi
echo "  (a sorted log needs memory for the customers in flight only; an unsorted one holds every"
echo "   event until the end, up to --max-memory, default 1 GiB: beyond it cjm fit stops with an error)"
