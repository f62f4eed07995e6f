#!/usr/bin/env bash
# `make run`: create the demo database on first use, then serve it. The
# demo password is kept in var/ (beside the demo database, never committed)
# so that every `make run` can print the logins again.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${DB:-var/gridline.db}
listen=${LISTEN:-127.0.0.1:8080}
dir=$(dirname "$db")
mkdir -p "$dir"
pwfile="$dir/demo-password"
if [ -z "${GRIDLINE_DEMO_PASSWORD:-}" ]; then
  if [ ! -s "$pwfile" ]; then
    (umask 077; head -c 9 /dev/urandom | base64 | tr '+/' 'xy' > "$pwfile")
  fi
  GRIDLINE_DEMO_PASSWORD=$(cat "$pwfile")
fi
export GRIDLINE_DEMO_PASSWORD
if [ ! -f "$db" ]; then
  build/gridline init --demo --db "$db" >/dev/null
fi
cat <<MSG

  网格通 gridline — demo county 青禾县 (fictional)
  open http://${listen}/   (health: http://${listen}/healthz)
  database: $db   (delete it and $db.key to start again from the demo data)

  demo logins, all with the password  ${GRIDLINE_DEMO_PASSWORD}
    admin              系统管理员 (everywhere)
    leader             county leader (dashboards)
    dispatcher         county command centre; linhe.dispatcher, shiqiao.dispatcher for the towns
    supervisor         挂牌督办 supervisor;   auditor   audit reader
    rsj.head           labour department head; rsj.staff, zfj.staff, mzj.staff desk staff
    shiqiao.agent      全程代办 agent; linhe.agent
    gw01 .. gw80       grid workers, one per grid (gw01 = 福安社区第一网格)
    dy01 .. dy12       联户 party members, one per village/community
    jm01 .. jm12       residents, one per village/community

  stop with Ctrl-C.

MSG
exec build/gridline serve --db "$db" --listen "$listen"
