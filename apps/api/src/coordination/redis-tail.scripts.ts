/**
 * Tail cache entries (see Coordination.tailAppend): KEYS[1] holds the last seq reported
 * ("<seq>" in step, "d<seq>" out of step: the highest seq seen, so a slower reader cannot
 * install an older snapshot), KEYS[2] the list of items, oldest first. No entry reads as in
 * step at 0 for a report that starts at seq 1 (a new thread).
 * ARGV: first seq, max items, ttl ms, read ("1"), then one item per seq ("" for none).
 */
export const TAIL_APPEND = `
local meta = redis.call('GET', KEYS[1])
local first = tonumber(ARGV[1])
local last = first + #ARGV - 5
local in_step = meta and string.sub(meta, 1, 1) ~= 'd'
if (in_step and tonumber(meta) == first - 1) or (not meta and first == 1) then
  local items = {}
  for i = 5, #ARGV do
    if ARGV[i] ~= '' then items[#items + 1] = ARGV[i] end
  end
  if #items > 0 then
    redis.call('RPUSH', KEYS[2], unpack(items))
    redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
  end
  redis.call('SET', KEYS[1], string.format('%d', last), 'PX', ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  if ARGV[4] == '1' then return redis.call('LRANGE', KEYS[2], 0, -1) end
  return {}
end
local seen = last
if meta then seen = math.max(seen, tonumber(in_step and meta or string.sub(meta, 2))) end
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[1], 'd' .. string.format('%d', seen), 'PX', ARGV[3])
return false`;

export const TAIL_READ = `
local meta = redis.call('GET', KEYS[1])
if not meta or string.sub(meta, 1, 1) == 'd' then return false end
return {meta, redis.call('LRANGE', KEYS[2], 0, -1)}`;

/** ARGV: through seq, max items, ttl ms, items... */
export const TAIL_FILL = `
local meta = redis.call('GET', KEYS[1])
if meta then
  if string.sub(meta, 1, 1) ~= 'd' then return 0 end
  if tonumber(string.sub(meta, 2)) > tonumber(ARGV[1]) then return 0 end
end
redis.call('DEL', KEYS[2])
local last = #ARGV
for i = math.max(4, last - tonumber(ARGV[2]) + 1), last do redis.call('RPUSH', KEYS[2], ARGV[i]) end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1`;
