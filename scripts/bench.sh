#!/usr/bin/env bash
# `make bench`: throughput of the main paths of a release build, each printed
# as a ratio of the ceiling measured in the same run (GET /healthz: the HTTP
# stack alone, no database). Ratios are comparable across machines; the
# absolute numbers are printed for context only.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y -qq wrk >/dev/null; }
secs=${BENCH_SECONDS:-3}
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
GRIDLINE_DEMO_PASSWORD=bench-pass-2026 build/gridline init --demo --db "$dir/b.db" >/dev/null 2>&1
build/gridline serve --db "$dir/b.db" --listen 127.0.0.1:0 --log-level warn >"$dir/out" 2>"$dir/err" &
pid=$!
for _ in $(seq 50); do grep -q listening "$dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.*listening on \(http[^ ]*\)\/$/\1/p' "$dir/out")
# Sign in once as the demo admin; every request below carries that session.
login=$(curl -s -D "$dir/headers" -X POST "$url/api/v1/session" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"bench-pass-2026"}')
cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' "$dir/headers")
csrf=$(echo "$login" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
auth=(-H "Cookie: $cookie" -H "X-CSRF-Token: $csrf")
# Parents 11..90 for the write benchmark's sub-categories (the demo's "10"
# has sub-categories of its own; wrk may still replay one primed request,
# so a single 409 can show up).
for p in $(seq 11 90); do
  curl -s -o /dev/null -X POST "$url/api/v1/categories" -H 'Content-Type: application/json' "${auth[@]}" \
    -d "{\"code\":\"$p\",\"name_zh\":\"压测$p\",\"time_limit_hours\":8}"
done
cat >"$dir/write.lua" <<'LUA'
-- Each wrk thread writes unique sub-category codes under its own parents.
local counter, tid = 0, 0
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args) tid = tonumber(wrk.thread:get("tid")) or 0 end
function request()
  local parent = 11 + tid * 40 + math.floor(counter / 99)
  local code = string.format("%02d%02d", parent, counter % 99 + 1)
  counter = counter + 1
  local h = {["Content-Type"] = "application/json"}
  for k, v in pairs(wrk.headers) do h[k] = v end -- the session cookie and CSRF token
  return wrk.format("POST", "/api/v1/categories", h,
    '{"code":"' .. code .. '","parent_code":"' .. string.format("%02d", parent) .. '","name_zh":"压测子类"}')
end
LUA
run() { # name path [script] [seconds] -> prints successful (2xx) requests per second
  local out d=${4:-$secs}
  out=$(wrk -t2 -c16 -d"${d}s" "${auth[@]}" ${3:+-s "$3"} "$url$2" 2>&1)
  echo "$out" | awk -v name="$1" '
    / requests in / { total = $1; t = $4; sub(/s$/, "", t); if (t ~ /ms$/) { sub(/ms$/, "", t); t /= 1000 } }
    /Non-2xx or 3xx responses/ { bad = $NF }
    END { if (bad > 0) printf "warning: %s: %d of %d answers were not 2xx\n", name, bad, total > "/dev/stderr";
          printf "%.1f\n", (total - bad) / t }'
}
ceiling=$(run healthz /healthz)
printf '%-34s %12s %8s\n' "path" "req/s" "ratio"
printf '%-34s %12.0f %8.3f\n' "GET /healthz (ceiling)" "$ceiling" 1
for spec in "GET /readyz|/readyz" "GET /api/v1/me (session check)|/api/v1/me" \
            "GET /api/v1/categories (38 rows)|/api/v1/categories" \
            "GET /api/v1/categories/1|/api/v1/categories/1" \
            "GET /api/v1/grids/locate|/api/v1/grids/locate?lat=36.7023&lng=118.8815" \
            "GET /api/v1/households (50, masked)|/api/v1/households" \
            "POST /api/v1/categories (durable)|/api/v1/categories|$dir/write.lua"; do
  IFS='|' read -r name path script <<<"$spec"
  # Writes get one second: the code space (80 parents x 99) must not run out.
  rps=$(run "$name" "$path" "$script" "$([ -n "$script" ] && echo 1 || echo "$secs")")
  printf '%-34s %12.0f %8.3f\n' "$name" "$rps" "$(echo "$rps / $ceiling" | bc -l)"
done

# The case loop, as the county dispatcher: reports written down from phone
# calls (each one a durable transaction with its timeline, audit row and
# notifications), then the desk's list and counts over what they wrote.
# Signs in as $1 and points auth at that session.
signin() {
  local login cookie csrf
  login=$(curl -s -D "$dir/headers" -X POST "$url/api/v1/session" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"bench-pass-2026\"}")
  cookie=$(sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\);.*/\1/p' "$dir/headers")
  csrf=$(echo "$login" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
  auth=(-H "Cookie: $cookie" -H "X-CSRF-Token: $csrf")
}
# Measures each "name|path|script" spec (writes for 2 s) and prints its ratio.
measure() {
  local spec name path script rps
  for spec in "$@"; do
    IFS='|' read -r name path script <<<"$spec"
    rps=$(run "$name" "$path" "$script" "$([ -n "$script" ] && echo 2 || echo "$secs")")
    printf '%-34s %12.0f %8.3f\n' "$name" "$rps" "$(echo "$rps / $ceiling" | bc -l)"
  done
}
signin dispatcher
cat >"$dir/report.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"category":"0101","description":"来电反映工地拖欠工资（压测）","grid_code":"379901001001001","channel":"phone"}'
LUA
measure "POST /api/v1/cases (durable)|/api/v1/cases|$dir/report.lua" \
        "GET /api/v1/cases (50, scoped)|/api/v1/cases" \
        "GET /api/v1/cases/summary|/api/v1/cases/summary"

# Errands, as the 石桥镇 agent: registrations (durable, with the checklist,
# timeline, audit row and notices), the desk's list, and the ledger as CSV.
signin shiqiao.agent
cat >"$dir/errand.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"service_id":2,"grid_code":"379901101201001","resident_name":"王秀英","materials":["居民身份证","户口簿"]}'
LUA
measure "POST /api/v1/errands (durable)|/api/v1/errands|$dir/errand.lua" \
        "GET /api/v1/errands (50, scoped)|/api/v1/errands" \
        "GET errands ledger (all, CSV)|/api/v1/errands/ledger?format=csv"
# Participation: a grid worker's visit log (durable, with its audit row),
# the county poll as residents see it (live ranking), the points ranking of
# the county computed from history, and the opinion counts per channel.
signin gw42
hh=$(sqlite3 "$dir/b.db" "SELECT min(id) FROM households WHERE grid_code = '379901101201001'")
cat >"$dir/visit.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"household_id":$hh,"kind":"night","heard":"反映自来水压力小（压测）"}'
LUA
measure "POST /api/v1/visits (durable)|/api/v1/visits|$dir/visit.lua"
signin jm07
measure "GET /api/v1/polls/1 (live ranking)|/api/v1/polls/1"
signin leader
measure "GET /api/v1/dashboard (demo)|/api/v1/dashboard" \
        "GET points ranking (county)|/api/v1/points/ranking?region=379901000000" \
        "GET /api/v1/opinions/stats|/api/v1/opinions/stats" \
        "GET /api/v1/visits/coverage (80 grids)|/api/v1/visits/coverage"
# A county's history: BENCH_CASES (default a million) closed cases over the
# two years before the demo's, in time order as real ones are written,
# straight into the file; then the leader's screens over a past month.
# Their cost should follow the window (this month), not the history.
scale=${BENCH_CASES:-1000000}
if [ "$scale" -gt 0 ]; then
  t0=$(date +%s)
  sqlite3 "$dir/b.db" <<SQL >/dev/null
PRAGMA journal_mode=WAL;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $scale),
g AS (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k FROM grids),
c AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM categories WHERE parent_id IS NOT NULL)
INSERT INTO cases (code, state, category_id, grid_code, description, channel, level, limit_hours, dept_id,
                   accepted_at, dispatched_at, started_at, response_s, closed_at, rated_at, rating, overdue,
                   overdue_at, created_at, updated_at)
SELECT 'B' || i, 'closed', (SELECT id FROM c WHERE c.k = i % (SELECT count(*) FROM c)),
       (SELECT code FROM g WHERE g.k = (i * 7) % 80), '压测历史案件', 'grid_worker', 'grid', 24, 1 + i % 18,
       t + 3600, t + 7200, t + 9000, 1800, t + 86400 * (1 + i % 5), t + 86400 * 6,
       CASE i % 10 WHEN 0 THEN 'dissatisfied' WHEN 1 THEN 'basically_satisfied' ELSE 'satisfied' END,
       i % 9 = 0, CASE WHEN i % 9 = 0 THEN t + 86400 * 2 END, t, t
FROM (SELECT i, unixepoch() - 86400 * 730 + i * (86400 * 700 / $scale) AS t FROM n);
SQL
  printf '%-34s %12s\n' "loaded $scale cases" "$(( $(date +%s) - t0 )) s"
  # The server's own commits keep its WAL small; a bulk load from outside
  # leaves it large until a checkpoint, which the server would not run soon.
  sqlite3 "$dir/b.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  signin leader
  # Screens this heavy are measured one at a time (saturating them would
  # leave a backlog that spills into the next measurement).
  latency() { # name path: the mean of 5 sequential requests, as requests/s
    local name=$1 path=$2 total=0 t
    curl -s -o /dev/null "${auth[@]}" "$url$path" # warm
    for _ in 1 2 3 4 5; do
      t=$(curl -s -o /dev/null -w '%{time_total}' "${auth[@]}" "$url$path")
      total=$(echo "$total + $t" | bc -l)
    done
    local rps; rps=$(echo "5 / $total" | bc -l)
    printf '%-34s %12.1f %8.4f\n' "$name" "$rps" "$(echo "$rps / $ceiling" | bc -l)"
  }
  month="from=$(date -d '-62 days' +%Y-%m-%d)T00:00:00%2B08:00&to=$(date -d '-32 days' +%Y-%m-%d)T00:00:00%2B08:00"
  latency "GET /api/v1/dashboard (a month)" "/api/v1/dashboard?$month"
  latency "GET stats/kpis by dept (a month)" "/api/v1/stats/kpis?by=department&$month"
  latency "GET stats/trends (12 months)" "/api/v1/stats/trends?interval=month"
  latency "GET /api/v1/public/board (cached)" "/api/v1/public/board"
fi
open=$(sqlite3 "$dir/b.db" "SELECT count(*) FROM cases WHERE state NOT IN ('closed', 'rejected', 'merged')")
all=$(sqlite3 "$dir/b.db" "SELECT count(*) FROM cases")
# The sweep with nothing due reads no case: its time should not follow $open.
t0=$(date +%s%N); build/gridline sweep --db "$dir/b.db" >/dev/null; t1=$(date +%s%N)
printf '%-34s %12s   (%s open of %s cases)\n' "gridline sweep, nothing due" "$(( (t1 - t0) / 1000000 )) ms" "$open" "$all"
