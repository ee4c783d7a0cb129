# Shared by run.sh, side-by-side.sh and server-costs.sh (sourced, from the repository root): the load targets'
# settings, waiting for a server, one wrk load, and a process's context switches and CPU time. Callers set
# connections, client_cpu and requests (the folder of the request files).

export WeChat__Token=loadtesttoken
export WeChat__AppId=wx0123456789abcdef
export WeChat__EncodingAESKey=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFA
export WeChat__Redis="127.0.0.1:${REDIS_PORT:-6390}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

wait_for() { # port: until the server answers, at most 10 s
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0; sleep 0.1; done
  echo "server on $1 did not start" >&2
  return 1
}

load() { # port case seconds -> wrk's RESULT line; plaintext cases give every request its own MsgId
  local type=text/xml unique=""
  [[ "$2" == json-* ]] && type=application/json
  [[ "$2" == *-plain ]] && unique=unique
  taskset -c "$client_cpu" wrk -t1 -c"$connections" -d"$3"s --latency -s benchmarks/http/post.lua \
    "http://127.0.0.1:$1" -- "$requests/$2.txt" "$type" $unique | grep '^RESULT'
}

switches() { # pid -> context switches so far, voluntary and involuntary, over all its threads
  cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s }'
}

cpu_times() { # pid -> its user and kernel CPU time so far, in clock ticks (getconf CLK_TCK a second), "user system"
  awk '{ print $14, $15 }' /proc/"$1"/stat 2>/dev/null || echo "0 0"
}

cpu_ticks() { # pid -> its user plus kernel CPU time so far, in clock ticks
  cpu_times "$1" | awk '{ print $1 + $2 }'
}
