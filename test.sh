#!/usr/bin/env bash
# Runs the whole test suite (the README's test command; .ci/run calls exactly this).
# Installs what the tests need and a fresh machine lacks, then runs every test project.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
# Zaqar's own Python client, which a test drives the REST API with.
dpkg -s python3-zaqarclient >/dev/null 2>&1 || missing+=(python3-zaqarclient)
# A plain WebSocket client and MessagePack for Python, which a test drives Zaqar's websocket transport (/v2/ws) with.
dpkg -s python3-websocket >/dev/null 2>&1 || missing+=(python3-websocket)
dpkg -s python3-msgpack >/dev/null 2>&1 || missing+=(python3-msgpack)
# Node.js and npm, for the hub tests through the official JS client and the console's build.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# Debian's chromium, for the web console's browser tests (test tools can't download their own browser here).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# OpenStack Keystone served by uwsgi, which the Keystone authentication tests start on loopback (issue 15).
dpkg -s keystone >/dev/null 2>&1 || missing+=(keystone)
dpkg -s uwsgi >/dev/null 2>&1 || missing+=(uwsgi)
dpkg -s uwsgi-plugin-python3 >/dev/null 2>&1 || missing+=(uwsgi-plugin-python3)
# PostgreSQL server binaries, for the embedded test cluster (skipped when ZAQAR_TEST_CONNECTION names a server).
if [ -z "${ZAQAR_TEST_CONNECTION:-}" ] && ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# PostgreSQL in containers (Testcontainers.PostgreSql): a Docker engine and an image, set up when missing; without
# them the tests fall back to an embedded cluster from the binaries above. ZAQAR_TEST_DOCKER=0 skips this.
if [ -z "${ZAQAR_TEST_CONNECTION:-}" ] && [ "${ZAQAR_TEST_DOCKER:-1}" != 0 ]; then
  source tools/test-docker.sh
  test_docker_setup
  trap test_docker_cleanup EXIT
fi

# The official SignalR JS client (and its MessagePack protocol) the hub tests drive, from the committed lock file.
(cd Zaqar.Hub.Tests/js && npm ci --no-audit --no-fund --loglevel=error)

dotnet test ZaqarHub.sln "$@"
