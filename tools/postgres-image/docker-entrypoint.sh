#!/bin/sh
# Entrypoint of the locally built PostgreSQL 15 image (issue 12): what the official postgres image's entrypoint does
# for the parts Testcontainers.PostgreSql relies on. POSTGRES_USER (default postgres), POSTGRES_PASSWORD (required)
# and POSTGRES_DB (default: the user) initialise an empty PGDATA; arguments starting with '-' are server options
# (Testcontainers passes `-c fsync=off ...`); the server runs as the postgres user, listening on every address.
set -eu

PGBIN=/usr/lib/postgresql/15/bin
export PGDATA="${PGDATA:-/var/lib/postgresql/data}"

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
  set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
  exec "$@"
fi
shift

as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
  user="${POSTGRES_USER:-postgres}"
  db="${POSTGRES_DB:-$user}"
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  chown postgres "$pwfile"
  as_postgres "$PGBIN/initdb" --pgdata="$PGDATA" --username="$user" --pwfile="$pwfile" \
    --encoding=UTF8 --locale=C.UTF-8 --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  # Clients come from outside the container (the host, through the published port).
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # A private start on the socket only, as the official image does, so nobody connects before the database exists.
    as_postgres "$PGBIN/pg_ctl" --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait --silent start
    # psql interpolates :"db" (a quoted identifier) in its input, not in --command.
    echo 'CREATE DATABASE :"db"' | as_postgres "$PGBIN/psql" --username="$user" --dbname=postgres --no-psqlrc \
      --quiet --set=ON_ERROR_STOP=1 --set=db="$db" >/dev/null
    as_postgres "$PGBIN/pg_ctl" --pgdata="$PGDATA" --mode=fast --wait --silent stop
  fi
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups "$PGBIN/postgres" -c listen_addresses='*' "$@"
