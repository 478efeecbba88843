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
--   BENCH_HEADER_FILE  file of extra request headers, one "Name: value" a
--                 line (optional). This is how a bearer token reaches wrk:
--                 a token is a secret and must not be on wrk's command
--                 line, where `ps` shows it to every user.
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

-- Extra headers from BENCH_HEADER_FILE, or nil when there are none.
local function extra_headers()
  local path = os.getenv("BENCH_HEADER_FILE")
  if path == nil or path == "" then
    return nil
  end
  local f = assert(io.open(path, "r"))
  local headers = {}
  local n = 0
  for line in f:lines() do
    line = line:gsub("\r$", "")
    if line ~= "" and line:sub(1, 1) ~= "#" then
      local name, value = line:match("^([^:%s]+):%s*(.-)%s*$")
      -- Never echo the line: it may hold a token.
      assert(name and value ~= "", "BENCH_HEADER_FILE: a line is not \"Name: value\"")
      headers[name] = value
      n = n + 1
    end
  end
  f:close()
  assert(n > 0, "BENCH_HEADER_FILE: no header in the file")
  return headers
end

function init(args)
  local headers = extra_headers()
  for k = 1, count do
    local h = nil
    if headers then
      -- wrk.format adds Host to the table it is given: a copy per call.
      h = {}
      for name, value in pairs(headers) do h[name] = value end
    end
    prepared[k] = wrk.format("GET", prefix .. k .. suffix, h)
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
