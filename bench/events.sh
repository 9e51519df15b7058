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

WORK_PREFIX=berth-events
# shellcheck source=bench/servers.sh
source "$ROOT/bench/servers.sh"

if [ "$build" = yes ]; then
  say "building platform,bench"
  (cd "$ROOT" && mvn -B -q -ntp -DskipTests package -pl platform,bench -am)
fi
for jar in "$BERTH_JAR" "$BENCH_JAR"; do
  [ -f "$jar" ] || { echo "no $jar (build failed?)" >&2; exit 1; }
done

# berth up does not print its broker's address; the broker's own config has it (a Java properties
# file, where ':' is written escaped as '\:').
kafka_address() {
  tr -d '\\' <"$WORK/berth-data/kafka/server.properties" | sed -n 's/^listeners=.*PLAINTEXT:\/\/\([^,]*\).*/\1/p'
}

receiver_port="$(free_port)"
# Our webhook receiver is on loopback, which Berth refuses as a target unless told otherwise.
start_berth BERTH_REGISTRY_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true
kafka_bootstrap="$(kafka_address)"
[ -n "$kafka_bootstrap" ] || { echo "no Kafka listener in $WORK/berth-data/kafka/server.properties" >&2; exit 1; }
# As it ships, plus one notification endpoint: our receiver. threshold/backoff as the docs' example.
start_distribution "notifications:
  endpoints:
    - name: bench
      url: http://127.0.0.1:$receiver_port/distribution
      timeout: 1s
      threshold: 5
      backoff: 1s"

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
