#!/usr/bin/env bash
# ZaqarHub on several nodes, on loopback (issue 16): etcd + three Patroni-managed PostgreSQL 15 clusters (the catalogue,
# pool-a, pool-b; each a primary and a streaming replica), three service nodes, and HAProxy in front.
#
#   deploy/cluster.sh up | down | status
#
# and the fault actions the drills use (dotnet run --project Zaqar.Bench -c Release -- --drill NAME):
#   kill NODE | start NODE             kill -9 / start a service node (node1..node3)
#   leader CLUSTER                      the member that is primary now (catalogue, pool-a, pool-b)
#   crash MEMBER | revive MEMBER        kill -9 a member's Patroni and PostgreSQL (its machine dies) / start it again
#   sync on|off CLUSTER                 synchronous replication (Patroni's synchronous_mode) on or off
#   restart CLUSTER                     restart PostgreSQL on every member of a cluster (patronictl restart)
#   freeze MEMBER | thaw MEMBER         stop / resume a primary's WAL senders (SIGSTOP / SIGCONT): its replica lags
#   partition node3 | heal node3        cut node3 off every PostgreSQL (catalogue and pools) as a network would / restore it
#
# State (data directories, logs, pid files, the published service) lives in $ZAQARHUB_DEPLOY_STATE
# (default /tmp/zaqarhub-deploy): PostgreSQL runs as the postgres user and must reach it. The service is published
# there once; ZAQARHUB_PUBLISH=1 publishes it again. ZAQARHUB_SYNC=false bootstraps the clusters without synchronous mode.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
STATE="${ZAQARHUB_DEPLOY_STATE:-/tmp/zaqarhub-deploy}"
PG_PASSWORD="${ZAQARHUB_PG_PASSWORD:-zaqar-demo}"
APP_PASSWORD="${ZAQARHUB_APP_PASSWORD:-zaqar-app}"
ETCD_PORT=23790
ETCD_PEER_PORT=23800
HAPROXY_PORT=5800
PG_USER=postgres

# Members: name scope pg-port rest-port.
MEMBERS=(
  "catalogue-1 catalogue 5501 8501" "catalogue-2 catalogue 5502 8502"
  "pool-a-1 pool-a 5511 8511" "pool-a-2 pool-a 5512 8512"
  "pool-b-1 pool-b 5521 8521" "pool-b-2 pool-b 5522 8522"
)
NODES=(node1 node2 node3)
# node3 runs as a user of its own, so the partition drill can cut its traffic alone: a firewall rule marks the
# connections its processes open to PostgreSQL's ports, and partition drops every packet of those, both ways (packets
# lost, not refused: what a failed switch or a split network does). Needs root (iptables, conntrack).
NODE3_USER=zaqarhub-node3
PARTITION_MARK=0x5a3

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

member() { # name -> "name scope pg rest"
  local m
  for m in "${MEMBERS[@]}"; do [[ ${m%% *} == "$1" ]] && { echo "$m"; return; }; done
  die "no member $1"
}
cluster_members() { local m n s; for m in "${MEMBERS[@]}"; do read -r n s _ _ <<<"$m"; if [[ $s == "$1" ]]; then echo "$n"; fi; done; }
pg_port() { read -r _ _ p _ <<<"$(member "$1")"; echo "$p"; }
rest_port() { read -r _ _ _ r <<<"$(member "$1")"; echo "$r"; }
node_port() { echo $((5800 + ${1#node})); }

# The connection string that follows a cluster's primary: both members, and Npgsql picks the one that accepts writes.
conn_string() { # cluster database
  local hosts="" n
  for n in $(cluster_members "$1"); do hosts+="${hosts:+,}127.0.0.1:$(pg_port "$n")"; done
  # Host Recheck Seconds: how long Npgsql trusts what it learned of a host (primary or standby); short, so a promoted
  # replica is used within a second or two (the default, 10 s, would add up to 10 s to every failover).
  echo "Host=$hosts;Database=$2;Username=zaqar;Password=$APP_PASSWORD;Target Session Attributes=read-write;Host Recheck Seconds=1"
}

pidfile() { echo "$STATE/pids/$1.pid"; }
alive() { local f; f="$(pidfile "$1")"; [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null; }

# Starts a daemon in the background (its own output in logs/NAME.log) and records its pid; as_user runs it as that user.
spawn() { # name as_user cmd...
  local name=$1 user=$2; shift 2
  if [[ $user != "$(id -un)" ]]; then
    set -- setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
  fi
  nohup "$@" >>"$STATE/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
}

wait_for() { # description seconds command...
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "$what did not come up in ${seconds}s (see $STATE/logs)"
    sleep 0.5
  done
}

ensure_packages() {
  local missing=()
  command -v patroni >/dev/null || missing+=(patroni python3-psycopg2)
  command -v etcd >/dev/null || missing+=(etcd-server)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v socat >/dev/null || missing+=(socat)
  command -v iptables >/dev/null || missing+=(iptables)
  [[ -x /usr/lib/postgresql/15/bin/postgres ]] || missing+=(postgresql-15)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

publish() {
  if [[ ! -f $STATE/publish/Zaqar.Hub.dll || ${ZAQARHUB_PUBLISH:-0} == 1 ]]; then
    log "publishing Zaqar.Hub (Release) to $STATE/publish"
    dotnet publish "$REPO/Zaqar.Hub" -c Release -o "$STATE/publish" --nologo -v quiet >"$STATE/logs/publish.log" 2>&1 ||
      die "dotnet publish failed (see $STATE/logs/publish.log)"
  fi
}

start_etcd() {
  alive etcd && return
  spawn etcd "$(id -un)" etcd --name zaqarhub --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "zaqarhub=http://127.0.0.1:$ETCD_PEER_PORT"
  wait_for etcd 30 curl -sf "http://127.0.0.1:$ETCD_PORT/health"
}

member_config() { echo "$STATE/patroni/$1.yml"; }

start_member() {
  local name=$1 scope pg rest
  read -r _ scope pg rest <<<"$(member "$name")"
  alive "$name" && return
  mkdir -p "$STATE/data"
  sed -e "s|@SCOPE@|zaqarhub-$scope|g" -e "s|@NAME@|$name|g" -e "s|@REST_PORT@|$rest|g" -e "s|@PG_PORT@|$pg|g" \
    -e "s|@ETCD_PORT@|$ETCD_PORT|g" -e "s|@DATA_DIR@|$STATE/data/$name|g" -e "s|@STATE@|$STATE|g" \
    -e "s|@PG_PASSWORD@|$PG_PASSWORD|g" -e "s|@SYNC@|${ZAQARHUB_SYNC:-true}|g" \
    "$HERE/patroni.yml.in" >"$(member_config "$name")"
  chown "$PG_USER:$PG_USER" "$(member_config "$name")"
  spawn "$name" "$PG_USER" patroni "$(member_config "$name")"
}

patronictl_for() { # cluster args...
  local first; first="$(cluster_members "$1" | sed -n 1p)"; shift
  patronictl -c "$(member_config "$first")" "$@"
}

leader() {
  local n
  for n in $(cluster_members "$1"); do
    curl -sf "http://127.0.0.1:$(rest_port "$n")/primary" >/dev/null 2>&1 && { echo "$n"; return 0; }
  done
  return 1
}

# Every member streaming from the primary (patronictl list shows one Leader/Sync Standby and a running replica).
replicas_streaming() { # cluster
  local n
  for n in $(cluster_members "$1"); do
    curl -sf "http://127.0.0.1:$(rest_port "$n")/health" >/dev/null || return 1
  done
  [[ $(patronictl_for "$1" list -f json | grep -Eo '"State": "(streaming|running)"' | wc -l) -ge 2 ]]
}

psql_on() { # member database sql
  psql -h "$STATE/run" -p "$(pg_port "$1")" -U postgres -d "$2" -v ON_ERROR_STOP=1 -qAt -c "$3"
}

prepare_databases() { # cluster database
  local primary; primary="$(leader "$1")"
  psql_on "$primary" postgres "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'zaqar') THEN
      CREATE ROLE zaqar LOGIN PASSWORD '$APP_PASSWORD'; END IF; END\$\$;"
  if [[ -z $(psql_on "$primary" postgres "SELECT 1 FROM pg_database WHERE datname = '$2'") ]]; then
    psql_on "$primary" postgres "CREATE DATABASE $2 OWNER zaqar"
  fi
}

start_haproxy() {
  alive haproxy && return
  sed -e "s|@STATE@|$STATE|g" "$HERE/haproxy.cfg.in" >"$STATE/haproxy.cfg"
  haproxy -c -q -f "$STATE/haproxy.cfg" || die "haproxy.cfg does not parse"
  spawn haproxy "$(id -un)" haproxy -db -f "$STATE/haproxy.cfg"
  wait_for haproxy 10 curl -sf "http://127.0.0.1:5899/"
}

haproxy_cmd() { echo "$*" | socat stdio "unix-connect:$STATE/haproxy.sock"; }

pg_ports() { local m p ports=""; for m in "${MEMBERS[@]}"; do read -r _ _ p _ <<<"$m"; ports+="${ports:+,}$p"; done; echo "$ports"; }

# Marks node3's connections to PostgreSQL (set on their first packet, kept by conntrack for both directions).
mark_node3() {
  id -u "$NODE3_USER" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$NODE3_USER"
  local rule=(OUTPUT -p tcp -m multiport --dports "$(pg_ports)" -m owner --uid-owner "$NODE3_USER" -j CONNMARK --set-mark "$PARTITION_MARK")
  iptables -t mangle -C "${rule[@]}" 2>/dev/null || iptables -t mangle -A "${rule[@]}"
}

partition_rules() { # add|delete
  local chain
  for chain in OUTPUT INPUT; do
    local rule=("$chain" -m connmark --mark "$PARTITION_MARK" -j DROP)
    if [[ $1 == add ]]; then
      iptables -C "${rule[@]}" 2>/dev/null || iptables -I "${rule[@]}"
    else
      while iptables -C "${rule[@]}" 2>/dev/null; do iptables -D "${rule[@]}"; done
    fi
  done
}

start_node() {
  local name=$1 port; port="$(node_port "$name")"
  alive "$name" && return
  local user; user="$(id -un)"
  [[ $name == node3 ]] && user=$NODE3_USER
  (
    cd "$STATE/publish"
    export Urls="http://127.0.0.1:$port" ConnectionStrings__Zaqar="$(conn_string catalogue zaqar)" Pools__Enabled=true \
      Zaqar__AdminMode=true Shutdown__DrainSeconds=5
    spawn "$name" "$user" dotnet Zaqar.Hub.dll
  )
  wait_for "$name" 90 curl -sf "http://127.0.0.1:$port/health/ready"
}

admin() { # method path json
  curl -sf -X "$1" "http://127.0.0.1:$(node_port node1)$2" -H 'Content-Type: application/json' \
    -H 'X-Project-ID: admin' -H 'X-Roles: admin' -H "Client-ID: 7b8c4fd0-5b6d-4e45-9e53-16b0a9f2a1c1" -d "$3" >/dev/null
}

register_pools() {
  local pool
  for pool in pool-a pool-b; do
    admin PUT "/v2/pools/$pool" "{\"uri\": \"$(conn_string "$pool" zaqar_pool)\", \"weight\": 100}" || die "registering $pool failed"
    # One flavor per pool, so a queue chooses its pool with {"_flavor": "a"} (the drills do).
    admin PUT "/v2/flavors/${pool#pool-}" "{\"pool_list\": [\"$pool\"]}" || die "creating flavor ${pool#pool-} failed"
  done
}

up() {
  ensure_packages
  mkdir -p "$STATE"/{logs,pids,patroni,run,data}
  mkdir -p "$STATE/data"
  chown "$PG_USER:$PG_USER" "$STATE" "$STATE/run" "$STATE/patroni" "$STATE/data"
  chmod 755 "$STATE"
  publish
  start_etcd
  local m c
  for m in "${MEMBERS[@]}"; do start_member "${m%% *}"; done
  for c in catalogue pool-a pool-b; do
    wait_for "the primary of $c" 120 leader "$c"
    wait_for "the replica of $c" 120 replicas_streaming "$c"
  done
  prepare_databases catalogue zaqar
  prepare_databases pool-a zaqar_pool
  prepare_databases pool-b zaqar_pool
  start_haproxy
  mark_node3
  for m in "${NODES[@]}"; do start_node "$m"; done
  register_pools
  log "up: http://127.0.0.1:$HAPROXY_PORT (HAProxy stats on http://127.0.0.1:5899/)"
}

stop_pid() { # name signal
  local f; f="$(pidfile "$1")"
  [[ -f $f ]] || return 0
  local pid; pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -"${2:-TERM}" "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "$f"
}

down() {
  local m
  for m in "${NODES[@]}"; do stop_pid "$m"; done
  stop_pid haproxy
  # Patroni stops its PostgreSQL on SIGTERM (replicas first, so the primaries don't wait on synchronous commits).
  for m in catalogue-2 pool-a-2 pool-b-2 catalogue-1 pool-a-1 pool-b-1; do stop_pid "$m"; done
  for m in "${MEMBERS[@]}"; do
    local data="$STATE/data/${m%% *}"
    if [[ -f $data/postmaster.pid ]] && kill -0 "$(head -1 "$data/postmaster.pid")" 2>/dev/null; then
      kill -INT "$(head -1 "$data/postmaster.pid")" 2>/dev/null || true
    fi
  done
  stop_pid etcd
  partition_rules delete
  iptables -t mangle -D OUTPUT -p tcp -m multiport --dports "$(pg_ports)" -m owner --uid-owner "$NODE3_USER" \
    -j CONNMARK --set-mark "$PARTITION_MARK" 2>/dev/null || true
  log "down (state kept in $STATE; remove it for a fresh start)"
}

status() {
  local n c
  for n in etcd haproxy "${NODES[@]}"; do
    printf '%-12s %s\n' "$n" "$(alive "$n" && echo "running (pid $(cat "$(pidfile "$n")"))" || echo stopped)"
  done
  for n in "${NODES[@]}"; do
    printf '%-12s ready: %s\n' "$n" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(node_port "$n")/health/ready" || true)"
  done
  for c in catalogue pool-a pool-b; do
    alive "$(cluster_members "$c" | sed -n 1p)" && patronictl_for "$c" list || echo "$c: member 1 stopped"
  done
  if alive haproxy; then
    haproxy_cmd "show stat" | awk -F, '$1 ~ /^nodes/ && $2 ~ /^node/ {print $1 "/" $2 ": " $18}'
  fi
}

crash() { # member: its machine dies — kill -9 Patroni and every process of its PostgreSQL at once
  local name=$1 data="$STATE/data/$1" pids=()
  [[ -f $(pidfile "$name") ]] && pids+=("$(cat "$(pidfile "$name")")")
  if [[ -f $data/postmaster.pid ]]; then
    local postmaster; postmaster="$(head -1 "$data/postmaster.pid")"
    pids+=("$postmaster")
    mapfile -t -O "${#pids[@]}" pids < <(ps -o pid= --ppid "$postmaster")
  fi
  ((${#pids[@]})) && kill -9 "${pids[@]}" 2>/dev/null || true
  rm -f "$(pidfile "$name")"
  log "crashed $name (killed ${pids[*]})"
}

walsenders() { # member -> pids of its WAL senders (the processes streaming to its replicas)
  local postmaster; postmaster="$(head -1 "$STATE/data/$1/postmaster.pid")"
  ps -o pid=,args= --ppid "$postmaster" | awk '/walsender/ {print $1}'
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  kill) stop_pid "$2" KILL; log "killed $2" ;;
  start) mkdir -p "$STATE/logs"; start_node "$2"; log "started $2" ;;
  leader) leader "$2" ;;
  crash) crash "$2" ;;
  revive) start_member "$2"; wait_for "$2" 120 curl -sf "http://127.0.0.1:$(rest_port "$2")/health"; log "revived $2" ;;
  sync)
    [[ $2 == on ]] && value=true || value=false
    patronictl_for "$3" edit-config --force -s "synchronous_mode=$value" >/dev/null
    log "synchronous_mode=$value on $3" ;;
  freeze) mapfile -t pids < <(walsenders "$2"); kill -STOP "${pids[@]}"; log "froze the WAL senders of $2 (${pids[*]})" ;;
  thaw) mapfile -t pids < <(walsenders "$2"); kill -CONT "${pids[@]}" 2>/dev/null || true; log "thawed the WAL senders of $2" ;;
  restart) patronictl_for "$2" restart --force "zaqarhub-$2" >/dev/null; log "restarted $2" ;;
  partition) [[ ${2:-} == node3 ]] || die "only node3 can be partitioned"; partition_rules add; log "node3 cut off every PostgreSQL (packets dropped both ways)" ;;
  heal) [[ ${2:-} == node3 ]] || die "only node3 can be partitioned"; partition_rules delete; log "node3 reaches PostgreSQL again" ;;
  *) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 2 ;;
esac
