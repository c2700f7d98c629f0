/**
 * A FIFO lock per key: a Redis list is the queue, its head holds the lock, and each
 * member keeps a lease key alive while it waits or holds. A head whose lease has
 * lapsed (its process died) is dropped by whoever looks next, so a crash blocks a
 * session for at most one lease. KEYS: queue, fence. ARGV: alive-key prefix, token, ...
 */
export const ENQUEUE = `
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SET', ARGV[1] .. ARGV[2], '1', 'PX', ARGV[3])
return 1`;

/** Returns the new fence when the caller now holds the lock, 0 while it waits, -1 if it fell out of the queue. */
export const TRY_GRANT = `
while true do
  local head = redis.call('LINDEX', KEYS[1], 0)
  if not head then return -1 end
  if head == ARGV[2] then return redis.call('INCR', KEYS[2]) end
  if redis.call('EXISTS', ARGV[1] .. head) == 1 then
    if redis.call('EXISTS', ARGV[1] .. ARGV[2]) == 0 then
      redis.call('LREM', KEYS[1], 0, ARGV[2])
      return -1
    end
    return 0
  end
  redis.call('LPOP', KEYS[1])
end`;

/** Leaves the queue (holder or waiter) and wakes the others. ARGV[3]: release channel, ARGV[4]: lock key. */
export const LEAVE = `
redis.call('LREM', KEYS[1], 0, ARGV[2])
redis.call('DEL', ARGV[1] .. ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;
