#!/usr/bin/env bash
# `make run`: create the demo database on first use, then serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${DB:-var/gridline.db}
listen=${LISTEN:-127.0.0.1:8080}
mkdir -p "$(dirname "$db")"
if [ ! -f "$db" ]; then
  build/gridline init --demo --db "$db"
fi
cat <<MSG

  gridline 网格化服务管理系统
  open http://${listen}/   (health: http://${listen}/healthz)
  database: $db   (delete it to start again from the demo data)
  demo logins: none yet: sign-in arrives with the territory and people work;
               every page and API is open on this local demo.
  stop with Ctrl-C.

MSG
exec build/gridline serve --db "$db" --listen "$listen"
