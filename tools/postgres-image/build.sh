#!/usr/bin/env bash
# Builds the PostgreSQL 15 image the test suite runs in containers (issue 12) without any image registry: a minimal
# Debian bookworm root from debootstrap, postgresql-15 from the same apt mirror as the host, and an entrypoint that
# behaves like the official postgres image's for Testcontainers.PostgreSql. Idempotent: the tag carries a hash of
# this folder, so an unchanged image is reused at once and a changed recipe builds a new one.
# Prints the image name on stdout (progress goes to stderr). Needs root, docker and debootstrap.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
recipe_hash="$(cat "$here/build.sh" "$here/docker-entrypoint.sh" | sha256sum | cut -c1-12)"
image="zaqarhub/postgres:15-$recipe_hash"

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/root"
# The host's apt mirror and settings (the only package source this machine reaches).
mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
mirror="${mirror:-http://deb.debian.org/debian}"

echo "postgres-image: debootstrap bookworm from $mirror" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

rm -f "$root/etc/apt/sources.list"
cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
cp /etc/apt/sources.list "$root/etc/apt/" 2>/dev/null || true
cp /etc/apt/apt.conf.d/* "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
# No services start inside the build root, and the package makes no cluster of its own: the entrypoint makes one.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/etc/postgresql-common"
echo 'create_main_cluster = false' > "$root/etc/postgresql-common/createcluster.conf"

echo "postgres-image: installing postgresql-15" >&2
chroot "$root" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 && apt-get clean && rm -rf /var/lib/apt/lists/*' \
  >"$work/install.log" 2>&1 || { tail -20 "$work/install.log" >&2; exit 1; }
install -m 755 "$here/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"

echo "postgres-image: importing $image" >&2
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV PGDATA=/var/lib/postgresql/data' \
  --change 'EXPOSE 5432' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["postgres"]' \
  - "$image-base" >/dev/null
# `docker import` refuses STOPSIGNAL; without SIGINT (fast shutdown) postgres waits out docker's 10 s on stop.
printf 'FROM %s\nSTOPSIGNAL SIGINT\n' "$image-base" > "$work/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$image" "$work" >/dev/null
docker rmi "$image-base" >/dev/null
echo "$image"
