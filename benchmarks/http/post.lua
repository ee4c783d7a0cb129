-- wrk script: POSTs pre-signed requests in turn. The file named after "--" holds one "path<TAB>body" line per request
-- (written by `WeChatHandlers.LoadTargets requests`); the second argument is the Content-Type. With a third argument
-- "unique", the 16-digit MsgId 1234567890123456 in each body is replaced per request by a fresh one of the same width
-- (the plaintext signature does not cover the body), so every request is a first delivery for the server's dedupe
-- store, in its default configuration, however long the run.
-- With WRK_PACE_MS set, each connection waits that many milliseconds after every answer before its next request: an
-- offered rate below every server's capacity (about connections * 1000 / (pace + latency) requests a second), where the
-- latency is the server's own cost per request rather than the queue a saturated server builds.
local requests = {}
local heads, tails = {}, {}
local index = 0
local unique = false
local counter = 0

local pace = tonumber(os.getenv("WRK_PACE_MS") or "")
if pace then
  function delay()
    return pace
  end
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  local headers = { ["Content-Type"] = args[2] }
  unique = args[3] == "unique"
  for line in file:lines() do
    local tab = line:find("\t", 1, true)
    local formatted = wrk.format("POST", line:sub(1, tab - 1), headers, line:sub(tab + 1))
    requests[#requests + 1] = formatted
    if unique then
      local at = assert(formatted:find("1234567890123456", 1, true), "no MsgId placeholder in the request")
      heads[#heads + 1] = formatted:sub(1, at - 1)
      tails[#tails + 1] = formatted:sub(at + 16)
    end
  end
  file:close()
  -- Threads (and repeated runs) start at different places in the list, and at different MsgIds: 1e15 (16 digits,
  -- never a leading zero, which JSON numbers forbid), plus the wall-clock second times 1e9 (a run sends far fewer
  -- than 1e9 requests a second), plus a random offset per thread.
  math.randomseed(os.time() + #requests)
  index = math.random(#requests)
  counter = 1000000000000000 + (os.time() % 1000000) * 1000000000 + math.random(0, 999) * 1000000
end

function request()
  index = index % #requests + 1
  if unique then
    counter = counter + 1
    return heads[index] .. string.format("%d", counter) .. tails[index]
  end
  return requests[index]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1000000
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  -- errors= is what run.sh counts; the kinds after it tell a server's non-2xx answers from the client's own timeouts.
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f requests=%d errors=%d status=%d timeout=%d socket=%d seconds=%.1f\n",
    summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, bad,
    summary.errors.status, summary.errors.timeout, summary.errors.connect + summary.errors.read + summary.errors.write, seconds))
end
