#!/usr/bin/env bash
# Sourced by test.sh (issue 12): makes a Docker engine and a PostgreSQL image ready for the suite's Testcontainers,
# idempotently (quick when both are there). On this kind of machine (Debian, root, no systemd, no image registry) it
# installs docker.io, starts dockerd and builds the image from Debian packages (tools/postgres-image/build.sh); where
# a registry is reachable the tests use the official postgres image. Exports ZAQAR_TEST_POSTGRES_IMAGE when it built
# one. Never fails the run: without an engine the suite falls back to its embedded cluster and says so.

test_docker_setup() {
  local as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)

  if ! docker info >/dev/null 2>&1; then
    if [ "$(uname -s)" != Linux ]; then
      echo "test.sh: no Docker engine; the tests use an embedded PostgreSQL"; return 0
    fi
    local need=()
    command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
    command -v iptables >/dev/null 2>&1 || need+=(iptables)
    command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
    if [ ${#need[@]} -gt 0 ]; then
      echo "test.sh: installing ${need[*]}"
      "${as_root[@]}" apt-get update -qq || true
      DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || true
    fi
    if ! command -v dockerd >/dev/null 2>&1; then
      echo "test.sh: no Docker engine could be installed; the tests use an embedded PostgreSQL"; return 0
    fi
    # No systemd here: start the engine by hand, in the background, for this and later runs.
    echo "test.sh: starting dockerd"
    "${as_root[@]}" sh -c 'nohup dockerd >/var/log/zaqarhub-dockerd.log 2>&1 &'
    local waited=0
    until docker info >/dev/null 2>&1; do
      if [ $waited -ge 30 ]; then
        echo "test.sh: dockerd did not start (see /var/log/zaqarhub-dockerd.log); the tests use an embedded PostgreSQL"; return 0
      fi
      sleep 1; waited=$((waited + 1))
    done
  fi

  if [ -n "${ZAQAR_TEST_POSTGRES_IMAGE:-}" ]; then
    return 0
  fi
  # The official image where a registry is reachable (or it is already here), else one built from Debian packages.
  if docker image inspect postgres:15 >/dev/null 2>&1 || timeout 60 docker pull -q postgres:15 >/dev/null 2>&1; then
    export ZAQAR_TEST_POSTGRES_IMAGE=postgres:15
    return 0
  fi
  command -v debootstrap >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends debootstrap >/dev/null || true
  local image
  if image="$("${as_root[@]}" "$(dirname "${BASH_SOURCE[0]}")/postgres-image/build.sh")"; then
    export ZAQAR_TEST_POSTGRES_IMAGE="$image"
  else
    echo "test.sh: the PostgreSQL image could not be built; the tests use an embedded PostgreSQL"
  fi
}

# Removes the containers whose test process is gone (the label holds its pid), should a run end before its fixtures
# do; containers of test runs still going on this engine stay.
test_docker_cleanup() {
  docker info >/dev/null 2>&1 || return 0
  local id owner
  docker ps -aq --filter label=org.zaqarhub.tests 2>/dev/null | while read -r id; do
    owner="$(docker inspect -f '{{index .Config.Labels "org.zaqarhub.tests"}}' "$id" 2>/dev/null || true)"
    if [ -z "$owner" ] || ! kill -0 "$owner" 2>/dev/null; then
      docker rm -f -v "$id" >/dev/null 2>&1 || true
    fi
  done
}
