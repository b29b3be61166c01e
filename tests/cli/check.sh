# tests/cli/check.sh: the command line of `cjm` and `cjm check` (sourced by tests/run.sh; files in $T).

run "$CJM" --version
expect_status "--version exits 0" 0
expect_out "--version prints the version" '^cjm [0-9]+\.[0-9]+\.[0-9]+'

run "$CJM" --help
expect_status "--help exits 0" 0
expect_out "--help lists check" '^  check '

run "$CJM" help check
expect_status "help check exits 0" 0
expect_out "help check shows the usage" '^Usage: cjm check'

run "$CJM" check --help
expect_out "check --help shows the usage" '^Usage: cjm check'

run "$CJM"
expect_status "no command is bad usage" 2

run "$CJM" chekc x.journey
expect_status "unknown command is bad usage" 2
expect_err "unknown command suggests the right one" "did you mean 'check'"

run "$CJM" check --frobnicate examples/reference.journey
expect_status "unknown option is bad usage" 2
expect_err "unknown option is named" "unknown option '--frobnicate'"

run "$CJM" check
expect_status "check without a file is bad usage" 2

run "$CJM" --color=sometimes check examples/reference.journey
expect_status "bad --color is bad usage" 2

run "$CJM" help nosuch
expect_status "help for an unknown command is bad usage" 2

run "$CJM" check examples/reference.journey
expect_status "a clean journey checks" 0
expect_out "check reports what it found" 'reference.journey: ok: 6 stages, 2 personas, 10 touchpoints, 5 rules'
expect_no_err "a clean journey prints no diagnostics"

run "$CJM" check -q examples/reference.journey
expect_status "-q succeeds" 0
if [ ! -s "$tmp/out" ]; then ok "-q prints nothing on success"; else not_ok "-q prints nothing on success" "$(out)"; fi

run "$CJM" check examples/reference.journey tests/check/arrows-over.journey examples/cafe.journey
expect_status "several files: errors in one make the exit 1" 1
expect_out "several files: the others are still checked" 'cafe.journey: ok'

run "$CJM" check tests/check/warnings.journey
expect_status "warnings alone exit 0" 0
run "$CJM" check -q tests/check/warnings.journey
if [ ! -s "$tmp/err" ]; then ok "-q hides warnings"; else not_ok "-q hides warnings" "$(err)"; fi

run "$CJM" check "$T/missing.journey"
expect_status "a missing file exits 3" 3
expect_err "a missing file is named" "cannot read '.*missing.journey': No such file or directory"

run "$CJM" check "$T"
expect_status "a folder exits 3" 3

printf 'stage A goal {}\n' >"$T/ok.journey"
"$CJM" check - <"$T/ok.journey" >"$tmp/out" 2>"$tmp/err"
status=$?
expect_status "standard input is read with -" 0
expect_out "standard input is called <stdin>" '^<stdin>: ok'

printf 'stage A goal { -> Nowhere }\n' | "$CJM" check - >"$tmp/out" 2>"$tmp/err"
status=$?
expect_err "diagnostics on standard input name <stdin>" '^<stdin>:1:19: error: unknown stage'

run "$CJM" --color=always check tests/check/arrows-over.journey
expect_err "--color=always colours diagnostics" "$(printf '\033')\\[1;31merror"
run "$CJM" check tests/check/arrows-over.journey
if grep -q "$(printf '\033')" "$tmp/err"; then not_ok "no colour when not a terminal"; else ok "no colour when not a terminal"; fi

# Diagnostics as data: --format json and sarif (docs/cli.md), valid JSON, the required SARIF
# 2.1.0 properties, nothing on stderr, the exit status of the text format.
run "$CJM" check --format xml tests/check/warnings.journey
expect_status "an unknown --format is bad usage" 2
expect_err "an unknown --format is named" "--format must be text, json or sarif, not 'xml'"
run "$CJM" check --format json tests/check/unknown-stage.journey examples/reference.journey
expect_status "--format json: errors exit 1" 1
expect_no_err "--format json prints nothing on stderr"
if python3 -m json.tool "$tmp/out" >/dev/null 2>"$tmp/json-err"; then ok "--format json is valid JSON"
else not_ok "--format json is valid JSON" "$(cat "$tmp/json-err")"; fi
expect_out "--format json lists every file" '"path": "examples/reference.journey", "errors": 0'
run "$CJM" check --format json tests/check/binary-garbage.journey tests/check/invalid-utf8.journey
if python3 -m json.tool "$tmp/out" >/dev/null 2>"$tmp/json-err"; then ok "--format json stays valid JSON for binary input"
else not_ok "--format json stays valid JSON for binary input" "$(cat "$tmp/json-err")"; fi
run "$CJM" check --format json "$T/missing.journey"
expect_status "--format json: a missing file exits 3" 3
expect_out "--format json: a missing file is a diagnostic without a range" '"range": null'
cat >"$T/sarif.py" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
problems = []
def need(cond, what):
    if not cond: problems.append(what)
need(doc.get("version") == "2.1.0", "version 2.1.0")
need(isinstance(doc.get("$schema"), str) and "sarif" in doc["$schema"], "$schema")
runs = doc.get("runs")
need(isinstance(runs, list) and len(runs) == 1, "one run")
for run in runs or []:
    driver = run.get("tool", {}).get("driver", {})
    need(driver.get("name") == "cjm", "runs[].tool.driver.name")
    rules = [r.get("id") for r in driver.get("rules", [])]
    need(len(run.get("results", [])) > 0, "results")
    for r in run.get("results", []):
        need(isinstance(r.get("ruleId"), str), "results[].ruleId")
        need(r.get("ruleId") in rules and rules.index(r["ruleId"]) == r.get("ruleIndex"), "ruleIndex points at its rule")
        need(r.get("level") in ("error", "warning", "note"), "results[].level")
        need(isinstance(r.get("message", {}).get("text"), str), "results[].message.text")
        locs = r.get("locations")
        need(isinstance(locs, list) and len(locs) >= 1, "results[].locations")
        for l in (locs or []) + r.get("relatedLocations", []):
            p = l.get("physicalLocation", {})
            need(isinstance(p.get("artifactLocation", {}).get("uri"), str), "artifactLocation.uri")
            g = p.get("region")
            if g is None: continue
            for k in ("startLine", "startColumn", "endLine", "endColumn"):
                need(isinstance(g.get(k), int) and g[k] >= 1, "region." + k)
            need((g["endLine"], g["endColumn"]) >= (g["startLine"], g["startColumn"]), "region ends after it starts")
        for f in r.get("fixes", []):
            need(isinstance(f.get("description", {}).get("text"), str), "fixes[].description.text")
            for c in f.get("artifactChanges", []):
                need(isinstance(c.get("artifactLocation", {}).get("uri"), str), "artifactChanges[].artifactLocation.uri")
                for rep in c.get("replacements", []):
                    need("startLine" in rep.get("deletedRegion", {}), "replacements[].deletedRegion")
                    need(isinstance(rep.get("insertedContent", {}).get("text"), str), "replacements[].insertedContent.text")
if problems:
    print("\n".join(sorted(set(problems))))
    sys.exit(1)
PY
run "$CJM" check --format sarif tests/check/unknown-stage.journey tests/check/scenario-errors.journey \
    tests/check/warnings.journey tests/check/invalid-utf8.journey "$T/missing.journey"
expect_status "--format sarif: the worst exit status of the files" 3
expect_no_err "--format sarif prints nothing on stderr"
if python3 "$T/sarif.py" "$tmp/out" >"$tmp/sarif-err" 2>&1; then ok "--format sarif has the properties SARIF 2.1.0 requires"
else not_ok "--format sarif has the properties SARIF 2.1.0 requires" "$(cat "$tmp/sarif-err")"; fi
run "$CJM" check -q --format json tests/check/warnings.journey
expect_status "-q --format json: warnings alone exit 0" 0
if grep -q '"severity": "warning"' "$tmp/out"; then not_ok "-q leaves warnings out of --format json"; else ok "-q leaves warnings out of --format json"; fi

# Imports: relative to the importing file, then CJM_PATH, then the standard library.
mkdir -p "$T/lib" "$T/proj"
printf 'channel shop "Our shop"\n' >"$T/lib/shared.journey"
printf 'import "shared"\nstage A goal { touchpoint T { channel shop } }\n' >"$T/proj/main.journey"
run "$CJM" check "$T/proj/main.journey"
expect_status "an import not on CJM_PATH is an error" 1
CJM_PATH="$T/nowhere:$T/lib" run "$CJM" check "$T/proj/main.journey"
expect_status "CJM_PATH folders are searched" 0
cp "$T/lib/shared.journey" "$T/proj/shared.journey"
printf 'channel shop "Local"\n' >"$T/proj/shared.journey"
run "$CJM" check "$T/proj/main.journey"
expect_status "imports resolve relative to the importing file" 0
printf 'import "std/channels"\nimport "std/channels"\nstage A goal { touchpoint T { channel web } }\n' >"$T/twice.journey"
run "$CJM" check "$T/twice.journey"
expect_status "a module imported twice is loaded once" 0
case $CJM in /*) cjm_abs=$CJM ;; *) cjm_abs=$(pwd)/$CJM ;; esac
(cd "$T" && "$cjm_abs" check twice.journey >/dev/null 2>&1)
status=$?
expect_status "the standard library is found from any folder" 0

# Survive anything: a generated large journey checks quickly, and every byte sequence gets a message.
awk 'BEGIN { for (i = 0; i < 5000; i++) printf "stage S%d %s{ wait 1 day -> S%d 90%% -> churn otherwise \"lost\" }\n", i, i == 4999 ? "goal " : "", (i + 1) % 5000 }' >"$T/big.journey"
run "$CJM" check "$T/big.journey"
expect_status "a 5000-stage journey checks" 0
head -c 100000 /dev/urandom >"$T/random.journey"
run "$CJM" check "$T/random.journey"
expect_status "random bytes are a journey error, not a crash" 1

# Every complete example in the documentation (```journey blocks) checks cleanly.
for doc in docs/*.md README.md; do
    [ -f "$doc" ] || continue
    awk -v dir="$T" -v base="$(basename "$doc" .md)" '
        /^```journey$/ { n++; file = sprintf("%s/%s-%d.journey", dir, base, n); inside = 1; next }
        /^```/ { inside = 0 }
        inside { print > file }' "$doc"
done
for f in "$T"/*-[0-9]*.journey; do
    [ -f "$f" ] || continue
    run "$CJM" check "$f"
    if [ "$status" -eq 0 ] && [ ! -s "$tmp/err" ]; then ok "doc example $(basename "$f") checks cleanly"; else not_ok "doc example $(basename "$f") checks cleanly" "$(err)"; fi
done

# The design reference (version 1 of the language) is kept as it is written in
# tests/graph/reference.journey; examples/reference.journey has grown with the language since.
if [ -f ../shared/design/reference.journey ]; then
    if cmp -s ../shared/design/reference.journey tests/graph/reference.journey; then ok "tests/graph/reference.journey is the design reference, unchanged"
    else not_ok "tests/graph/reference.journey differs from ../shared/design/reference.journey"; fi
fi
