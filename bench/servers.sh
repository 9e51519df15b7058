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
  start_berth_as berth "$@"
}

# start_berth_as NAME [VAR=value ...]: the same under another name (data in $WORK/NAME-data, log in
# $WORK/NAME.log), so several Berths can run side by side; sets NAME_address.
start_berth_as() {
  local name="$1"; shift
  local port; port="$(free_port)"
  say "starting $name (Berth) on 127.0.0.1:$port"
  # shellcheck disable=SC2086  # BERTH_JAVA_OPTS is a list of JVM flags
  # Authentication off unless the caller's VAR=value list turns it on: the benchmarks push and pull
  # anonymously, as against distribution.
  env BERTH_GATEWAY_AUTH_ENABLED=false "$@" java ${BERTH_JAVA_OPTS:-} -jar "$BERTH_JAR" up --data-dir "$WORK/$name-data" \
    --host 127.0.0.1 --port "$port" >"$WORK/$name.log" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 1 600); do
    if grep -q "listening on http://" "$WORK/$name.log"; then
      printf -v "${name}_address" '%s' "127.0.0.1:$port"; return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "$name did not get ready; its log:" >&2; tail -n 40 "$WORK/$name.log" >&2; exit 1
}

# start_s3proxy: S3Proxy (from bench.jar, objects under $WORK/s3proxy-data) on a free port; sets
# s3_endpoint, s3_region, s3_access_key and s3_secret_key. Expects BENCH_JAR.
start_s3proxy() {
  say "starting S3Proxy"
  java -cp "$BENCH_JAR" dev.berth.bench.S3ProxyMain "$WORK/s3proxy-data" >"$WORK/s3proxy.log" 2>&1 &
  pids+=($!)
  local pid=$! line
  for _ in $(seq 1 300); do
    line="$(grep -m1 '^s3proxy ready' "$WORK/s3proxy.log" || true)"
    if [ -n "$line" ]; then
      s3_endpoint="$(sed -n 's/.* endpoint=\([^ ]*\).*/\1/p' <<<"$line")"
      s3_region="$(sed -n 's/.* region=\([^ ]*\).*/\1/p' <<<"$line")"
      s3_access_key="$(sed -n 's/.* access-key=\([^ ]*\).*/\1/p' <<<"$line")"
      s3_secret_key="$(sed -n 's/.* secret-key=\([^ ]*\).*/\1/p' <<<"$line")"
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "S3Proxy did not get ready; its log:" >&2; tail -n 40 "$WORK/s3proxy.log" >&2; exit 1
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
