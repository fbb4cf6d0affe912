-- One window of wrk for bench/wrk.py: stop after N answers (`-- N [PATHS]`) and say so ("reached";
-- wrk itself waits out its duration, so the caller interrupts it then), then print the latency
-- percentiles in microseconds and the counts of answers and errors, one "key value" a line.
-- PATHS, a file of request targets one a line, are sent in turn (the suite's texts); without it,
-- the URL's own target every time. `-- N - BODY`: the file BODY POSTed as JSON to the URL's target
-- every time (a protocol that takes a JSON body: bench/questions/client_cost.py).
local limit = 100
local answered = 0
local paths = {}
local next_path = 0
local body = nil

function init(args)
   limit = tonumber(args[1]) or limit
   if args[3] then
      local file = io.open(args[3], "rb")
      body = file:read("*a")
      file:close()
   elseif args[2] then
      for line in io.lines(args[2]) do
         paths[#paths + 1] = line
      end
   end
end

function request()
   if body then
      return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
   end
   if #paths == 0 then
      return wrk.format(nil)
   end
   next_path = next_path % #paths + 1
   return wrk.format("GET", paths[next_path])
end

function response(status, headers, body)
   answered = answered + 1
   if answered == limit then
      wrk.thread:stop()
      io.write("reached\n")
      io.stdout:flush()
   end
end

function done(summary, latency, requests)
   io.write(string.format("requests %d\n", summary.requests))
   io.write(string.format("non_2xx %d\n", summary.errors.status))
   io.write(string.format("socket_errors %d\n", summary.errors.connect + summary.errors.read
                                                 + summary.errors.write + summary.errors.timeout))
   for _, p in ipairs({50, 90, 99}) do
      io.write(string.format("p%d_us %d\n", p, latency:percentile(p)))
   end
end
