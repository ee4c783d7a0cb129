-- wrk script: POSTs pre-signed requests in turn. The file named after "--" holds one "path<TAB>body" line per request
-- (written by `WeChatHandlers.LoadTargets requests`); the second argument is the Content-Type.
local requests = {}
local index = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  local headers = { ["Content-Type"] = args[2] }
  for line in file:lines() do
    local tab = line:find("\t", 1, true)
    requests[#requests + 1] = wrk.format("POST", line:sub(1, tab - 1), headers, line:sub(tab + 1))
  end
  file:close()
  -- Threads (and repeated runs) start at different places in the list.
  math.randomseed(os.time() + #requests)
  index = math.random(#requests)
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, bad))
end
