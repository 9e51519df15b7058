#!/usr/bin/env bash
# Side-by-side registry benchmark: Berth (registry behind its gateway) on the filesystem driver, Berth
# on the S3 driver (against S3Proxy) and CNCF distribution, same machine, same run, same workload
# files; then the garbage-collection benchmark. See bench/README.md for how to read the tables.
#
#   bench/registry.sh [--only berth|berth-s3|distribution|gc] [--skip-build] [--no-gc]
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BERTH_JAR="$ROOT/platform/target/berth.jar"
BENCH_JAR="$ROOT/bench/target/bench.jar"
WRK_SECONDS=10
WRK_WARM_UP_SECONDS=3
OCI_MANIFEST="application/vnd.oci.image.manifest.v1+json"

GC_BLOBS=100000

only=""
build=yes
gc=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only="${2:-}"; shift 2 ;;
    --skip-build) build=no; shift ;;
    --no-gc) gc=no; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
# Target names double as shell variable prefixes (berths3_address): no dashes.
case "$only" in
  "") targets="berth berths3 distribution" ;;
  berth|distribution) targets="$only"; gc=no ;;
  berth-s3) targets="berths3"; gc=no ;;
  gc) targets="" ;;
  *) echo "--only takes berth, berth-s3, distribution or gc" >&2; exit 2 ;;
esac
uses_berth() { [[ " $targets " == *" berth "* || " $targets " == *" berths3 "* ]]; }

for tool in java mvn wrk curl docker-registry; do
  command -v "$tool" >/dev/null || { echo "missing host tool: $tool" >&2; exit 1; }
done

WORK_PREFIX=berth-bench
# shellcheck source=bench/servers.sh
source "$ROOT/bench/servers.sh"

if [ "$build" = yes ]; then
  modules=bench
  uses_berth && modules=platform,bench
  say "building $modules"
  (cd "$ROOT" && mvn -B -q -ntp -DskipTests package -pl "$modules" -am)
fi
[ -f "$BENCH_JAR" ] || { echo "no $BENCH_JAR" >&2; exit 1; }
if uses_berth && [ ! -f "$BERTH_JAR" ]; then
  echo "no $BERTH_JAR (build failed?); try --only distribution" >&2; exit 1
fi

# One driver run against every target (repetitions interleaved), then wrk on each pushed image's tag.
# Leaves "TARGET METRIC VALUE" lines in $WORK/results.
measure() {
  local registries="" target address_var
  for target in $targets; do
    address_var="${target}_address"
    registries="${registries:+$registries,}$target=${!address_var}"
  done
  say "measuring $registries"
  java -jar "$BENCH_JAR" "$registries" all "$WORK/workload" >"$WORK/driver.out" || return 1
  awk '$2 ~ /^(push_mbps|pull_mbps|concurrent_pushes_per_s)$/ { sub("median=", "", $3); print $1, $2, $3 }' \
    "$WORK/driver.out" >"$WORK/results"
  local url path
  for target in $targets; do
    address_var="${target}_address"
    path="$(awk -v t="$target" '$1 == t && $2 == "manifest_path" { print $3 }' "$WORK/driver.out")"
    url="http://${!address_var}$path"
    say "$target: manifest GET warm-up (${WRK_WARM_UP_SECONDS}s), then wrk -c32 -t2 -d${WRK_SECONDS}s $url"
    wrk -c32 -t2 -d"${WRK_WARM_UP_SECONDS}s" -H "Accept: $OCI_MANIFEST" "$url" >/dev/null || return 1
    wrk -c32 -t2 -d"${WRK_SECONDS}s" -H "Accept: $OCI_MANIFEST" "$url" >"$WORK/$target.wrk" || return 1
    local failed; failed="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$WORK/$target.wrk")"
    if [ -n "$failed" ]; then
      # A registry answering 404 fast must not look like a fast registry.
      say "$target: $failed manifest GETs did not answer 200; not counting the figure"
      echo "$target manifest_get_rps ERR" >>"$WORK/results"
    else
      awk -v t="$target" '/^Requests\/sec:/ { print t, "manifest_get_rps", $2 }' "$WORK/$target.wrk" >>"$WORK/results"
    fi
    say "$target manifest GET: $(awk -v t="$target" '$1 == t && $2 == "manifest_get_rps" { print $3 }' "$WORK/results") req/s"
  done
}

# The 256 MiB push and pull once more with curl, a client light enough that the servers, not the
# client, set the pace on two cores. Fresh random blobs (none of the registries has them yet),
# rounds interleaved across registries, each push after settle_page_cache.
# Appends "TARGET curl_push_mbps|curl_pull_mbps MEDIAN".
measure_with_curl() {
  local round target address_var address location sep speeds file digest
  declare -A push pull
  for round in 1 2 3; do
    file="$WORK/curl-$round.bin"
    head -c $((256 * 1024 * 1024)) /dev/urandom >"$file"
    digest="sha256:$(sha256sum "$file" | cut -d' ' -f1)"
    for target in $targets; do
      address_var="${target}_address"; address="${!address_var}"
      location="$(curl -fsS -D - -o /dev/null -X POST "http://$address/v2/bench/curl/blobs/uploads/" \
        | awk 'tolower($1) == "location:" { print $2 }' | tr -d '\r')"
      case "$location" in http*) ;; *) location="http://$address$location" ;; esac
      sep='?'; [[ "$location" == *\?* ]] && sep='&'
      settle_page_cache "$file"
      speeds="$(curl -fsS -o /dev/null -w '%{speed_upload}' -T "$file" \
        -H 'Content-Type: application/octet-stream' "$location${sep}digest=$digest")" || return 1
      push[$target]+="$speeds "
      for _ in 1 2 3; do # a 256 MiB pull on loopback swings by ±40 %: the median of 9 rather than of 3
        speeds="$(curl -fsS -o /dev/null -w '%{speed_download}' "http://$address/v2/bench/curl/blobs/$digest")" || return 1
        pull[$target]+="$speeds "
      done
    done
    rm -f "$file"
  done
  for target in $targets; do
    say "$target curl push B/s: ${push[$target]}; pull B/s: ${pull[$target]}"
    echo "$target curl_push_mbps $(median_mb ${push[$target]})" >>"$WORK/results"
    echo "$target curl_pull_mbps $(median_mb ${pull[$target]})" >>"$WORK/results"
  done
}

# settle_page_cache FILE: before a timed push, the same machine state for every registry (bench/README.md,
# "Every timed push starts from a settled page cache"): nothing dirty left to write back, the page cache
# dropped when we may (root), and FILE read back in so the client reads it from memory.
settle_page_cache() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then echo 3 >/proc/sys/vm/drop_caches; fi
  cat "$1" >/dev/null
}

median_mb() { # bytes/s values -> median in MB/s (10^6)
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1e6 }'
}

value() { # value TARGET METRIC
  [ -f "$WORK/results" ] || { echo "-"; return; }
  awk -v t="$1" -v m="$2" '$1 == t && $2 == m { print $3; found = 1 } END { if (!found) print "-" }' "$WORK/results"
}

print_table() {
  local rows=(
    "curl_push_mbps|256 MiB monolithic push, MB/s (curl, median of 3)|1.5"
    "curl_pull_mbps|256 MiB blob pull, MB/s (curl, median of 9)|1.0"
    "push_mbps|256 MiB monolithic push, MB/s (Java client, median of 3)|-"
    "pull_mbps|256 MiB blob pull, MB/s (Java client, median of 3)|-"
    "manifest_get_rps|manifest GET by tag, req/s (wrk -c32 -t2 ${WRK_SECONDS}s)|3.0"
    "concurrent_pushes_per_s|100 concurrent 1 MiB pushes, pushes/s (median of 3)|-"
  )
  echo
  printf '%-62s %10s %10s %13s %11s %11s %8s %s\n' metric Berth Berth-S3 distribution Berth/dist S3/dist target verdict
  local row metric label target berth s3 dist
  for row in "${rows[@]}"; do
    IFS='|' read -r metric label target <<<"$row"
    berth="$(value berth "$metric")"
    s3="$(value berths3 "$metric")"
    dist="$(value distribution "$metric")"
    awk -v label="$label" -v b="$berth" -v s="$s3" -v d="$dist" -v t="$target" 'BEGIN {
      numeric = "^[0-9.]+$"
      ratio = "-"; s3ratio = "-"; verdict = ""
      if (b ~ numeric && d ~ numeric && d > 0) {
        ratio = sprintf("%.2fx", b / d)
        if (t != "-") verdict = (b / d >= t) ? "met" : "MISSED"
      }
      if (s ~ numeric && d ~ numeric && d > 0) s3ratio = sprintf("%.2fx", s / d)
      printf "%-62s %10s %10s %13s %11s %11s %8s %s\n", label, b, s, d, ratio, s3ratio, (t == "-" ? "-" : ">= " t "x"), verdict
    }'
  done
  echo
}

# The garbage collector over GC_BLOBS blobs of metadata (GcBench: rows from generate_series in an
# embedded PostgreSQL, 1-byte objects on the filesystem driver): an idle run, a dry run, a real run.
measure_gc() {
  say "garbage collection over $GC_BLOBS blobs (GcBench)"
  java -cp "$BENCH_JAR" dev.berth.bench.GcBench "$WORK/gc" "$GC_BLOBS" >"$WORK/gc.out" 2>"$WORK/gc.log" || {
    tail -n 20 "$WORK/gc.log" >&2; return 1; }
  rm -rf "$WORK/gc"
  echo
  grep '^gc ' "$WORK/gc.out"
  echo
}

status=0
if [ -n "$targets" ]; then
  say "generating the workload files (shared by every registry measured)"
  java -jar "$BENCH_JAR" prepare "$WORK/workload"

  [[ " $targets " == *" berth "* ]] && start_berth
  if [[ " $targets " == *" berths3 "* ]]; then
    start_s3proxy
    start_berth_as berths3 BERTH_REGISTRY_STORAGE_DRIVER=s3 BERTH_REGISTRY_STORAGE_S3_ENDPOINT="$s3_endpoint" \
      BERTH_REGISTRY_STORAGE_S3_REGION="$s3_region" BERTH_REGISTRY_STORAGE_S3_BUCKET=berth-bench \
      BERTH_REGISTRY_STORAGE_S3_ACCESS_KEY="$s3_access_key" BERTH_REGISTRY_STORAGE_S3_SECRET_KEY="$s3_secret_key"
  fi
  [[ " $targets " == *" distribution "* ]] && start_distribution

  measure || { say "measurement failed"; status=1; }
  [ "$status" = 0 ] && { measure_with_curl || { say "curl measurement failed"; status=1; }; }
  print_table
fi
if [ "$gc" = yes ]; then
  measure_gc || { say "GC benchmark failed"; status=1; }
fi
exit "$status"
