#!/usr/bin/env bash
# Run a command with a throwaway PostgreSQL server for the portal's tests: a fresh cluster on
# a loopback port, its URL in CROSSOVER_TEST_DATABASE_URL, stopped and removed afterwards.
# With CROSSOVER_TEST_DATABASE_URL already set, the command runs against that server instead.
set -euo pipefail

if [[ -n "${CROSSOVER_TEST_DATABASE_URL:-}" ]]; then
  exec "$@"
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "$bin" ]]; then
  echo "PostgreSQL is not installed: run scripts/install-system-packages.sh --test" >&2
  exit 1
fi

as_postgres=()
if [[ $(id -u) -eq 0 ]]; then
  # initdb refuses to run as root: the cluster belongs to the postgres user.
  as_postgres=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/crossover-pg.XXXXXX)
chmod 755 "$dir"
[[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  "${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

"${as_postgres[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
"${as_postgres[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
"${as_postgres[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres crossover_test

export CROSSOVER_TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/crossover_test"
"$@"
