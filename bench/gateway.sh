#!/usr/bin/env bash
# The gateway's cost: manifest GET req/s and blob pull MB/s through Berth's gateway versus straight
# at the registry service behind it, same Berth, same run. With --auth, a second Berth started with
# authentication on is measured as well (requests carry credentials), and auth on/off ratios printed.
#
#   bench/gateway.sh [--skip-build] [--auth]
#
# --auth starts the second Berth with BERTH_GATEWAY_AUTH_ENABLED=true and an admin password, fetches a
# bearer token for the benchmark repository from its /token, and sends it with every request.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BERTH_JAR="$ROOT/platform/target/berth.jar"
WRK_SECONDS=10
WRK_WARM_UP_SECONDS=3
BLOB_MIB=256
PULL_ROUNDS=9
OCI_MANIFEST="application/vnd.oci.image.manifest.v1+json"

build=yes
auth=no
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) build=no; shift ;;
    --auth) auth=yes; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

auth_header=""
# With --auth: the admin's password for the second Berth, and the bearer token every request carries
# (fetched from its /token once, valid for the whole run, as a docker client's would be per scope).
BENCH_ADMIN_PASSWORD=bench-admin-password

for tool in java mvn wrk curl sha256sum; do
  command -v "$tool" >/dev/null || { echo "missing host tool: $tool" >&2; exit 1; }
done

WORK_PREFIX=berth-gateway-bench
# shellcheck source=bench/servers.sh
source "$ROOT/bench/servers.sh"

if [ "$build" = yes ]; then
  say "building platform"
  (cd "$ROOT" && mvn -B -q -ntp -DskipTests package -pl platform -am)
fi
[ -f "$BERTH_JAR" ] || { echo "no $BERTH_JAR (build failed?)" >&2; exit 1; }

# The registry service's own port, from the gateway's "upstream http://127.0.0.1:N is ready" log line.
registry_port() {
  grep -o 'upstream http://127\.0\.0\.1:[0-9]* is ready' "$WORK/berth.log" | head -n 1 | sed 's/.*:\([0-9]*\) is ready/\1/'
}

# Extra curl arguments of the pushes (a bearer token once authentication is on).
push_auth=()

# upload ADDRESS FILE DIGEST: one monolithic blob upload (POST, then PUT ?digest=) straight at ADDRESS.
upload() {
  local location sep
  location="$(curl -fsS -D - -o /dev/null "${push_auth[@]}" -X POST "http://$1/v2/bench/gateway/blobs/uploads/" \
    | awk 'tolower($1) == "location:" { print $2 }' | tr -d '\r')"
  case "$location" in http*) ;; *) location="http://$1$location" ;; esac
  sep='?'; [[ "$location" == *\?* ]] && sep='&'
  curl -fsS -o /dev/null "${push_auth[@]}" -T "$2" -H 'Content-Type: application/octet-stream' "$location${sep}digest=$3"
}

# push_image ADDRESS: a config, one BLOB_MIB layer and a manifest tagged v1; sets blob_digest.
push_image() {
  local layer="$WORK/layer.bin" config="$WORK/config.json" manifest="$WORK/manifest.json"
  head -c $((BLOB_MIB * 1024 * 1024)) /dev/urandom >"$layer"
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$config"
  blob_digest="sha256:$(sha256sum "$layer" | cut -d' ' -f1)"
  local config_digest; config_digest="sha256:$(sha256sum "$config" | cut -d' ' -f1)"
  upload "$1" "$layer" "$blob_digest"
  upload "$1" "$config" "$config_digest"
  printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}' \
    "$OCI_MANIFEST" "$config_digest" "$(stat -c %s "$config")" "$blob_digest" "$(stat -c %s "$layer")" >"$manifest"
  curl -fsS -o /dev/null "${push_auth[@]}" -X PUT -H "Content-Type: $OCI_MANIFEST" --data-binary "@$manifest" \
    "http://$1/v2/bench/gateway/manifests/v1"
  rm -f "$layer"
}

# rps NAME URL [HEADER]: manifest GETs with wrk after an untimed warm-up; appends "NAME manifest_get_rps V".
rps() {
  local name="$1" url="$2" header=("-H" "Accept: $OCI_MANIFEST")
  [ -n "${3:-}" ] && header+=("-H" "$3")
  say "$name: manifest GET warm-up (${WRK_WARM_UP_SECONDS}s), then wrk -c32 -t2 -d${WRK_SECONDS}s $url"
  wrk -c32 -t2 -d"${WRK_WARM_UP_SECONDS}s" "${header[@]}" "$url" >/dev/null
  wrk -c32 -t2 -d"${WRK_SECONDS}s" "${header[@]}" "$url" >"$WORK/$name.wrk"
  if grep -q 'Non-2xx or 3xx responses:' "$WORK/$name.wrk"; then
    say "$name: some manifest GETs did not answer 200; not counting the figure"
    echo "$name manifest_get_rps ERR" >>"$WORK/results"
  else
    awk -v n="$name" '/^Requests\/sec:/ { print n, "manifest_get_rps", $2 }' "$WORK/$name.wrk" >>"$WORK/results"
  fi
}

# pulls "NAME URL [HEADER]"...: one untimed pull each (the first pull of a blob is always the slowest),
# then PULL_ROUNDS rounds of curl blob pulls, targets interleaved; appends medians in MB/s.
pulls() {
  declare -A speeds
  local round spec name url header
  for spec in "$@"; do
    IFS='|' read -r name url header <<<"$spec"
    local warm=()
    [ -n "$header" ] && warm=(-H "$header")
    curl -fsS -o /dev/null "${warm[@]}" "$url"
  done
  for round in $(seq 1 "$PULL_ROUNDS"); do
    for spec in "$@"; do
      IFS='|' read -r name url header <<<"$spec"
      local extra=()
      [ -n "$header" ] && extra=(-H "$header")
      speeds[$name]+="$(curl -fsS -o /dev/null -w '%{speed_download}' "${extra[@]}" "$url") "
    done
  done
  for spec in "$@"; do
    IFS='|' read -r name _ <<<"$spec"
    say "$name pull B/s: ${speeds[$name]}"
    echo "$name pull_mbps $(printf '%s\n' ${speeds[$name]} | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1e6 }')" \
      >>"$WORK/results"
  done
}

value() { awk -v t="$1" -v m="$2" '$1 == t && $2 == m { print $3; f = 1 } END { if (!f) print "-" }' "$WORK/results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2fx", a / b; else print "-" }'; }

: >"$WORK/results"
start_berth
gateway="$berth_address"
direct="127.0.0.1:$(registry_port)"
[ "$direct" != "127.0.0.1:" ] || { echo "no registry port in Berth's log" >&2; exit 1; }
say "gateway $gateway, registry service $direct; pushing a ${BLOB_MIB} MiB image straight to the registry"
push_image "$direct"
manifest_path="/v2/bench/gateway/manifests/v1"
blob_path="/v2/bench/gateway/blobs/$blob_digest"

rps direct "http://$direct$manifest_path"
rps gateway "http://$gateway$manifest_path"
pulls "direct|http://$direct$blob_path" "gateway|http://$gateway$blob_path"

if [ "$auth" = yes ]; then
  # A second Berth with authentication on, on its own data: same image, pushed straight to its registry.
  say "stopping the auth-off Berth; starting one with authentication on"
  kill -TERM "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
  mv "$WORK/berth.log" "$WORK/berth-auth-off.log"
  rm -rf "$WORK/berth-data"
  start_berth BERTH_GATEWAY_AUTH_ENABLED=true BERTH_ADMIN_PASSWORD="$BENCH_ADMIN_PASSWORD" \
    BERTH_GATEWAY_AUTH_TOKEN_TTL_SECONDS=3600
  gateway="$berth_address"
  direct="127.0.0.1:$(registry_port)"
  token="$(curl -fsS -u "admin:$BENCH_ADMIN_PASSWORD" \
    "http://$gateway/token?service=berth&scope=repository:bench/gateway:pull,push" \
    | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')"
  [ -n "$token" ] || { echo "no token from http://$gateway/token" >&2; exit 1; }
  auth_header="Authorization: Bearer $token"
  push_auth=(-H "$auth_header")
  push_image "$direct"
  blob_path="/v2/bench/gateway/blobs/$blob_digest"
  # The same order as without authentication (direct first), so both JVMs are equally warm.
  rps direct_auth "http://$direct$manifest_path" "$auth_header"
  rps gateway_auth "http://$gateway$manifest_path" "$auth_header"
  pulls "direct_auth|http://$direct$blob_path|$auth_header" "gateway_auth|http://$gateway$blob_path|$auth_header"
fi

echo
printf '%-44s %12s %12s %14s' metric gateway direct gateway/direct
[ "$auth" = yes ] && printf ' %14s %14s %14s %16s' "direct+auth" "gateway+auth" "auth on/off" "gw+auth/direct"
echo
for row in "manifest_get_rps|manifest GET by tag, req/s (wrk -c32 -t2 ${WRK_SECONDS}s)" \
           "pull_mbps|${BLOB_MIB} MiB blob pull, MB/s (curl, median of ${PULL_ROUNDS})"; do
  IFS='|' read -r metric label <<<"$row"
  g="$(value gateway "$metric")"; d="$(value direct "$metric")"
  printf '%-44s %12s %12s %14s' "$label" "$g" "$d" "$(ratio "$g" "$d")"
  if [ "$auth" = yes ]; then
    a="$(value gateway_auth "$metric")"
    printf ' %14s %14s %14s %16s' "$(value direct_auth "$metric")" "$a" "$(ratio "$a" "$g")" "$(ratio "$a" "$d")"
  fi
  echo
done
if [ "$auth" = yes ]; then
  echo "target (issue 6): the gateway with auth costs under 10%: auth on/off and gw+auth/direct >= 0.90x"
else
  echo "(authentication off: run with --auth to measure it on)"
fi
echo
