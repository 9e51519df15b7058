#!/usr/bin/env bash
# Node agent benchmark: container start latency through the agent's REST API vs plain `runc run` of the
# same image's bundle vs `docker run`, and image pull+unpack MB/s through the agent vs skopeo+umoci and
# docker pull, all from one CNCF distribution on loopback. Needs root. See bench/README.md.
#
#   bench/agent.sh [--skip-build] [--no-docker] [--iterations N] [--warm-up N] [--gap-ms N] [--pull-rounds N] [--big-mib N]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BERTH_JAR="${BERTH_JAR:-$ROOT/platform/target/berth.jar}"  # BERTH_JAR=... to measure another build
BENCH_JAR="$ROOT/bench/target/bench.jar"
RUNC=/usr/sbin/runc

build=yes
docker=yes
iterations=30
warm_up=300
gap_ms=0
pull_rounds=3
big_mib=200
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) build=no; shift ;;
    --no-docker) docker=no; shift ;;
    --iterations) iterations="$2"; shift 2 ;;
    --warm-up) warm_up="$2"; shift 2 ;; # untimed rounds of every runtime first (see AgentBench)
    --gap-ms) gap_ms="$2"; shift 2 ;; # idle before each timed start (see AgentBench)
    --pull-rounds) pull_rounds="$2"; shift 2 ;;
    --big-mib) big_mib="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

[ "$(id -u)" = 0 ] || { echo "root needed (runc, overlay mounts, dockerd)" >&2; exit 1; }
for tool in java mvn curl jq docker-registry runc conmon skopeo umoci busybox; do
  command -v "$tool" >/dev/null || { echo "missing host tool: $tool" >&2; exit 1; }
done
if [ "$docker" = yes ]; then
  for tool in docker dockerd; do
    command -v "$tool" >/dev/null || { echo "missing host tool: $tool (or use --no-docker)" >&2; exit 1; }
  done
fi

WORK_PREFIX=berth-agent-bench
# shellcheck source=bench/servers.sh
source "$ROOT/bench/servers.sh"

# Runs before servers.sh's cleanup: nothing of ours may stay mounted or running once WORK is deleted.
# Best effort throughout (set +e), so that cleanup itself always runs.
agent_bench_cleanup() {
  set +e +o pipefail
  local id root mount
  if [ -n "${agent_url:-}" ]; then
    for id in $(curl -fsS -H "Authorization: Bearer $token" "$agent_url/v1/containers" | jq -r '.containers[].id'); do
      curl -fsS -o /dev/null -X DELETE -H "Authorization: Bearer $token" "$agent_url/v1/containers/$id?force=true"
    done
  fi
  if [ -n "${docker_host:-}" ]; then
    for id in $(docker -H "$docker_host" ps -aq); do docker -H "$docker_host" rm -f "$id" >/dev/null; done
  fi
  for root in "$WORK/runc-root" "$WORK/agent-state/runc"; do
    [ -d "$root" ] || continue
    for id in $(ls "$root"); do "$RUNC" --root "$root" delete -f "$id" >/dev/null 2>&1; done
  done
  cleanup 2>/dev/null # (docker's netns mount is still there for its rm) stops the agent, dockerd (and the containerd it started), distribution; deletes WORK
  for mount in $(findmnt -rn -o TARGET | grep "^$WORK/" | sort -r); do umount -l "$mount"; done
  rm -rf "$WORK"
}
trap agent_bench_cleanup EXIT

if [ "$build" = yes ]; then
  say "building platform,bench"
  (cd "$ROOT" && mvn -B -q -ntp -DskipTests package -pl platform,bench -am)
fi
for jar in "$BERTH_JAR" "$BENCH_JAR"; do [ -f "$jar" ] || { echo "no $jar (build failed?)" >&2; exit 1; }; done

say "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_distribution

# --- images: busybox-static in one layer (small), and the same plus a random file (big) -------------
make_images() {
  local rootfs="$WORK/rootfs" layout="$WORK/layout" bundle
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  for applet in sh echo sleep true cat; do ln -s busybox "$rootfs/bin/$applet"; done
  echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
  umoci init --layout "$layout"
  umoci new --image "$layout:small"
  bundle="$WORK/umoci-build"
  umoci unpack --image "$layout:small" "$bundle" >/dev/null
  cp -a "$rootfs/." "$bundle/rootfs/"
  umoci repack --image "$layout:small" "$bundle"
  umoci config --image "$layout:small" --os linux --architecture amd64 --config.cmd sh
  # the big image: small + one layer with a random file (incompressible)
  umoci unpack --image "$layout:small" "$bundle.big" >/dev/null
  head -c $((big_mib * 1024 * 1024)) /dev/urandom >"$bundle.big/rootfs/random.bin"
  umoci repack --image "$layout:big" "$bundle.big"
  rm -rf "$bundle" "$bundle.big"
  small_ref="$distribution_address/bench/small:1"
  big_ref="$distribution_address/bench/big:1"
  skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$layout:small" "docker://$small_ref"
  skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$layout:big" "docker://$big_ref"
  big_bytes="$(skopeo inspect --tls-verify=false --raw "docker://$big_ref" | jq '[.layers[].size] | add')"
  rm -rf "$layout" "$rootfs"
}
say "building the images (busybox-static; big = + ${big_mib} MiB random layer) and pushing them"
make_images

# --- the agent (berth agent) ------------------------------------------------------------------------
start_agent() {
  local port; port="$(free_port)"
  token="bench-$RANDOM$RANDOM$RANDOM"
  cat >"$WORK/agent.yml" <<YAML
agent:
  host: 127.0.0.1
  port: $port
  token: $token
  state-dir: $WORK/agent-state
YAML
  say "starting berth agent on 127.0.0.1:$port"
  # shellcheck disable=SC2086  # BERTH_JAVA_OPTS is a list of JVM flags
  java ${BERTH_JAVA_OPTS:-} -jar "$BERTH_JAR" agent --config "$WORK/agent.yml" >"$WORK/agent.log" 2>&1 &
  pids+=($!)
  local pid=$!
  for _ in $(seq 1 600); do
    if grep -q "listening on http://" "$WORK/agent.log"; then agent_url="http://127.0.0.1:$port"; return; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "the agent did not get ready; its log:" >&2; tail -n 40 "$WORK/agent.log" >&2; exit 1
}

agent_pull() { # agent_pull REF: pulls through the API, fails unless the stream ends with "done"
  local last
  last="$(curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"reference\":\"$1\"}" "$agent_url/v1/images/pull" | tail -n 1)"
  [ "$(jq -r .status <<<"$last")" = done ] || { echo "agent pull of $1 failed: $last" >&2; return 1; }
}

agent_remove() { # agent_remove REF: removes the image and collects its blobs and tree
  curl -fsS -o /dev/null -X DELETE -H "Authorization: Bearer $token" "$agent_url/v1/images/$1"
  curl -fsS -o /dev/null -X POST -H "Authorization: Bearer $token" "$agent_url/v1/images/gc"
}

start_agent
agent_pull "$small_ref"

# --- plain runc: bundles written by `berth bundle` from the same image -------------------------------
say "writing runc bundles with berth bundle"
for what in sleep echo; do
  case "$what" in sleep) argv=(sleep 60) ;; echo) argv=(echo hi) ;; esac
  java -jar "$BERTH_JAR" bundle --image "$small_ref" --out "$WORK/bundle-$what" --state "$WORK/bundle-state" \
    -- "${argv[@]}" >/dev/null
done
mkdir -p "$WORK/runc-root"

# --- docker (Debian's engine, its own data root, socket and exec root under WORK) -------------------
docker_args=()
if [ "$docker" = yes ]; then
  docker_host="unix://$WORK/docker.sock"
  say "starting dockerd (data root $WORK/docker-data, no bridge, no iptables)"
  dockerd --data-root "$WORK/docker-data" --exec-root "$WORK/docker-exec" --pidfile "$WORK/docker.pid" \
    -H "$docker_host" --bridge=none --iptables=false --ip-masq=false >"$WORK/dockerd.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do docker -H "$docker_host" info >/dev/null 2>&1 && break; sleep 0.2; done
  docker -H "$docker_host" info >/dev/null 2>&1 || { tail -n 40 "$WORK/dockerd.log" >&2; exit 1; }
  docker -H "$docker_host" pull -q "$small_ref" >/dev/null
  docker_args=(docker="$(command -v docker)" docker-host="$docker_host" docker-image="$small_ref")
fi

# --- start latency ----------------------------------------------------------------------------------
say "start latency: $iterations iterations each, interleaved (after $warm_up untimed warm-up rounds)"
java -cp "$BENCH_JAR" dev.berth.bench.AgentBench agent="$agent_url" token="$token" image="$small_ref" \
  runc="$RUNC" runc-root="$WORK/runc-root" sleep-bundle="$WORK/bundle-sleep" echo-bundle="$WORK/bundle-echo" \
  iterations="$iterations" warm-up="$warm_up" gap-ms="$gap_ms" "${docker_args[@]}" | tee "$WORK/latency.out"

# --- pull + unpack ----------------------------------------------------------------------------------
elapsed_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
declare -A pull_ms
say "pull+unpack of $big_ref ($big_bytes bytes of layers), $pull_rounds rounds, interleaved"
for round in $(seq 1 "$pull_rounds"); do
  sync
  t0="$(date +%s%N)"; agent_pull "$big_ref"; pull_ms[agent]+="$(elapsed_since "$t0") "
  agent_remove "$big_ref"
  sync
  t0="$(date +%s%N)"
  skopeo --insecure-policy copy -q --src-tls-verify=false "docker://$big_ref" "oci:$WORK/skopeo-oci:big"
  umoci unpack --image "$WORK/skopeo-oci:big" "$WORK/umoci-unpacked" >/dev/null
  pull_ms[skopeo_umoci]+="$(elapsed_since "$t0") "
  rm -rf "$WORK/skopeo-oci" "$WORK/umoci-unpacked"
  if [ "$docker" = yes ]; then
    sync
    t0="$(date +%s%N)"; docker -H "$docker_host" pull -q "$big_ref" >/dev/null
    pull_ms[docker]+="$(elapsed_since "$t0") "
    docker -H "$docker_host" rmi "$big_ref" >/dev/null
  fi
done
for peer in "${!pull_ms[@]}"; do
  # shellcheck disable=SC2086
  printf '%s\n' ${pull_ms[$peer]} | sort -n | awk -v p="$peer" -v b="$big_bytes" '{ v[NR] = $1 }
    END { m = v[int((NR + 1) / 2)]; printf "%s pull_mbps median=%.1f ms=%d runs_ms=", p, b / 1e6 / (m / 1000), m
          for (i = 1; i <= NR; i++) printf "%s%s", v[i], (i < NR ? "," : "\n") }'
done | tee "$WORK/pull.out"

# --- table ------------------------------------------------------------------------------------------
say "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
lat() { awk -v k="$1 $2" -v f="$3" '$1 " " $2 == k { for (i = 3; i <= NF; i++) if ($i ~ "^" f "=") { sub(f "=", "", $i); print $i } }' "$WORK/latency.out"; }
pull() { awk -v k="$1" '$1 == k && $2 == "pull_mbps" { sub("median=", "", $3); print $3 }' "$WORK/pull.out"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2fx", a / b; else print "-" }'; }
echo
printf '%-44s %9s %9s %9s %10s %11s\n' "metric (ms, lower is better)" agent runc docker agent/runc agent/docker
for metric in start_ms run_ms; do
  for q in p50 p90; do
    a="$(lat agent "$metric" "$q")"; r="$(lat runc "$metric" "$q")"; d="$(lat docker "$metric" "$q")"
    case "$metric" in
      start_ms) label="create+start of a sleep container, $q" ;;
      run_ms) label="run echo hi to exit (and removed), $q" ;;
    esac
    printf '%-44s %9s %9s %9s %10s %11s\n' "$label" "$a" "$r" "${d:--}" "$(ratio "$a" "$r")" "$(ratio "$a" "$d")"
  done
done
echo "targets: agent/runc <= 1.3x, agent/docker < 1.0x"
echo
printf '%-44s %9s %13s %9s\n' "pull+unpack ${big_mib} MiB image, MB/s (median)" agent skopeo+umoci docker
printf '%-44s %9s %13s %9s\n' "" "$(pull agent)" "$(pull skopeo_umoci)" "$(pull docker || true)"
echo
