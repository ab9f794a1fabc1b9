#!/usr/bin/env bash
# Start the Debian PostgreSQL cluster on loopback and create the test role and database.
# Prints the SQLAlchemy URL on stdout; prints nothing (and says why on stderr) when no
# server can be started, so the PostgreSQL storage tests skip with that reason.
set -uo pipefail
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "pg-test-server: PostgreSQL is not installed" >&2; exit 0
fi
ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1)
[ -n "$ver" ] || { echo "pg-test-server: no PostgreSQL version found" >&2; exit 0; }
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$ver *main"; then
  pg_createcluster "$ver" main >/dev/null 2>&1 || true
fi
pg_ctlcluster "$ver" main start >/dev/null 2>&1 || true
pg_lsclusters -h 2>/dev/null | grep -q "^$ver *main .*online" || {
  echo "pg-test-server: could not start the PostgreSQL $ver cluster" >&2; exit 0; }
port=$(pg_lsclusters -h | awk -v v="$ver" '$1==v && $2=="main" {print $3}')
psql_admin() { runuser -u postgres -- psql -p "$port" -qtAX "$@"; }
# Two test runs at once may both find no role and both create it: the loser's error is fine
# when the role is there afterwards.
psql_admin -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='stationmgr') THEN CREATE ROLE stationmgr LOGIN PASSWORD 'stationmgr' CREATEDB; END IF; END\$\$;" >/dev/null 2>&1 \
  || [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname='stationmgr'" 2>/dev/null)" = 1 ] \
  || { echo "pg-test-server: could not create the test role" >&2; exit 0; }
echo "postgresql+psycopg://stationmgr:stationmgr@127.0.0.1:$port/postgres"
