/**
 * A FIFO lock per key: a Redis list is the queue, its head holds the lock, and each
 * member keeps a lease key alive while it waits or holds. A head whose lease has
 * lapsed (its process died) is dropped by whoever looks next, so a crash blocks a
 * session for at most one lease. KEYS: queue, fence. ARGV: alive-key prefix, token, ...
 */

/**
 * The fence is Redis's clock in microseconds, kept strictly above the last one granted:
 * it keeps growing across a Redis restart that lost the last value, so the fences
 * stored with sessions in the database never outrank every new holder.
 */
const TRY_GRANT_FUNCTION = `
local function next_fence()
  local time = redis.call('TIME')
  local fence = tonumber(time[1]) * 1000000 + tonumber(time[2])
  local last = tonumber(redis.call('GET', KEYS[2]) or '0')
  if fence <= last then fence = last + 1 end
  redis.call('SET', KEYS[2], string.format('%d', fence), 'EX', 86400)
  return fence
end
local function try_grant()
  while true do
    local head = redis.call('LINDEX', KEYS[1], 0)
    if not head then return -1 end
    if head == ARGV[2] then return next_fence() end
    if redis.call('EXISTS', ARGV[1] .. head) == 1 then
      if redis.call('EXISTS', ARGV[1] .. ARGV[2]) == 0 then
        redis.call('LREM', KEYS[1], 0, ARGV[2])
        return -1
      end
      return 0
    end
    redis.call('LPOP', KEYS[1])
  end
end`;

/** Joins the queue and tries at once (one round trip for an uncontended lock). ARGV[3]: lease ms, ARGV[4]: queue ttl ms. */
export const ENQUEUE_AND_TRY = `${TRY_GRANT_FUNCTION}
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SET', ARGV[1] .. ARGV[2], '1', 'PX', ARGV[3])
return try_grant()`;

/** Returns the new fence when the caller now holds the lock, 0 while it waits, -1 if it fell out of the queue. */
export const TRY_GRANT = `${TRY_GRANT_FUNCTION}
return try_grant()`;

/**
 * Leaves the queue (holder or waiter) and wakes the others. ARGV[3]: release channel, ARGV[4]: lock key.
 * Only members of the queue wait for the news, so an empty queue publishes nothing: the
 * usual turn has no waiter, and every instance would otherwise read a message per turn.
 * Whoever joins later tries the lock itself when it enqueues (the scripts run one at a time).
 */
export const LEAVE = `
redis.call('LREM', KEYS[1], 0, ARGV[2])
redis.call('DEL', ARGV[1] .. ARGV[2])
if redis.call('LLEN', KEYS[1]) > 0 then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return 1`;
