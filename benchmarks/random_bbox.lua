-- wrk script: every request asks for a different 100-feature bbox page, so no response
-- cache can answer it. Usage: wrk ... -s random_bbox.lua URL -- "/path?limit=100"
-- Each wrk thread draws its own sequence (seeded with its number), so two threads never
-- ask for the same bbox; the sequences are the same for every server measured.
local prefix
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  prefix = args[1]
  math.randomseed(20261123 + thread_number)
end

request = function()
  counter = counter + 1
  local x = -118.60 + math.random() * 0.45
  local y = 33.80 + math.random() * 0.35
  local path = string.format("%s&bbox=%.5f,%.5f,%.5f,%.5f", prefix, x, y, x + 0.15, y + 0.10)
  return wrk.format("GET", path)
end
