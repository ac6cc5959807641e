-- wrk script for a target with many addresses (bench.targets.Page.varied): every request
-- takes the next path of the file named after "--" (one path a line), each wrk thread
-- starting at its own offset; the report of bench/report.lua at the end.
dofile(os.getenv("BENCH_REPORT_LUA"))

local paths = {}
local counter = 0

init = function(args)
  for line in io.lines(args[1]) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  counter = math.random(#paths)
end

request = function()
  counter = counter % #paths + 1
  return wrk.format(nil, paths[counter])
end
