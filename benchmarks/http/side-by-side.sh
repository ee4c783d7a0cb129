#!/usr/bin/env bash
# Two builds of one load target, side by side: both servers up at once on the same core, warmed, then loaded in
# turn for ROUNDS rounds of 10 s each (a b, b a, a b, ...), so that the VM's drift over minutes hits both alike. Prints
# req/s, p50, p99, context switches and the server's user and kernel CPU time per request of each load (CPU time per
# request is steadier than req/s when the VM drifts). For a change too small for run.sh's rounds to see.
#
#   benchmarks/http/side-by-side.sh TARGET CASE BUILD_A BUILD_B
#     TARGET   ours | ours-redis | ours-safe | bare | bare-redis (TARGET_B=... gives build B another target, and ENV_B="NAME=value
#              ..." runs it with those environment variables, to compare a runtime setting on one build)
#     CASE     xml-plain | json-plain | xml-aes | json-aes
#     BUILD_*  a folder holding WeChatHandlers.LoadTargets.dll, e.g. from
#              dotnet build benchmarks/WeChatHandlers.LoadTargets -c Release -o /tmp/a   (then change, then -o /tmp/b)
#   ROUNDS=3 WARM=40 SERVER_CPU=0 CLIENT_CPU=1 CONNECTIONS=32; ours-redis and bare-redis need a redis-server on 127.0.0.1:6390
#   (REDIS_PORT), started for example with: taskset -c 1 redis-server --port 6390 --save "" --appendonly no
# The targets are run.sh's: ours-safe's store forgets finished keys (pre-encrypted requests must repeat), the others
# run the default configuration.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $# -eq 4 ]] || { awk 'NR > 1 && /^#/ { print; next } NR > 1 { exit }' "$0"; exit 2; } # the header above is the usage
target=$1; case_name=$2; build_a=$3; build_b=$4
rounds=${ROUNDS:-3}; warm=${WARM:-40}; connections=${CONNECTIONS:-32}
server_cpu=${SERVER_CPU:-0}; client_cpu=${CLIENT_CPU:-1}

source benchmarks/http/lib.sh
work=$(mktemp -d)
requests="$work/requests"
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

dotnet "$build_a/WeChatHandlers.LoadTargets.dll" requests "$requests" 20000
taskset -c "$server_cpu" dotnet "$build_a/WeChatHandlers.LoadTargets.dll" "$target" --urls http://127.0.0.1:5301 >"$work/a.log" 2>&1 &
pid_a=$!; pids="$pids $pid_a"
# shellcheck disable=SC2086 # ENV_B is a list of NAME=value words
env ${ENV_B:-} taskset -c "$server_cpu" dotnet "$build_b/WeChatHandlers.LoadTargets.dll" "${TARGET_B:-$target}" --urls http://127.0.0.1:5302 >"$work/b.log" 2>&1 &
pid_b=$!; pids="$pids $pid_b"
wait_for 5301
wait_for 5302

load 5301 "$case_name" "$warm" >/dev/null
load 5302 "$case_name" "$warm" >/dev/null
hz=$(getconf CLK_TCK)
for round in $(seq 1 "$rounds"); do
  # The order alternates (a b, b a, ...): the second load of a round tends to read higher on this kind of VM.
  order="a b"; (( round % 2 == 0 )) && order="b a"
  for side in $order; do
    port=5301; pid=$pid_a
    if [[ $side == b ]]; then port=5302; pid=$pid_b; fi
    before=$(switches "$pid"); cpu0=$(cpu_times "$pid")
    result=$(load "$port" "$case_name" 10)
    after=$(switches "$pid"); cpu1=$(cpu_times "$pid")
    answered=$(echo "$result" | sed 's/.*requests=\([0-9]*\).*/\1/')
    echo "round $round $side $result $(awk -v a="$before" -v b="$after" -v c0="$cpu0" -v c1="$cpu1" -v n="$answered" -v hz="$hz" \
      'BEGIN { split(c0, x, " "); split(c1, y, " ");
        printf "switches_per_request=%.2f user_us_per_request=%.2f sys_us_per_request=%.2f",
          (b - a) / n, (y[1] - x[1]) * 1e6 / hz / n, (y[2] - x[2]) * 1e6 / hz / n }')"
  done
done
