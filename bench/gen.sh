#!/bin/sh
# bench/gen.sh N KIND: a generated journey of N stages on standard output, for the benchmarks.
#   plain  constant probabilities, exponential waits, 4 personas
#   rich   the same with mood in the arrows, touchpoints, a curve and rules
# Each stage moves on by one (50%), skips ahead (40%), goes back three (5%) or churns (5%), so
# customers spread deep into long journeys; every tenth stage is a goal.
set -eu
n=$1
kind=${2:-plain}
awk -v n="$n" -v kind="$kind" 'BEGIN {
    print "journey \"Bench: " n " stages, " kind "\" { cohort 1000000 seed 1 }"
    print "persona P1 { share 25% mood 0.1  k = 0.8 }"
    print "persona P2 { share 25% mood -0.1 k = 0.3 }"
    print "persona P3 { share 25%           k = 0.5 }"
    print "persona P4 { share 25% mood 0.2  k = 0.6 }"
    if (kind == "rich") {
        print "channel web \"Web\""
        printf "curve {"
        for (i = 0; i < n; i += 3) printf " S%d %.1f", i, ((i * 7) % 11 - 5) / 10
        print " }"
    }
    for (i = 0; i < n; i++) {
        goal = (i % 10 == 9) ? " goal" : ""
        printf "stage S%d%s {\n  wait exponential(%d days)\n", i, goal, 1 + i % 5
        if (goal != "") print "  revenue 10"
        if (kind == "rich" && i % 2 == 0)
            printf "  touchpoint T%d { channel web reach %d%% emotion %.2f cost 0.1 }\n", i, 30 + i % 60, ((i * 13) % 9 - 4) / 20
        if (i + 1 < n) {
            skip = i + 2 + (i * 7) % 40
            if (skip >= n) skip = n - 1
            if (kind == "rich") printf "  -> S%d 45%% + 10%% * mood\n", i + 1
            else printf "  -> S%d 50%%\n", i + 1
            if (skip > i + 1) printf "  -> S%d 40%%\n", skip
        }
        if (i >= 3) printf "  -> S%d 5%%\n", i - 3
        printf "  -> churn otherwise \"left at %d\"\n}\n", i % 7
    }
    if (kind == "rich") {
        print "touchpoint Gift { channel web emotion 0.3 cost 2 }"
        for (r = 0; r < 10; r++) {
            s = int(r * n / 10)
            printf "rule R%d when stage == S%d and mood < 0 { touch Gift with 40%% }\n", r, s
        }
        print "rule Loyal when visits(S0) > 1 and k > 0.5 { mood += 0.05 }"
    }
}'
