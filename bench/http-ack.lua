-- wrk script for bench/http-ack.ts (1 thread: one Lua state, so the counter is unique).
-- wrk ... -s bench/http-ack.lua URL -- METHOD PATH TEMPLATE_FILE OFFSET
-- TEMPLATE_FILE ('-' for no body) holds the body with placeholders: {{n}} is the request's
-- number (offset + i, 9 digits, zero-padded: used for Crisp fingerprints), {{s}} is n % 1000
-- (the session). bench/http-ack-load.child.ts renders the same bodies for autocannon.
local method, path, counter
local pieces = nil
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  method = args[1]
  path = args[2]
  counter = tonumber(args[4])
  if args[3] ~= "-" then
    local f = assert(io.open(args[3], "rb"))
    local t = f:read("*a")
    f:close()
    -- Odd entries are literal text, even entries the placeholder names ("n" or "s").
    pieces = {}
    local pos = 1
    while true do
      local a, b, name = string.find(t, "{{(%a)}}", pos)
      if not a then
        table.insert(pieces, string.sub(t, pos))
        break
      end
      table.insert(pieces, string.sub(t, pos, a - 1))
      table.insert(pieces, name)
      pos = b + 1
    end
  end
end

function request()
  if pieces == nil then
    return wrk.format(method, path)
  end
  local n = counter
  counter = counter + 1
  local parts = {}
  for i = 1, #pieces do
    local p = pieces[i]
    if i % 2 == 1 then
      parts[i] = p
    elseif p == "n" then
      parts[i] = string.format("%09d", n)
    else
      parts[i] = string.format("%d", n % 1000)
    end
  end
  return wrk.format(method, path, headers, table.concat(parts))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'HTTP_ACK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50.0), latency:percentile(99.0), latency.max,
    e.status, e.connect + e.read + e.write + e.timeout))
end
