#!/usr/bin/env bash
# HTTP load comparison on loopback: this framework's endpoint, a bare Kestrel endpoint (the floor) and node-webot's
# `wechat` middleware, loaded by wrk with pre-signed seed text messages, plaintext and safe mode, XML and JSON.
# Rows (DESIGN.md: benchmarks run the default configuration unless a row says otherwise):
#   plaintext XML/JSON   "ours" in its default configuration (the default memory dedupe store); post.lua gives every
#                        request its own MsgId, so each is a first delivery that the store remembers
#   plaintext, Redis     "ours-redis": the same with AddWeChatRedisDedupe on a local redis-server (pinned with wrk)
#   Redis floor          "bare-redis": bare Kestrel plus the Redis store's two calls per request (the claim, awaited,
#                        and the done mark), the floor of any endpoint that asks Redis before it runs
#   safe mode XML/JSON   "ours-safe": pre-encrypted requests must repeat, so this row's store forgets finished keys
#                        (ForgetfulDedupeStore); the rest is the default configuration
#   benchmarks/http/run.sh            per server a 60 s warm-up shared among its cases, then 3 rounds of 10 s per case
#                                     (after 2 s); ROUNDS=N for another count, REDIS_HZ=N for Redis at hz N (its
#                                     default is 10; see redis-expiry.sh)
#   benchmarks/http/run.sh --quick    per server a 30 s warm-up, then 1 round of 3 s per case (after 1 s)
#   benchmarks/http/run.sh --smoke    1 s per case, no warm-up: checks that every target answers; numbers mean nothing
#                                     and no results file is written
# Every server runs for the whole run (idle ones cost nothing), and each round loads every target in turn, case by
# case: bare, then ours, then node for one case, then the next. The table gives each cell's median over the rounds;
# its ours/bare column is the median of the rounds' own ratios (a ratio of two medians can mix a fast round of one
# server with a slow round of the other), the lowest and highest of them beside it. This VM moves by up to 20% over
# minutes (measured: the same server 31.9k then 25.4k req/s two hours apart), so a ratio between servers measured
# minutes apart says more about the VM than the servers; measured back to back, round after round, the drift hits both
# sides alike.
# Each saturated load also reads the server's user and kernel CPU time from /proc: its table gives the cost per request
# and bare's cost over ours per round, the req/s ratio a saturated core would give. It agrees with the req/s ratio
# within a few points when both servers keep their core busy, and tells a server the client could not saturate.
# The long warm-up is needed, and it is per server, not per case: a server pinned to one core sees one processor, so
# the runtime multiplies its tier-up delay (TC_CallCountingDelayMs, 100 ms) by ten and restarts it while new methods
# keep compiling; saturated, the hot code reaches tier 1 only after 15-20 s (3 s on two cores, or with the delay set
# to 0). Until then a server runs at a quarter to half of its speed; when the warm-up was per case, the
# servers with two cases (ours) got half the warm-up of the one with four (bare), and their first case (XML) was
# measured still compiling, which looked like an XML cost and was not.
# Latency at a fixed offered rate: each round also loads every target but node once more, with each connection
# waiting PACE_MS (3) ms after an answer before its next request (about 9k req/s here, a fraction of every server's
# capacity but node's). Saturated, a closed-loop wrk's latencies are its queue: 32 connections over a server that
# answers 15% fewer requests a second wait 15% longer, so the saturated p99 restates the req/s gap. Paced, they are the
# server's own time per request; that table is where "p99 within 0.3 ms of bare" is read. The paced connections fall
# into step, so each 3 ms a burst of 32 requests queues on the server's core: the p50 there is about 16 requests' cost.
# The machine has 2 cores: the server under test is pinned to CPU 0, wrk (one thread) to CPU 1.
# Prints a markdown table and writes it to benchmarks/http/results-<date>.md.
set -euo pipefail
cd "$(dirname "$0")/../.."

duration=10; warmup=2; server_warmup=60; count=20000; rounds=${ROUNDS:-3}
smoke=""
if [[ "${1:-}" == "--quick" ]]; then duration=3; warmup=1; server_warmup=30; rounds=1; fi
if [[ "${1:-}" == "--smoke" ]]; then duration=1; warmup=1; server_warmup=1; count=200; smoke=1; rounds=1; fi
connections=${CONNECTIONS:-32}; pace=${PACE_MS:-3}
server_cpu=${SERVER_CPU:-0}; client_cpu=${CLIENT_CPU:-1}

redis_port=${REDIS_PORT:-6390}
source benchmarks/http/lib.sh
work=$(mktemp -d)
requests="$work/requests"
pids=""; redis_pid=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [[ -n "$redis_pid" ]]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "building" >&2
dotnet build benchmarks/WeChatHandlers.LoadTargets -c Release -o "$work/bin" -v q -nologo >/dev/null
(cd benchmarks/node-peer && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
dotnet "$work/bin/WeChatHandlers.LoadTargets.dll" requests "$requests" "$count"

start() { # target port
  case "$1" in
    ours|ours-redis|ours-safe|bare|bare-redis) taskset -c "$server_cpu" dotnet "$work/bin/WeChatHandlers.LoadTargets.dll" "$1" --urls "http://127.0.0.1:$2" >"$work/$1.log" 2>&1 & ;;
    node) PORT=$2 WECHAT_TOKEN=$WeChat__Token WECHAT_APPID=$WeChat__AppId WECHAT_AES_KEY=$WeChat__EncodingAESKey \
            taskset -c "$server_cpu" node benchmarks/node-peer/server.js >"$work/node.log" 2>&1 & ;;
  esac
  pids="$pids $!"; pid_of[$1]=$!
  wait_for "$2"
}

cases_of() { # target -> the cases it serves
  case "$1" in
    bare) echo xml-plain json-plain xml-aes json-aes ;;
    ours|ours-redis|bare-redis) echo xml-plain json-plain ;;
    ours-safe) echo xml-aes json-aes ;;
    node) echo xml-plain xml-aes ;;
  esac
}

targets="bare ours ours-safe"
if command -v redis-server >/dev/null && command -v redis-cli >/dev/null; then
  # Redis's latency monitor records every event of its own (expiring keys, freeing memory) that took 1 ms or more.
  # REDIS_HZ=N runs it at hz N (Redis's default is 10; an expire cycle may take a quarter of 1/hz seconds).
  taskset -c "$client_cpu" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --latency-monitor-threshold 1 \
    ${REDIS_HZ:+--hz "$REDIS_HZ"} >"$work/redis.log" 2>&1 &
  redis_pid=$!
  targets="$targets ours-redis bare-redis"
else
  echo "redis-server or redis-cli is missing: no Redis row (apt-get install redis-server)" >&2
fi
targets="$targets node"

check() { # port case: one request must be answered "success" with 200
  local line body path type=text/xml; line=$(head -n1 "$requests/$2.txt"); path=${line%%$'\t'*}; body=${line#*$'\t'}
  [[ "$2" == json-* ]] && type=application/json
  local answer; answer=$(curl -s -w ' %{http_code}' -H "Content-Type: $type" --data-binary "$body" "http://127.0.0.1:$1$path")
  [[ "$answer" == "success 200" ]] || { echo "target on $1 answered '$answer' to $2" >&2; return 1; }
}

results="$work/results.tsv"; paced="$work/paced.tsv"; redis_events="$work/redis-events.tsv"
redis_cli() { redis-cli -p "$redis_port" "$@"; }
hz=$(getconf CLK_TCK)
record() { # file target case round result-line [cpu-ticks]: appends "target case rps p50 p99 errors round cpu-us"
  local rps p50 p99 errors requests cpu_us=""
  rps=$(sed -E 's/.*rps=([0-9]+).*/\1/' <<<"$5"); p50=$(sed -E 's/.*p50_ms=([0-9.]+).*/\1/' <<<"$5")
  p99=$(sed -E 's/.*p99_ms=([0-9.]+).*/\1/' <<<"$5"); errors=$(sed -E 's/.*errors=([0-9]+).*/\1/' <<<"$5")
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$5")
  # Which errors: the server's non-2xx answers, or wrk's own timeouts and socket errors (a stalled VM gives the latter).
  if [[ "$errors" -gt 0 ]]; then errors="$errors ($(sed -E 's/.*status=([0-9]+) timeout=([0-9]+) socket=([0-9]+).*/status \1, timeout \2, socket \3/' <<<"$5"))"; fi
  # The server's own user and kernel time per answered request, in microseconds.
  if [[ -n "${6:-}" && "$requests" -gt 0 ]]; then cpu_us=$(awk -v t="$6" -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }'); fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$2" "$3" "$rps" "$p50" "$p99" "$errors" "$4" "$cpu_us" >>"$1"
}
declare -A port_of pid_of
port=5100
for target in $targets; do
  port=$((port + 1)); port_of[$target]=$port
  start "$target" "$port"
done

# The per-server warm-up, shared among its cases (tiered compilation moves the hot code of every case to tier 1).
for target in $targets; do
  cases=$(cases_of "$target"); per_case=$(( server_warmup / $(wc -w <<<"$cases") ))
  for case in $cases; do
    check "${port_of[$target]}" "$case"
    load "${port_of[$target]}" "$case" "$(( per_case > 0 ? per_case : 1 ))" >/dev/null
  done
done

for round in $(seq 1 "$rounds"); do
  for case in xml-plain json-plain xml-aes json-aes; do
    for target in $targets; do
      grep -qw -- "$case" <<<"$(cases_of "$target")" || continue
      load "${port_of[$target]}" "$case" "$warmup" >/dev/null
      ticks0=$(cpu_ticks "${pid_of[$target]}")
      r=$(load "${port_of[$target]}" "$case" "$duration")
      ticks=$(( $(cpu_ticks "${pid_of[$target]}") - ticks0 ))
      echo "round $round $target $case $r cpu_ticks=$ticks" >&2
      record "$results" "$target" "$case" "$round" "$r" "$ticks"
    done
    for target in $targets; do
      [[ "$target" != node && "$target" != bare-redis ]] && grep -qw -- "$case" <<<"$(cases_of "$target")" || continue
      [[ "$target" == ours-redis ]] && redis_cli LATENCY RESET >/dev/null
      r=$(WRK_PACE_MS=$pace load "${port_of[$target]}" "$case" "$duration")
      echo "round $round $target $case paced $r" >&2
      record "$paced" "$target" "$case" "$round" "$r"
      # What Redis itself spent on events of its own during the paced load: "event worst-ms" pairs, and keys expired.
      if [[ "$target" == ours-redis ]]; then
        events=$(redis_cli --raw LATENCY LATEST | paste - - - - | awk 'NF >= 4 { printf "%s %s ms; ", $1, $4 }')
        printf '%s\t%s\t%s\t%s\n' "$round" "$case" "${events:-none; }" "$(redis_cli INFO stats | tr -d '\r' | awk -F: '$1 == "expired_keys" { print $2 }')" >>"$redis_events"
      fi
    done
  done
done

ours_stats=""
for target in $targets; do
  if [[ "$target" == ours* ]]; then ours_stats="$ours_stats $target: $(curl -s "http://127.0.0.1:${port_of[$target]}/stats");"; fi
done

# Shared by both tables' awk programs: the median, and the rows in order (each program defines row()).
awk_common='
  # The median of the space-separated values in v (the lower middle one for an even count).
  function median(v,   a, n, i, j, t) {
    n = split(v, a, " "); if (n == 0) return ""
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return a[int((n + 1) / 2)]
  }
  # The ratio of t to base in each round (loads back to back, one[target FS case FS round]), as a space-separated list.
  function ratios(c, t, base,   r, v) {
    v = ""
    for (r = 1; r <= rounds; r++) {
      if (!((t FS c FS r) in one) || !((base FS c FS r) in one) || one[base FS c FS r] == 0) continue
      v = v " " (100 * one[t FS c FS r] / one[base FS c FS r])
    }
    return v
  }
  function pct(v) { return (v == "") ? "n/a" : sprintf("%.0f%%", v) }
  # The lowest and highest of a list of ratios.
  function range(v,   a, n, i, lo, hi) {
    n = split(v, a, " "); if (n == 0) return "n/a"
    lo = a[1] + 0; hi = lo
    for (i = 2; i <= n; i++) { if (a[i] + 0 < lo) lo = a[i] + 0; if (a[i] + 0 > hi) hi = a[i] + 0 }
    return sprintf("%.0f-%.0f%%", lo, hi)
  }
  function rows() {
    row("xml-plain", "ours", "XML plaintext, default configuration")
    row("json-plain", "ours", "JSON plaintext, default configuration")
    row("xml-plain", "ours-redis", "XML plaintext, Redis dedupe")
    row("json-plain", "ours-redis", "JSON plaintext, Redis dedupe")
    row("xml-aes", "ours-safe", "XML safe mode (store forgets finished keys)")
    row("json-aes", "ours-safe", "JSON safe mode (store forgets finished keys)")
  }'

table=$(awk -F'\t' "$awk_common"'
  function cell(v) { return (v == "") ? "n/a" : v }
  # The Redis floor: bare Kestrel with the store calls against bare, and ours with Redis against that floor.
  function floor_row(c, label,   f, b, o) {
    if (rps["bare-redis" FS c] == "") return
    f = ratios(c, "bare-redis", "bare"); o = ratios(c, "ours-redis", "bare-redis")
    printf "| %s | %s | %s | %s (%s) | %s | %s (%s) |\n", label, median(rps["bare" FS c]), median(rps["bare-redis" FS c]), pct(median(f)), range(f), median(rps["ours-redis" FS c]), pct(median(o)), range(o)
  }
  function row(c, t, label,   b, o, nd, on, v, rr) {
    if (rps[t FS c] == "") return
    b = median(rps["bare" FS c]); o = median(rps[t FS c]); nd = median(rps["node" FS c]); v = ratios(c, t, "bare"); rr = median(v)
    on = (nd + 0 > 0) ? sprintf("%.1fx", o / nd) : "n/a"
    printf "| %s | %s | %s | %s | %s | %s | %s | %s ms | %s ms | %s | %s/%s/%s |\n", label, cell(b), o, pct(rr), range(v), cell(nd), on, cell(median(p99["bare" FS c])), median(p99[t FS c]), (nd == "" ? "n/a" : median(p99["node" FS c]) " ms"), cell(err["bare" FS c]), err[t FS c], cell(err["node" FS c])
  }
  { k = $1 FS $2; rps[k] = rps[k] " " $3; p99[k] = p99[k] " " $5; err[k] += $6; one[k FS $7] = $3; if ($7 > rounds) rounds = $7 }
  END {
    printf "Each cell the median of the rounds (%d). Ours / bare is the median of the rounds\x27 own ratios (bare and ours loaded back to back), not the ratio of the two medians, which the VM\x27s drift between rounds can push past 100%%; the spread is the lowest and highest of those ratios.\n\n", rounds
    print "| Row | Bare Kestrel req/s | Ours req/s | Ours / bare | Per round | Node wechat req/s | Ours / node | p99 bare | p99 ours | p99 node | Errors (b/o/n) |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    rows()
    print ""
    xp = median(rps["ours" FS "xml-plain"]); xa = median(rps["ours-safe" FS "xml-aes"])
    jp = median(rps["ours" FS "json-plain"]); ja = median(rps["ours-safe" FS "json-aes"])
    if (xp > 0 && xa > 0 && jp > 0 && ja > 0)
      printf "Safe mode vs plaintext (ours): XML %.0f%%, JSON %.0f%% of the plaintext req/s.\n", 100 * xa / xp, 100 * ja / jp
    if (rps["bare-redis" FS "xml-plain"] != "") {
      print ""
      print "The Redis floor: bare Kestrel plus the Redis store\x27s claim (awaited) and done mark per request, on the same Redis (medians over the rounds; per-round ratios, their range in brackets):"
      print ""
      print "| Case | Bare req/s | Bare + Redis req/s | Bare + Redis / bare | Ours with Redis req/s | Ours with Redis / bare + Redis |"
      print "|---|---:|---:|---:|---:|---:|"
      floor_row("xml-plain", "XML plaintext")
      floor_row("json-plain", "JSON plaintext")
    }
  }' "$results")

# The server's CPU time per request: medians over the rounds, and bare's cost over ours per round (loads back to back).
cpu_table=$(awk -F'\t' "$awk_common"'
  # Bare over ours: a cost, so the cheaper server is the larger share.
  function row(c, t, label,   v) {
    if (cpu[t FS c] == "" || cpu["bare" FS c] == "") return
    v = ratios(c, "bare", t)
    printf "| %s | %s µs | %s µs | %s | %s |\n", label, median(cpu["bare" FS c]), median(cpu[t FS c]), pct(median(v)), range(v)
  }
  $8 != "" { k = $1 FS $2; cpu[k] = cpu[k] " " $8; one[k FS $7] = $8; if ($7 > rounds) rounds = $7 }
  END {
    print "| Row | Bare CPU / request | Ours CPU / request | Bare / ours | Per round |"
    print "|---|---:|---:|---:|---:|"
    rows()
  }' "$results")

# The paced loads: medians over the rounds, and the lowest and highest p99 difference to bare within one round.
paced_table=$(awk -F'\t' "$awk_common"'
  function spread(c, t,   r, lo, hi, x) {
    lo = ""; hi = ""
    for (r = 1; r <= rounds; r++) {
      if (!((t FS c FS r) in one) || !(("bare" FS c FS r) in one)) continue
      x = one[t FS c FS r] - one["bare" FS c FS r]
      if (lo == "" || x < lo) lo = x; if (hi == "" || x > hi) hi = x
    }
    return (lo == "") ? "n/a" : sprintf("%+.2f to %+.2f ms", lo, hi)
  }
  function row(c, t, label,   pb, po) {
    if (rps[t FS c] == "") return
    pb = median(p99["bare" FS c]); po = median(p99[t FS c])
    printf "| %s | %s | %s | %s ms | %s ms | %s ms | %s ms | %+.2f ms | %s | %d/%d |\n", label, median(rps["bare" FS c]), median(rps[t FS c]), median(p50["bare" FS c]), median(p50[t FS c]), pb, po, po - pb, spread(c, t), err["bare" FS c], err[t FS c]
  }
  { k = $1 FS $2; rps[k] = rps[k] " " $3; p50[k] = p50[k] " " $4; p99[k] = p99[k] " " $5; err[k] += $6; one[k FS $7] = $5; if ($7 > rounds) rounds = $7 }
  END {
    print "| Row | Bare req/s | Ours req/s | p50 bare | p50 ours | p99 bare | p99 ours | p99 ours - bare | Per round | Errors (b/o) |"
    print "|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
    rows()
  }' "$paced")

# Redis's own latency events during each paced ours-redis load, next to that load's p99 (none when Redis is absent).
redis_table="(no Redis row)"
if [[ -s "$redis_events" ]]; then
  redis_table=$(awk -F'\t' 'NR == FNR { if ($1 == "ours-redis") p99[$7 FS $2] = $5; next }
    FNR == 1 { print "| Round | Case | p99 ours-redis | Redis events of 1 ms or more (event, worst) | Keys expired since Redis started |"; print "|---:|---|---:|---|---:|" }
    { printf "| %s | %s | %s ms | %s | %s |\n", $1, $2, p99[$1 FS $2], $3, $4 }' "$paced" "$redis_events")
fi

wrk_version=$( (wrk -v 2>&1 || true) | head -n1 | cut -d' ' -f1-2)
header="HTTP load, $(date -u +%Y-%m-%dT%H:%MZ), per server a ${server_warmup}s warm-up, then rounds: ${rounds}, ${duration}s per case after ${warmup}s, wrk -t1 -c${connections} on CPU ${client_cpu}, server on CPU ${server_cpu}, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), node $(node --version), ${wrk_version}${REDIS_HZ:+, Redis at hz $REDIS_HZ}"
out="benchmarks/http/results-$(date -u +%Y%m%d-%H%M).md"
[[ -n "$smoke" ]] && out="$work/smoke.md"
# Every measurement behind the medians, in the order it was taken.
rounds_table=$(awk -F'\t' 'BEGIN { print "| Round | Target | Case | req/s | p50 | p99 | Errors | Server CPU / request |"; print "|---:|---|---|---:|---:|---:|---:|---:|" }
  { printf "| %s | %s | %s | %s | %s ms | %s ms | %s | %s |\n", $7, $1, $2, $3, $4, $5, $6, ($8 == "" ? "n/a" : $8 " µs") }' "$results")
printf '%s\n\n%s\n\nServer CPU per request (its user and kernel time over each load, from /proc, divided by the requests answered; the time the hypervisor steals is not charged to it, but a VM that slows the work itself moves it as much as req/s). Bare / ours is the median of the rounds\x27 ratios of bare\x27s cost to ours: the share of bare\x27s req/s ours would reach with its core saturated. A server the client cannot saturate spends more per request (fewer requests per wake-up), and Redis\x27s own CPU is not counted:\n\n%s\n\nLatency at a fixed offered rate (each connection waits %s ms between an answer and its next request; medians over the rounds, the spread is the lowest and highest p99 difference to bare within one round):\n\n%s\n\nRedis during each paced Redis load (its latency monitor, threshold 1 ms, reset before the load; expire-cycle is Redis removing keys whose time ran out, done marks included):\n\n%s\n\nOurs, all cases including warm-ups:%s (handled: handler runs; skipped: requests the forgetful store kept from the handler; allocated, collections gen0/1/2 and GC pause time over each server run).\n\nEvery measurement, in the order taken:\n\n%s\n' "$header" "$table" "$cpu_table" "$pace" "$paced_table" "$redis_table" "$ours_stats" "$rounds_table" | tee "$out"
