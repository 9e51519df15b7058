# Sourced by the bench scripts: a work dir cleaned up on exit, free loopback ports, and starting
# Berth and CNCF distribution side by side. Expects ROOT, BERTH_JAR and WORK_PREFIX to be set.
# shellcheck shell=bash

say() { echo "==> $*" >&2; }

WORK="$(mktemp -d "/tmp/$WORK_PREFIX.XXXXXX")"
pids=()
cleanup() {
  # Only the servers this script started, each by its own pid; a graceful stop first.
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

taken_ports=" "
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    [[ "$taken_ports" == *" $port "* ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    taken_ports+="$port "; echo "$port"; return
  done
}

# start_berth [VAR=value ...]: berth up on a free port with the given extra environment; sets
# berth_address once it printed its ready line.
start_berth() {
  local port; port="$(free_port)"
  say "starting Berth on 127.0.0.1:$port"
  # shellcheck disable=SC2086  # BERTH_JAVA_OPTS is a list of JVM flags
  # Authentication off: the benchmarks push and pull anonymously, as against distribution.
  env BERTH_GATEWAY_AUTH_ENABLED=false "$@" java ${BERTH_JAVA_OPTS:-} -jar "$BERTH_JAR" up --data-dir "$WORK/berth-data" --host 127.0.0.1 \
    --port "$port" >"$WORK/berth.log" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 1 600); do
    if grep -q "listening on http://" "$WORK/berth.log"; then
      berth_address="127.0.0.1:$port"; return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "Berth did not get ready; its log:" >&2; tail -n 40 "$WORK/berth.log" >&2; exit 1
}

# start_distribution [EXTRA_YAML]: distribution as it ships (in-memory blob descriptor cache), minus
# the per-request access log, plus EXTRA_YAML appended to its config; sets distribution_address.
start_distribution() {
  local port; port="$(free_port)"
  mkdir -p "$WORK/distribution-data"
  cat >"$WORK/distribution.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: $WORK/distribution-data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
${1:-}
YAML
  say "starting distribution on 127.0.0.1:$port"
  docker-registry serve "$WORK/distribution.yml" >"$WORK/distribution.log" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null; then
      distribution_address="127.0.0.1:$port"; return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "distribution did not get ready; its log:" >&2; tail -n 40 "$WORK/distribution.log" >&2; exit 1
}
