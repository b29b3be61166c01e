# tests/models/closed-form.sh: cjm's simulation of two customer-base models from the literature,
# BG/NBD repeat purchases (examples/bgnbd.journey) and shifted-beta-geometric contract renewals
# (examples/sbg.journey), against the closed forms tests/models/closed_form.py derives itself:
# each figure's interval must hold its closed form, and a parameter 30% off must be caught
# (docs/models.md). Sourced by tests/run.sh (scratch files in $T).

if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIP tests/models/closed-form.sh: python3 is needed"
else
    python3 tests/models/closed_form.py check "$CJM" "$T" >"$T/models" 2>"$T/models.err"
    models_status=$?
    while IFS= read -r line; do
        case "$line" in
        PASS*) ok "models: ${line#PASS }" ;;
        FAIL*) rest=${line#FAIL }; not_ok "models: ${rest%%	*}" "${rest#*	}" ;;
        NOTE*) echo "note models: ${line#NOTE }" ;;
        *) not_ok "models: unexpected output" "$line" ;;
        esac
    done <"$T/models"
    [ "$models_status" -eq 0 ] || not_ok "models: the checks stopped (exit $models_status)" "$(tail -n 20 "$T/models.err")"
fi
