-- wrk script for scripts/bench/campaign_page.sh: rotates the request path over
-- PREFIX .. k .. SUFFIX for k = 1..COUNT (one request per page, in order,
-- wrapping around), and writes the run's figures as JSON when it ends.
--
-- Settings come from the environment (wrk's done() runs in a Lua state that
-- never sees the script arguments):
--   BENCH_PREFIX  e.g. "/api/v1/campaigns?organizationId="  or "/pages/"
--   BENCH_SUFFIX  e.g. "&limit=20"                          or ".json"
--   BENCH_COUNT   number of distinct paths (default 1000)
--   BENCH_JSON    file that done() writes (optional)
--
-- The requests are formatted once in init(), so the per-request Lua cost is
-- one table lookup, the same for every target. No response() callback: it
-- would make wrk copy every body into Lua. Non-2xx answers are counted by
-- wrk itself (summary.errors.status counts status > 399).

local prefix = os.getenv("BENCH_PREFIX") or "/"
local suffix = os.getenv("BENCH_SUFFIX") or ""
local count = tonumber(os.getenv("BENCH_COUNT") or "1000")

local prepared = {}
local next_index = 0

function init(args)
  for k = 1, count do
    prepared[k] = wrk.format("GET", prefix .. k .. suffix)
  end
end

function request()
  next_index = next_index % count + 1
  return prepared[next_index]
end

function done(summary, latency, requests)
  local path = os.getenv("BENCH_JSON")
  if path == nil or path == "" then
    return
  end
  local e = summary.errors
  local f = assert(io.open(path, "w"))
  f:write(string.format(
    '{"duration_us":%.0f,"requests":%.0f,"bytes":%.0f,' ..
    '"errors":{"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f},' ..
    '"latency_us":{"min":%.0f,"mean":%.1f,"stdev":%.1f,"max":%.0f,' ..
    '"p50":%.0f,"p90":%.0f,"p95":%.0f,"p99":%.0f,"p99_9":%.0f}}\n',
    summary.duration, summary.requests, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency:percentile(99.9)))
  f:close()
end
