-- wrk script: every request asks for a tile drawn at random from the z13 tiles over the LA
-- basin (29 x 25 = 725 tiles), so most requests find no cached tile.
-- Usage: wrk ... -s random_tile.lua URL -- "/path/13/{y}/{x}?properties=..."
-- The template names where the column {x} and the row {y} go (geo-api: z/y/x as OGC API -
-- Tiles says; tipg: z/x/y). Each thread draws its own seeded sequence, the same for every
-- server measured.
local template
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end

function init(args)
  template = args[1]
  math.randomseed(20261201 + thread_number)
end

request = function()
  local x = 1396 + math.random(0, 28)
  local y = 3256 + math.random(0, 24)
  local path = template:gsub("{x}", tostring(x)):gsub("{y}", tostring(y))
  return wrk.format("GET", path)
end
