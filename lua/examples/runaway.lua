-- runaway.lua: a hook that never ends is stopped by the instruction budget
-- and comes back as an error naming the script and line.
function read_query(packet)
  while true do end
end
