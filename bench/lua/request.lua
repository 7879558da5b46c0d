-- One request shape for wrk: wrk ... -s request.lua URL -- METHOD BODY PATH [PATH...]
-- BODY "-" means no body. Paths are used in turn. done() prints one JSON line
-- that benchtool reads (latencies in microseconds).
local method, body, paths, i

function init(args)
  method = args[1]
  body = args[2]
  if body == "-" then body = nil end
  paths = {}
  for k = 3, #args do paths[#paths + 1] = args[k] end
  i = 0
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  i = i % #paths + 1
  return wrk.format(method, paths[i], nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, latency.mean))
end
