# tests/cli/limits.sh: every limit of docs/limits.md (sourced by tests/run.sh; files in $T): past
# it, an error that names it and exit 1 (or 3 for a file too large to read, 2 for an option),
# never a crash, a hang or an exhausted memory; at it, no error.

limit_error() { # name file expected-stderr-pattern [status]
    run "$CJM" check "$2"
    expect_status "limits: $1 is an error" "${4:-1}"
    expect_err "limits: $1 is named" "$3"
}

# ---- the file ----
truncate -s 65M "$T/huge.journey"
limit_error "a file over 64 MiB" "$T/huge.journey" "cannot read '.*huge.journey': it is larger than 64 MiB" 3

# ---- the lexer and parser ----
awk 'BEGIN { printf "stage "; for (i = 0; i < 300; i++) printf "A"; print " goal {}" }' >"$T/long-name.journey"
limit_error "an identifier over 256 bytes" "$T/long-name.journey" 'identifier is too long \(300 bytes; the limit is 256\)'
awk 'BEGIN { printf "stage A \""; for (i = 0; i < 5000; i++) printf "x"; print "\" goal {}" }' >"$T/long-string.journey"
limit_error "a string over 4096 bytes" "$T/long-string.journey" 'string is too long \(5000 bytes; the limit is 4096\)'
awk 'BEGIN { printf "stage A \""; for (i = 0; i < 4096; i++) printf "x"; print "\" goal {}" }' >"$T/string-4096.journey"
run "$CJM" check "$T/string-4096.journey"
expect_status "limits: a string of 4096 bytes is allowed" 0

# ---- imports ----
mkdir -p "$T/deep"
i=0
while [ $i -le 65 ]; do
    printf 'import "./m%d"\n' $((i + 1)) >"$T/deep/m$i.journey"
    i=$((i + 1))
done
printf 'stage A goal {}\n' >"$T/deep/m66.journey"
limit_error "imports nested over 64 deep" "$T/deep/m0.journey" 'imports nested more than 64 deep'
mkdir -p "$T/wide"
awk -v dir="$T/wide" 'BEGIN {
    for (i = 0; i <= 1000; i++) { printf "import \"./w%d\"\n", i > (dir "/main.journey"); printf "stage W%d {}\n", i > (dir "/w" i ".journey"); close(dir "/w" i ".journey") }
}'
limit_error "more than 1000 modules" "$T/wide/main.journey" 'more than 1000 modules imported'

# ---- diagnostics ----
awk 'BEGIN { print "stage A goal {"; for (i = 0; i < 60; i++) printf "  -> Missing%d 1%%\n", i; print "}" }' >"$T/many-errors.journey"
run "$CJM" check "$T/many-errors.journey"
expect_status "limits: many errors exit 1" 1
expect_err "limits: errors stop at 50" 'too many errors \(50\); stopping here'
if [ "$(grep -c ': error: ' "$tmp/err")" -eq 50 ]; then ok "limits: 50 errors are printed"
else not_ok "limits: errors printed" "$(grep -c ': error: ' "$tmp/err")"; fi

# ---- the checker's counts ----
awk 'BEGIN { for (i = 0; i <= 100000; i++) printf "stage S%d {}\n", i }' >"$T/many-stages.journey"
limit_error "more than 100000 stages" "$T/many-stages.journey" 'too many stages: 100001 \(the limit is 100000\)'
awk 'BEGIN { printf "stage A goal {\n"; for (i = 0; i <= 1000; i++) printf "  -> A 0%% when mood > %d\n", i; printf "}\n" }' >"$T/many-arrows.journey"
limit_error "more than 1000 arrows in a stage" "$T/many-arrows.journey" 'too many arrows in one stage: 1001 \(the limit is 1000\)'
awk 'BEGIN { for (i = 0; i <= 1000; i++) printf "persona P%d { share 0%% }\n", i; print "stage A goal {}" }' >"$T/many-personas.journey"
limit_error "more than 1000 personas" "$T/many-personas.journey" 'too many personas: 1001 \(the limit is 1000\)'
awk 'BEGIN { for (i = 0; i <= 10000; i++) printf "channel C%d\n", i; print "stage A goal {}" }' >"$T/many-channels.journey"
limit_error "more than 10000 channels" "$T/many-channels.journey" 'too many channels: 10001 \(the limit is 10000\)'
awk 'BEGIN { print "stage A goal {}"; for (i = 0; i <= 10000; i++) printf "rule R%d when mood > 2 { mood += 0 }\n", i }' >"$T/many-rules.journey"
limit_error "more than 10000 rules" "$T/many-rules.journey" 'too many rules: 10001 \(the limit is 10000\)'
awk 'BEGIN { print "stage A goal {}"; printf "rule R when mood > 2 {\n"; for (i = 0; i <= 1000; i++) print "  mood += 0"; print "}" }' >"$T/many-actions.journey"
limit_error "more than 1000 actions in a rule" "$T/many-actions.journey" 'too many actions in one rule: 1001 \(the limit is 1000\)'
awk 'BEGIN { print "stage A goal {}"; for (i = 0; i <= 1000; i++) printf "state s%d = 0\n", i }' >"$T/many-states.journey"
limit_error "more than 1000 state variables" "$T/many-states.journey" 'too many state variables: 1001 \(the limit is 1000\)'
awk 'BEGIN { printf "persona P { x = choice("; for (i = 0; i <= 1000; i++) printf "%s%d: 1", i ? ", " : "", i; print ") }"; print "stage A goal { -> A x / 10000 }" }' >"$T/many-choices.journey"
limit_error "more than 1000 values of a choice" "$T/many-choices.journey" "'choice' takes at most 1000 values, not 1001"
awk 'BEGIN { printf "persona P { x = choice("; for (i = 0; i < 1000; i++) printf "%s%d: 1", i ? ", " : "", i; print ") }"; print "stage A goal { -> A x / 10000 }" }' >"$T/choices-max.journey"
run "$CJM" check "$T/choices-max.journey"
expect_status "limits: a choice of 1000 values is allowed" 0
awk 'BEGIN { print "stage A goal {}"; for (i = 0; i <= 100; i++) printf "scenario S%d { }\n", i }' >"$T/many-scenarios.journey"
limit_error "more than 100 scenarios" "$T/many-scenarios.journey" 'too many scenarios: 101 \(the limit is 100\)'

# ---- values ----
printf 'journey "x" { cohort 1000000000001 }\nstage A goal {}\n' >"$T/cohort.journey"
limit_error "a cohort over 10^12" "$T/cohort.journey" 'cohort must be a whole number of customers from 1 to 10\^12'
printf 'journey "x" { cohort 1000000000000 }\nstage A goal {}\n' >"$T/cohort-max.journey"
run "$CJM" check "$T/cohort-max.journey"
expect_status "limits: a cohort of 10^12 is allowed" 0
printf 'journey "x" { seed 9007199254740993 }\nstage A goal {}\n' >"$T/seed.journey"
limit_error "a seed of 2^53 + 1 (read as 2^53)" "$T/seed.journey" 'seed must be a whole number from 0 to 2\^53'
printf 'journey "x" { horizon 1000000 days }\nstage A { wait 1000000 days -> B }\nstage B goal {}\n' >"$T/days-max.journey"
run "$CJM" check "$T/days-max.journey"
expect_status "limits: time values of 1000000 days are allowed" 0
run "$CJM" run --cohort 1000000000001 "$T/days-max.journey"
expect_status "limits: --cohort over 10^12 is bad usage" 2
run "$CJM" run --seed 9007199254740993 "$T/days-max.journey"
expect_status "limits: --seed over 2^53 - 1 is bad usage" 2
expect_err "limits: --seed's limit is named" 'from 0 to 2\^53 - 1'
run "$CJM" run -q --cohort 10 --seed 9007199254740991 "$T/days-max.journey"
expect_status "limits: --seed 2^53 - 1 is allowed" 0
