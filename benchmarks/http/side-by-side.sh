#!/usr/bin/env bash
# Two builds of one load target, side by side: both servers up at once on the same core, warmed, then loaded in
# turn for ROUNDS rounds of 10 s each (a, b, a, b, ...), so that the VM's drift over minutes hits both alike. Prints
# req/s, p50, p99 and context switches per request of each load. For a change too small for run.sh's rounds to see.
#
#   benchmarks/http/side-by-side.sh TARGET CASE BUILD_A BUILD_B
#     TARGET   ours | ours-redis | ours-safe | bare (TARGET_B=... gives build B another target)
#     CASE     xml-plain | json-plain | xml-aes | json-aes
#     BUILD_*  a folder holding WeChatHandlers.LoadTargets.dll, e.g. from
#              dotnet build benchmarks/WeChatHandlers.LoadTargets -c Release -o /tmp/a   (then change, then -o /tmp/b)
#   ROUNDS=3 WARM=40 SERVER_CPU=0 CLIENT_CPU=1 CONNECTIONS=32; ours-redis needs a redis-server on 127.0.0.1:6390
#   (REDIS_PORT), started for example with: taskset -c 1 redis-server --port 6390 --save "" --appendonly no
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $# -eq 4 ]] || { sed -n '2,12p' "$0"; exit 2; }
target=$1; case_name=$2; build_a=$3; build_b=$4
rounds=${ROUNDS:-3}; warm=${WARM:-40}; connections=${CONNECTIONS:-32}
server_cpu=${SERVER_CPU:-0}; client_cpu=${CLIENT_CPU:-1}

export WeChat__Token=loadtesttoken WeChat__AppId=wx0123456789abcdef
export WeChat__EncodingAESKey=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFA
export WeChat__Redis="127.0.0.1:${REDIS_PORT:-6390}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }

work=$(mktemp -d)
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

dotnet "$build_a/WeChatHandlers.LoadTargets.dll" requests "$work/requests" 20000
taskset -c "$server_cpu" dotnet "$build_a/WeChatHandlers.LoadTargets.dll" "$target" --urls http://127.0.0.1:5301 >"$work/a.log" 2>&1 &
pid_a=$!; pids="$pids $pid_a"
taskset -c "$server_cpu" dotnet "$build_b/WeChatHandlers.LoadTargets.dll" "${TARGET_B:-$target}" --urls http://127.0.0.1:5302 >"$work/b.log" 2>&1 &
pid_b=$!; pids="$pids $pid_b"
for port in 5301 5302; do
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

type=text/xml; [[ $case_name == json-* ]] && type=application/json
unique=""; [[ $case_name == *-plain ]] && unique=unique
load() { # port seconds -> RESULT line
  taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"$2"s --latency -s benchmarks/http/post.lua \
    "http://127.0.0.1:$1" -- "$work/requests/$case_name.txt" "$type" $unique | grep '^RESULT'
}
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s }'; }

load 5301 "$warm" >/dev/null
load 5302 "$warm" >/dev/null
for round in $(seq 1 "$rounds"); do
  for side in a b; do
    port=5301; pid=$pid_a
    if [[ $side == b ]]; then port=5302; pid=$pid_b; fi
    before=$(switches "$pid"); result=$(load "$port" 10); after=$(switches "$pid")
    requests=$(echo "$result" | sed 's/.*requests=\([0-9]*\).*/\1/')
    echo "round $round $side $result switches_per_request=$(awk -v a="$before" -v b="$after" -v n="$requests" 'BEGIN { printf "%.2f", (b - a) / n }')"
  done
done
