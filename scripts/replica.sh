#!/usr/bin/env bash
# A streaming read replica of the local PostgreSQL cluster, on this machine (port 5433 by
# default): `pg_createcluster` + `pg_basebackup -R`, then started. Idempotent: does nothing
# when the replica already answers and is in recovery. Run as root (or the postgres user).
#
#   scripts/replica.sh            # create/start the replica
#   export DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/<same db name>
set -euo pipefail
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
REPLICA_PORT="${REPLICA_PORT:-5433}"
VERSION="${PG_VERSION:-$(ls /etc/postgresql | sort -n | tail -1)}"
NAME="${REPLICA_CLUSTER:-replica}"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

if [ "$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -tAc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = "t" ]; then
  echo "replica: already streaming on port $REPLICA_PORT"
  exit 0
fi

# The primary must accept replication connections from loopback.
HBA="$(psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -tAc 'SHOW hba_file')"
if ! grep -Eq '^host\s+replication\s+all\s+127\.0\.0\.1/32' "$HBA"; then
  echo "host replication all 127.0.0.1/32 trust" >>"$HBA"
  psql -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -qc 'SELECT pg_reload_conf()' >/dev/null
fi

if pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$VERSION $NAME"; then
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" stop 2>/dev/null || true
  pg_dropcluster "$VERSION" "$NAME"
fi
pg_createcluster "$VERSION" "$NAME" -p "$REPLICA_PORT" >/dev/null
DATA="/var/lib/postgresql/$VERSION/$NAME"
rm -rf "${DATA:?}"/*
as_postgres pg_basebackup -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DATA" -R -X stream -c fast
# Loopback connections without a password, like the primary (first match wins: prepend).
HBA_R="/etc/postgresql/$VERSION/$NAME/pg_hba.conf"
{ echo "host all all 127.0.0.1/32 trust"; cat "$HBA_R"; } >"$HBA_R.new" && mv "$HBA_R.new" "$HBA_R"
chown postgres:postgres "$HBA_R"
# The replica must not cancel a report's query when the primary vacuums underneath it.
cat >>"/etc/postgresql/$VERSION/$NAME/postgresql.conf" <<CONF
hot_standby = on
hot_standby_feedback = on
max_standby_streaming_delay = 30s
CONF
pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$NAME" start
for _ in $(seq 1 30); do
  [ "$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -tAc 'SELECT pg_is_in_recovery()' 2>/dev/null)" = "t" ] && break
  sleep 1
done
echo "replica: streaming on port $REPLICA_PORT ($(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -tAc 'SELECT pg_is_in_recovery()'))"
