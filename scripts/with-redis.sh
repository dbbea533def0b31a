#!/usr/bin/env bash
# Run a command with a throwaway Redis server for the portal's tests (the shared rate-limit
# store): a server on a loopback port with nothing written to disk, its URL in
# CROSSOVER_TEST_REDIS_URL, stopped afterwards. With CROSSOVER_TEST_REDIS_URL already set, the
# command runs against that server instead.
set -euo pipefail

if [[ -n "${CROSSOVER_TEST_REDIS_URL:-}" ]]; then
  exec "$@"
fi

if ! command -v redis-server >/dev/null; then
  echo "Redis is not installed: run scripts/install-system-packages.sh --test" >&2
  exit 1
fi

dir=$(mktemp -d /tmp/crossover-redis.XXXXXX)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop() {
  if [[ -f "$dir/redis.pid" ]]; then
    pid=$(cat "$dir/redis.pid")
    kill "$pid" 2>/dev/null || true
    # The server removes its pid file as it exits: wait for that before removing the folder.
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -rf "$dir"
}
trap stop EXIT

redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
  --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
for _ in $(seq 50); do
  redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1 && break
  sleep 0.1
done

export CROSSOVER_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
"$@"
