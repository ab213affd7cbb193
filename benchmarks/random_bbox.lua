-- wrk script: every request asks for a different 100-feature bbox page, so no response
-- cache can answer it. Usage: wrk ... -s random_bbox.lua URL -- "/path?limit=100"
local prefix
local counter = 0

function init(args)
  prefix = args[1]
  math.randomseed(20261123)  -- same sequence for both servers
end

request = function()
  counter = counter + 1
  local x = -118.60 + math.random() * 0.45
  local y = 33.80 + math.random() * 0.35
  local path = string.format("%s&bbox=%.5f,%.5f,%.5f,%.5f", prefix, x, y, x + 0.15, y + 0.10)
  return wrk.format("GET", path)
end
