/**
 * Adds to several counters, each kept for its own TTL from its first increment.
 * KEYS: the counters; ARGV: per key, the amount then the TTL in seconds. Returns the new
 * values in order. One command instead of a MULTI of two per counter: a turn charges
 * a key's four budget counters, and each command costs both ends a parse and a reply.
 */
export const INCREMENT_MANY = `
local values = {}
for i, key in ipairs(KEYS) do
  values[i] = redis.call('INCRBY', key, ARGV[i * 2 - 1])
  redis.call('EXPIRE', key, ARGV[i * 2], 'NX')
end
return values`;
