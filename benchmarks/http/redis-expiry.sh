#!/usr/bin/env bash
# Redis's own pauses when a burst of done marks expires: writes N done marks at once (SET key D PX, as the Redis dedupe
# store writes them, with a 60 s window), waits until they expire, and prints what Redis's latency monitor recorded
# meanwhile (expire-cycle: the longest single pause spent removing expired keys). For the JSON Redis row's paced p99
# in run.sh, and for choosing Redis's `hz` (each expire cycle may take a quarter of 1/hz seconds: 25 ms at the default
# hz 10, 2.5 ms at hz 100).
#
#   benchmarks/http/redis-expiry.sh [N] [HZ]     N done marks (500000), Redis started with --hz HZ (10, Redis's default)
#   REDIS_PORT=6391 by default; Redis is started here on CLIENT_CPU (1) and stopped at the end.
set -euo pipefail
n=${1:-500000}; hz=${2:-10}; port=${REDIS_PORT:-6391}; cpu=${CLIENT_CPU:-1}
command -v redis-server >/dev/null && command -v redis-cli >/dev/null || { echo "needs redis-server and redis-cli (apt-get install redis-server)" >&2; exit 1; }
work=$(mktemp -d)
cleanup() { redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

taskset -c "$cpu" redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --latency-monitor-threshold 1 \
  --hz "$hz" --daemonize yes --logfile "$work/redis.log" >/dev/null
for _ in $(seq 1 50); do redis-cli -p "$port" PING >/dev/null 2>&1 && break; sleep 0.1; done

# The commands in Redis's wire protocol, for redis-cli --pipe.
awk -v n="$n" 'BEGIN {
  for (i = 0; i < n; i++) {
    key = sprintf("wechat:dedupe:wx0123456789abcdef|m|%.0f", 1000000000000000 + i)
    printf "*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nD\r\n$2\r\nPX\r\n$5\r\n60000\r\n", length(key), key
  }
}' >"$work/marks.resp"

start=$(date +%s)
redis-cli -p "$port" --pipe <"$work/marks.resp" | tail -n1
echo "written in $(( $(date +%s) - start )) s; waiting for them to expire (about 75 s)"
sleep 50
redis-cli -p "$port" LATENCY RESET >/dev/null
sleep 25
echo "hz $hz: Redis's latency events of 1 ms or more while $n done marks expired (event, worst ms):"
redis-cli -p "$port" --raw LATENCY LATEST | paste - - - - | awk 'NF >= 4 { printf "  %s %s ms\n", $1, $4 }'
redis-cli -p "$port" INFO stats | tr -d '\r' | grep -E '^(expired_keys|expired_time_cap_reached_count|expire_cycle_cpu_milliseconds):' | sed 's/^/  /'
