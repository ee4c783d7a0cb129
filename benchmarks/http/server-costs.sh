#!/usr/bin/env bash
# Where one load target's time goes under load: for ROUNDS loads of 10 s after a warm-up, prints wrk's result and,
# per request, the server's thread-pool work items and context switches, plus the CPU share of the server and of
# redis-server (if one runs) over the load. Tells waiting from work: a saturated server reads ~100%.
#
#   benchmarks/http/server-costs.sh TARGET CASE BUILD
#     TARGET   ours | ours-redis | ours-safe | bare
#     CASE     xml-plain | json-plain | xml-aes | json-aes
#     BUILD    a folder holding WeChatHandlers.LoadTargets.dll, e.g. from
#              dotnet build benchmarks/WeChatHandlers.LoadTargets -c Release -o /tmp/a
#   ROUNDS=2 WARM=40 SERVER_CPU=0 CLIENT_CPU=1 CONNECTIONS=32; ours-redis needs a redis-server on 127.0.0.1:6390
#   (REDIS_PORT), started for example with: taskset -c 1 redis-server --port 6390 --save "" --appendonly no
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $# -eq 3 ]] || { awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 2; } # the header above is the usage
target=$1; case_name=$2; build=$3
rounds=${ROUNDS:-2}; warm=${WARM:-40}; connections=${CONNECTIONS:-32}
server_cpu=${SERVER_CPU:-0}; client_cpu=${CLIENT_CPU:-1}
hz=$(getconf CLK_TCK)

source benchmarks/http/lib.sh
work=$(mktemp -d)
requests="$work/requests"
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

dotnet "$build/WeChatHandlers.LoadTargets.dll" requests "$requests" 20000
taskset -c "$server_cpu" dotnet "$build/WeChatHandlers.LoadTargets.dll" "$target" --urls http://127.0.0.1:5301 >"$work/server.log" 2>&1 &
pid=$!
wait_for 5301

work_items() { curl -s http://127.0.0.1:5301/stats | sed 's/.*work_items=\([0-9]*\).*/\1/'; }
redis=$(pgrep -x redis-server | head -1 || true)

load 5301 "$case_name" "$warm" >/dev/null
for round in $(seq 1 "$rounds"); do
  items0=$(work_items); switches0=$(switches "$pid"); cpu0=$(cpu_ticks "$pid"); redis0=${redis:+$(cpu_ticks "$redis")}
  started=$(date +%s.%N)
  result=$(load 5301 "$case_name" 10)
  seconds=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  items1=$(work_items); switches1=$(switches "$pid"); cpu1=$(cpu_ticks "$pid"); redis1=${redis:+$(cpu_ticks "$redis")}
  answered=$(echo "$result" | sed 's/.*requests=\([0-9]*\).*/\1/')
  echo "round $round $result $(awk -v i0="$items0" -v i1="$items1" -v s0="$switches0" -v s1="$switches1" \
    -v c0="$cpu0" -v c1="$cpu1" -v r0="${redis0:-0}" -v r1="${redis1:-0}" -v n="$answered" -v t="$seconds" -v hz="$hz" \
    'BEGIN { printf "work_items_per_request=%.2f switches_per_request=%.2f server_cpu=%.0f%% redis_cpu=%.0f%%",
      (i1 - i0) / n, (s1 - s0) / n, 100 * (c1 - c0) / hz / t, 100 * (r1 - r0) / hz / t }')"
done
