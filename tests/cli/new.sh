# tests/cli/new.sh: `cjm new` (sourced by tests/run.sh; files in $T). Every template makes a
# journey that checks without a warning, runs, and is formatted.

has_run=false
"$CJM" help run >/dev/null 2>&1 && has_run=true

run "$CJM" new --list
expect_status "new --list exits 0" 0
templates=$(awk 'NR > 1 { print $1 }' "$tmp/out")
for t in 4-stage 5-stage 7-stage saas ecommerce subscription minimal; do
    case " $(echo $templates) " in
    *" $t "*) ok "new --list lists $t" ;;
    *) not_ok "new --list lists $t" "$(out)" ;;
    esac
done

mkdir -p "$T/new"
for t in $templates; do
    run "$CJM" new --template "$t" "$T/new/my-$t-shop"
    expect_status "new -t $t exits 0" 0
    expect_out "new -t $t says what it wrote" "created .*my-$t-shop.journey"
    f="$T/new/my-$t-shop.journey"
    title=$(echo "My $t shop" | tr '-' ' ')
    if grep -q "^journey \"$title\"" "$f"; then ok "new -t $t: the title comes from the file's name"
    else not_ok "new -t $t: title" "$(grep '^journey' "$f")"; fi
    run "$CJM" check "$f"
    expect_status "new -t $t: the journey checks" 0
    expect_no_err "new -t $t: the journey checks without a warning"
    if $has_run; then
        # A template with arrivals brings its own prospects: --cohort does not apply to it.
        if grep -q '^ *arrivals ' "$f"; then run "$CJM" run -q "$f"; else run "$CJM" run -q --cohort 500 "$f"; fi
        expect_status "new -t $t: the journey runs" 0
    fi
    run "$CJM" fmt --check "$f"
    expect_status "new -t $t: the journey is formatted" 0
    grep -c '^ *//' "$f" >"$T/new/comments"
    if [ "$(cat "$T/new/comments")" -ge 10 ]; then ok "new -t $t: comments teach the language"; else not_ok "new -t $t: few comments"; fi
done

# Each business template shows the figures its kind of business watches (issue 14): SaaS and
# subscription a calendar (arrivals) and an NPS survey, e-commerce a CSAT survey and paid channels.
template_has() { if grep -Eq "$3" "$T/new/my-$1-shop.journey"; then ok "new -t $1: $2"; else not_ok "new -t $1: $2"; fi; }
template_has saas "visitors arrive every month" '^ *arrivals [0-9]+ per month'
template_has saas "an NPS survey" 'survey nps'
template_has saas "the figures it is built to show, named in its header" '^//.*MRR.*cjm run: Calendar'
template_has subscription "prospects arrive every month" '^ *arrivals [0-9]+ per month'
template_has subscription "an NPS survey" 'survey nps'
template_has ecommerce "a CSAT survey" 'survey csat'
template_has ecommerce "CAC per channel, named in its header" '^//.*CAC per channel'

run "$CJM" new
expect_status "new without a file writes standard output" 0
expect_out "new: the default template is 5-stage" '^import "std/5-stage"'
expect_out "new: the default title" '^journey "My journey"'
run sh -c "\"$CJM\" new -t minimal --title 'Say \"hi\" \\\\ bye' | \"$CJM\" check -"
expect_status "new --title: quotes and backslashes are escaped" 0

run "$CJM" new "$T/new/my-minimal-shop"
expect_status "new: an existing file is not overwritten" 3
expect_err "new: says the file exists" "already exists"
run "$CJM" new --force -t saas "$T/new/my-minimal-shop.journey"
expect_status "new --force overwrites" 0
if grep -q 'import "std/channels"' "$T/new/my-minimal-shop.journey"; then ok "new --force wrote the new template"; else not_ok "new --force wrote the new template"; fi

run "$CJM" new --template saa
expect_status "new: an unknown template is bad usage" 2
expect_err "new: an unknown template gets a suggestion" "did you mean 'saas'"
run "$CJM" new -t
expect_status "new -t without a value is bad usage" 2
run "$CJM" new a b
expect_status "new: two files is bad usage" 2
run "$CJM" new --help
expect_out "new --help shows the usage" '^Usage: cjm new'
