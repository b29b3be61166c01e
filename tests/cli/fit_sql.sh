# tests/cli/fit_sql.sh: cjm fit --sql for real, where the data lives. A generated event log (known
# structure: stages under several spellings, a touchpoint in and out of its stage, churn events,
# silences longer than the inactivity, an ignored event, unmapped names, a log end that censors)
# is loaded into SQLite and into a real PostgreSQL server (Debian's, started here in a scratch
# folder as an unprivileged user, on a Unix socket of its own, stopped at the end whatever
# happens); the query cjm prints runs in each, and fitting from each result must give the numbers
# fitting from the raw log gives (cjm fit --format json). Sourced by tests/run.sh; files in $T.

fit_sql_skip() { echo "SKIP fit_sql: $1"; }

# ---- the journey and the log ----
fit_sql_journey() {
    cat >"$T/shop.journey" <<'J'
// A small shop funnel for cjm fit --sql's tests (tests/cli/fit_sql.sh).
journey "Shop" {
  start      Visit
  inactivity 30 days
}

stage Visit "Visits the site" {
  wait exponential(2 days)
  touchpoint Ad "Search ad" { }
  -> Signup 40%
  -> churn otherwise "never engaged"
}

stage Signup "Signed Up" {
  events "registration_done"
  wait lognormal(5 days, 2 days)
  -> Purchase 50%
  -> Visit 20%
  -> churn otherwise "lost interest"
}

stage Purchase goal {
  wait 3 days
  -> Loyal 100%
}

stage Loyal "Loyal customer" { }
J
}

# The log: SEED CASES > CSV. Times in ISO 8601 with milliseconds and a Z (no two events of a case
# at the same instant: a table has no order to break ties with, and the query orders them by name).
fit_sql_log() {
    python3 - "$1" "$2" <<'PY'
import datetime, math, random, sys
rng = random.Random(int(sys.argv[1]))
origin = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
END = 240.0
rows = []
def iso(d):
    t = origin + datetime.timedelta(milliseconds=round(d * 86400000))
    return t.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (t.microsecond // 1000)
for i in range(int(sys.argv[2])):
    cid, ev, stage = 'c%04d' % i, [], 'Visit'
    add = lambda name, dt: ev.append((name, dt))
    for _ in range(rng.choice([0, 0, 1, 2])):                   # before the first stage
        add(rng.choice(['page_view', 'Page View', 'newsletter']), rng.uniform(0.01, 1))
    if rng.random() < 0.05:                                      # never reaches a stage
        stage = None
    else:
        add(rng.choice(['Visit', 'visits the site', 'VISIT']), rng.uniform(0.01, 1))
    while stage:
        if rng.random() < 0.3: add('debug_ping', rng.uniform(0.001, 0.5))    # --map ...=ignore
        u = rng.random()
        if stage == 'Visit':
            if rng.random() < 0.5: add('Search Ad', rng.uniform(0.001, 0.2))  # met in its stage
            w = rng.expovariate(1 / 2.0)
            if u < 0.4: add(rng.choice(['signed_up', 'Signed Up', 'registration-done']), w); stage = 'Signup'
            elif u < 0.55: add('never-engaged', w); stage = 'churned'
            elif u < 0.6: add('Ad', w / 2); break                # a touchpoint, then silence
            elif u < 0.65: add('visit', w); stage = 'Visit'      # a move to itself
            else: break                                          # silence
        elif stage == 'Signup':
            w = rng.lognormvariate(math.log(4), 0.5)
            if u < 0.5: add('Purchase', w); stage = 'Purchase'
            elif u < 0.7: add('visit', w); stage = 'Visit'
            elif u < 0.85: add('Lost Interest', w); stage = 'churned'
            elif u < 0.9: add('Ad', w); break                    # outside its stage
            else: break
        elif stage == 'Purchase':
            if u < 0.8: add('Loyal customer', 3.0 + rng.uniform(-0.01, 0.01)); stage = 'Loyal'
            elif u < 0.9: add('Visit', rng.uniform(40, 60)); stage = 'Visit'   # back after a long silence
            else: break
        elif stage == 'Loyal':
            if u < 0.5: add('page_view', rng.uniform(1, 60))
            break
        elif stage == 'churned':
            if u < 0.3: add('page_view', rng.uniform(0.1, 5))   # after churning
            break
    t = rng.uniform(0, 235)
    for name, dt in ev:
        t += dt
        if t > END: break
        rows.append((cid, name, t))
rng.shuffle(rows)                                                # any order
rows.append(('zz', 'page_view', END + 0.5))                     # the log's end
print('case_id,event,timestamp')
for cid, name, t in rows:
    print('%s,%s,%s' % (cid, name, iso(t)))
PY
}

# Compares two `cjm fit --format json` reports: every figure of the raw log's (A) must be in the
# table's (B), counts exactly, other numbers within 1e-4 (the warehouse sums in another order, and
# the fits with their intervals amplify the last bits: a mean may move by 1e-5). What the table cannot give (B null where A has a value, under the
# keys listed as not given) and where each came from are left out.
fit_sql_compare() { # a.json b.json
    python3 - "$1" "$2" <<'PY'
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
# The candidates the choice passed over are fitted numerically from the same bins; last-bit
# changes of the sums may move such a poor fit to another local optimum: not compared.
skip = {"file", "from_sql_table", "columns", "not_given", "candidates"}
given_not = set(b.get("log", {}).get("not_given") or [])
# Keys of the report whose figures the table leaves out, by what not_given names.
absent = {"touchpoints": "touchpoints", "personas": "personas", "unmapped": "unmapped_names",
          "revenue": "revenue", "answers": "surveys", "cost": "cost"}
bad = []
def same(x, y, path):
    key = path.rsplit(".", 1)[-1].split("[")[0]
    if key in skip: return
    if y is None and key in absent and absent[key] in given_not: return
    if isinstance(x, dict) and isinstance(y, dict):
        for k in x:
            if k not in y: bad.append(f"{path}.{k}: missing"); continue
            same(x[k], y[k], f"{path}.{k}")
    elif isinstance(x, list) and isinstance(y, list):
        if len(x) != len(y): bad.append(f"{path}: {len(x)} items, {len(y)}"); return
        for i, (p, q) in enumerate(zip(x, y)): same(p, q, f"{path}[{i}]")
    elif isinstance(x, bool) or isinstance(y, bool) or isinstance(x, str) or x is None:
        if x != y: bad.append(f"{path}: {x!r} != {y!r}")
    elif isinstance(x, (int, float)) and isinstance(y, (int, float)):
        if isinstance(x, int) and isinstance(y, int):
            if x != y: bad.append(f"{path}: {x} != {y}")
        elif abs(x - y) > 1e-4 * max(1e-4, abs(x)) and abs(x - y) > 1e-9:
            bad.append(f"{path}: {x} != {y}")
    elif x != y:
        bad.append(f"{path}: {x!r} != {y!r}")
same(a, b, "")
print("\n".join(bad[:30]))
sys.exit(1 if bad else 0)
PY
}

# ---- PostgreSQL: a server of our own ----
fit_sql_pg_bin() {
    for d in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    command -v pg_config >/dev/null 2>&1 && d=$(pg_config --bindir) && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    return 1
}

# PostgreSQL refuses to run as root: as root (CI), the server runs as `nobody`.
fit_sql_as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

fit_sql_pg_stop() {
    [ -n "${fit_sql_pgdata:-}" ] || return 0
    fit_sql_as_pg "$fit_sql_pgbin/pg_ctl" -D "$fit_sql_pgdata" -m immediate -w stop >/dev/null 2>&1
    fit_sql_pgdata=
}

fit_sql_pg_start() {
    fit_sql_pgbin=$(fit_sql_pg_bin) || return 1
    fit_sql_pgdir="$T/pg"
    mkdir -p "$fit_sql_pgdir"
    if [ "$(id -u)" = 0 ]; then
        # The unprivileged server must reach its folder: the suite's scratch folders are private.
        chmod 711 "$tmp" "$T" && chown nobody "$fit_sql_pgdir" || return 1
    fi
    fit_sql_as_pg "$fit_sql_pgbin/initdb" -D "$fit_sql_pgdir/data" -U cjm --auth=trust -E UTF8 --no-locale \
        >"$T/initdb.log" 2>&1 || { cat "$T/initdb.log"; return 1; }
    # No TCP at all: a Unix socket in the scratch folder, so no port is taken from anyone.
    fit_sql_pgport=$((20000 + $$ % 20000))
    fit_sql_pgdata="$fit_sql_pgdir/data"
    trap 'fit_sql_pg_stop; rm -rf "$tmp"' EXIT
    fit_sql_as_pg "$fit_sql_pgbin/pg_ctl" -D "$fit_sql_pgdata" -l "$fit_sql_pgdir/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $fit_sql_pgdir -p $fit_sql_pgport -c fsync=off" start >/dev/null 2>&1 ||
        { cat "$fit_sql_pgdir/server.log" 2>/dev/null; return 1; }
}

fit_sql_psql() {
    "$fit_sql_pgbin/psql" -X -q -h "$fit_sql_pgdir" -p "$fit_sql_pgport" -U cjm -d postgres -v ON_ERROR_STOP=1 "$@"
}

# ---- the tests ----
fit_sql_fit_args="--map debug_ping=ignore --inactivity 30days"

fit_sql_check_result() { # engine result.csv
    # shellcheck disable=SC2086
    run "$CJM" fit --format json "$T/shop.journey" "$2"
    if [ "$status" -ne 0 ]; then
        not_ok "fit_sql: $1: cjm fit reads the query's result" "$(err)"
        return
    fi
    ok "fit_sql: $1: cjm fit reads the query's result"
    out >"$T/$1.json"
    if fit_sql_compare "$T/raw.json" "$T/$1.json" >"$T/diff" 2>&1; then
        ok "fit_sql: $1: fitting from the result gives the raw log's numbers"
    else
        not_ok "fit_sql: $1: fitting from the result gives the raw log's numbers" "$(cat "$T/diff")"
    fi
    if grep -q '"from_sql_table": true' "$T/$1.json"; then ok "fit_sql: $1: the report says the figures come from a query"
    else not_ok "fit_sql: $1: the report says the figures come from a query" "$(head -n 20 "$T/$1.json")"; fi
}

fit_sql_sqlite() {
    if ! command -v sqlite3 >/dev/null 2>&1; then
        fit_sql_skip "sqlite3 is not installed (make deps installs it)"
        return
    fi
    # shellcheck disable=SC2086
    run "$CJM" fit --sql events --dialect sqlite $fit_sql_fit_args "$T/shop.journey"
    expect_status "fit_sql: sqlite: cjm fit --sql prints the query" 0
    out >"$T/sqlite.sql"
    (cd "$T" && sqlite3 events.db ".import --csv log.csv events") >"$T/import.log" 2>&1 ||
        { not_ok "fit_sql: sqlite: the log loads" "$(cat "$T/import.log")"; return; }
    run sqlite3 -bail -csv -header "$T/events.db" ".read $T/sqlite.sql"
    if [ "$status" -eq 0 ] && [ ! -s "$T/err" ]; then ok "fit_sql: sqlite: the query runs"
    else not_ok "fit_sql: sqlite: the query runs" "$(err)"; return; fi
    out >"$T/sqlite.csv"
    fit_sql_check_result sqlite "$T/sqlite.csv"
}

fit_sql_postgres() {
    if ! fit_sql_pg_bin >/dev/null; then
        fit_sql_skip "PostgreSQL's server is not installed (make deps installs Debian's postgresql)"
        return
    fi
    if [ "$(id -u)" = 0 ] && ! command -v runuser >/dev/null 2>&1; then
        fit_sql_skip "running as root without runuser: cannot start PostgreSQL as another user"
        return
    fi
    if ! fit_sql_pg_start >"$T/pgstart.log" 2>&1; then
        not_ok "fit_sql: postgres: a scratch server starts as an unprivileged user" "$(tail -n 20 "$T/pgstart.log")"
        fit_sql_pg_stop
        return
    fi
    ok "fit_sql: postgres: a scratch server starts as an unprivileged user"
    run fit_sql_psql -c 'CREATE TABLE events (case_id text, event text, "timestamp" timestamptz)' \
        -c "\\copy events FROM '$T/log.csv' WITH (FORMAT csv, HEADER true)"
    expect_status "fit_sql: postgres: the log loads" 0
    # shellcheck disable=SC2086
    run "$CJM" fit --sql events --dialect postgres $fit_sql_fit_args "$T/shop.journey"
    expect_status "fit_sql: postgres: cjm fit --sql prints the query" 0
    out >"$T/postgres.sql"
    run fit_sql_psql --csv -f "$T/postgres.sql"
    if [ "$status" -eq 0 ]; then ok "fit_sql: postgres: the query runs"
    else not_ok "fit_sql: postgres: the query runs" "$(err)"; fi
    out >"$T/postgres.csv"
    fit_sql_pg_stop
    trap 'rm -rf "$tmp"' EXIT
    [ "$status" -eq 0 ] && fit_sql_check_result postgres "$T/postgres.csv"
}

# A result from a query for another journey is refused with the line that does not fit.
fit_sql_wrong_journey() {
    [ -f "$T/sqlite.csv" ] || return
    sed 's/Signup/Subscribe/g' "$T/shop.journey" >"$T/other.journey"
    run "$CJM" fit "$T/other.journey" "$T/sqlite.csv"
    expect_status "fit_sql: a result for another journey is refused" 3
    expect_err "fit_sql: the message names the line and the stage" "sqlite.csv:[0-9]+: stage 'Signup' is not in the journey"
}

fit_sql_main() {
    if ! "$CJM" fit --help >/dev/null 2>&1; then
        fit_sql_skip "cjm has no fit command in this build (the query's text and reading are unit-tested)"
        return
    fi
    if ! command -v python3 >/dev/null 2>&1; then
        fit_sql_skip "python3 is not installed"
        return
    fi
    fit_sql_journey
    fit_sql_log 15 400 >"$T/log.csv"
    # shellcheck disable=SC2086
    run "$CJM" fit --format json $fit_sql_fit_args "$T/shop.journey" "$T/log.csv"
    expect_status "fit_sql: the raw log fits" 0
    out >"$T/raw.json"
    fit_sql_sqlite
    fit_sql_postgres
    fit_sql_wrong_journey
}

fit_sql_main
