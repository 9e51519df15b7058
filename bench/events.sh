#!/usr/bin/env bash
# Push-event latency benchmark: Berth (Kafka + webhooks) vs CNCF distribution (notifications),
# same machine, same run. See bench/README.md, section "Push events".
#
#   bench/events.sh [--skip-build]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BERTH_JAR="$ROOT/platform/target/berth.jar"
BENCH_JAR="$ROOT/bench/target/bench.jar"

build=yes
case "${1:-}" in
  --skip-build) build=no ;;
  "") ;;
  -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
  *) echo "unknown argument: $1" >&2; exit 2 ;;
esac

for tool in java mvn curl docker-registry; do
  command -v "$tool" >/dev/null || { echo "missing host tool: $tool" >&2; exit 1; }
done

say() { echo "==> $*" >&2; }

if [ "$build" = yes ]; then
  say "building platform,bench"
  (cd "$ROOT" && mvn -B -q -ntp -DskipTests package -pl platform,bench -am)
fi
for jar in "$BERTH_JAR" "$BENCH_JAR"; do
  [ -f "$jar" ] || { echo "no $jar (build failed?)" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/berth-events.XXXXXX)"
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

start_berth() {
  local port; port="$(free_port)"
  say "starting Berth on 127.0.0.1:$port"
  # Our webhook receiver is on loopback, which Berth refuses as a target unless told otherwise.
  # shellcheck disable=SC2086  # BERTH_JAVA_OPTS is a list of JVM flags
  BERTH_REGISTRY_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true \
    java ${BERTH_JAVA_OPTS:-} -jar "$BERTH_JAR" up --data-dir "$WORK/berth-data" --host 127.0.0.1 --port "$port" \
    >"$WORK/berth.log" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 1 600); do
    if grep -q "listening on http://" "$WORK/berth.log"; then
      berth_address="127.0.0.1:$port"
      # berth up does not print its broker's address; the broker's own config has it.
      # A Java properties file: ':' is written escaped as '\:'.
      kafka_bootstrap="$(tr -d '\\' <"$WORK/berth-data/kafka/server.properties" \
        | sed -n 's/^listeners=.*PLAINTEXT:\/\/\([^,]*\).*/\1/p')"
      [ -n "$kafka_bootstrap" ] || { echo "no Kafka listener in $WORK/berth-data/kafka/server.properties" >&2; exit 1; }
      return
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "Berth did not get ready; its log:" >&2; tail -n 40 "$WORK/berth.log" >&2; exit 1
}

start_distribution() {
  local port; port="$(free_port)"
  mkdir -p "$WORK/distribution-data"
  # As it ships, plus one notification endpoint: our receiver. threshold/backoff as the docs' example.
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
notifications:
  endpoints:
    - name: bench
      url: http://127.0.0.1:$receiver_port/distribution
      timeout: 1s
      threshold: 5
      backoff: 1s
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

receiver_port="$(free_port)"
start_berth
start_distribution

say "driver: berth=$berth_address kafka=$kafka_bootstrap distribution=$distribution_address receiver=127.0.0.1:$receiver_port"
# Other work on the machine moves these latencies a lot; the load average says how busy it was.
say "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
java -cp "$BENCH_JAR" dev.berth.bench.EventsBench \
  "$berth_address" "$kafka_bootstrap" "$distribution_address" "$receiver_port" || status=$?
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$status" != 0 ]; then
  say "driver failed ($status); last lines of the server logs:"
  tail -n 20 "$WORK/berth.log" >&2
  tail -n 20 "$WORK/distribution.log" >&2
fi
exit "$status"
