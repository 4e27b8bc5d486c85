/// The Lua scripts that make Redis operations atomic. Each runs as one unit on the server.
///
/// Each starts with `#!lua`, Redis 7's script flags (none): then Redis refuses, in a cluster,
/// a script that touches a key outside the hash slot of the keys it declares, instead of
/// allowing it for compatibility. The partitioned layout (`RedisKeys`) keeps every script in
/// one slot, and the tests run them on a Redis in cluster mode to prove it.
enum RedisScripts {
    /// Applies a whole `UserCommit`. KEYS: data, timers, due, lease, outbox, outbox order,
    /// inbox, inbox order, and the user's lock when the committer holds it. ARGV[1]: the commit
    /// as JSON; ARGV[2]: the lock's token, when given. Returns -1 when the lock is no longer this
    /// holder's (nothing written), 0 when the commit's inbox entry is gone (another instance
    /// already handled the event), 1 when applied. A held lock is released in both last cases.
    static let commit = """
        #!lua
        local c = cjson.decode(ARGV[1])
        local locked = ARGV[2] ~= nil
        if locked and redis.call('GET', KEYS[9]) ~= ARGV[2] then return -1 end
        if c.inbox ~= nil and c.inbox ~= cjson.null then
          if redis.call('HEXISTS', KEYS[7], c.inbox) == 0 then
            if locked then redis.call('DEL', KEYS[9]) end
            return 0
          end
        end
        for _, w in ipairs(c.set) do redis.call('HSET', KEYS[1], w[1], w[2]) end
        for _, f in ipairs(c.del) do redis.call('HDEL', KEYS[1], f) end
        for _, t in ipairs(c.start) do
          redis.call('HSET', KEYS[2], t[1], t[4])
          redis.call('ZADD', KEYS[3], t[3], t[2])
          redis.call('ZREM', KEYS[4], t[2])
        end
        for _, t in ipairs(c.cancel) do
          redis.call('HDEL', KEYS[2], t[1])
          redis.call('ZREM', KEYS[3], t[2])
          redis.call('ZREM', KEYS[4], t[2])
        end
        for _, t in ipairs(c.fired) do
          local current = redis.call('HGET', KEYS[2], t[1])
          if current and cjson.decode(current).generation == t[3] then
            redis.call('HDEL', KEYS[2], t[1])
            redis.call('ZREM', KEYS[3], t[2])
            redis.call('ZREM', KEYS[4], t[2])
          end
        end
        for _, o in ipairs(c.outbox) do
          redis.call('HSET', KEYS[5], o[1], o[2])
          redis.call('ZADD', KEYS[6], 'NX', o[3], o[1])
        end
        if c.inbox ~= nil and c.inbox ~= cjson.null then
          redis.call('HDEL', KEYS[7], c.inbox)
          redis.call('ZREM', KEYS[8], c.inbox)
        end
        if locked then redis.call('DEL', KEYS[9]) end
        return 1
        """

    /// Takes a user's lock and reads the user's data and timers. KEYS: lock, data, timers.
    /// ARGV: token, milliseconds. Returns 0 when another holder has the lock, else both hashes.
    static let lockAndLoad = """
        #!lua
        if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
        return {redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[3])}
        """

    /// The first items of a hash in the order of its companion sorted set. KEYS: hash, order.
    /// ARGV: how many. Returns their values.
    static let ordered = """
        #!lua
        local ids = redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[1]) - 1)
        if #ids == 0 then return {} end
        return redis.call('HMGET', KEYS[1], unpack(ids))
        """

    /// Leases due timers. KEYS: due, lease. ARGV: now, limit, lease-until. Returns the members.
    static let claim = """
        #!lua
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]) * 4)
        local claimed = {}
        for _, m in ipairs(due) do
          local held = redis.call('ZSCORE', KEYS[2], m)
          if (not held) or tonumber(held) <= tonumber(ARGV[1]) then
            redis.call('ZADD', KEYS[2], ARGV[3], m)
            table.insert(claimed, m)
            if #claimed >= tonumber(ARGV[2]) then break end
          end
        end
        return claimed
        """

    /// Stores events whose ids were not seen. KEYS: inbox, inbox order, then each event's seen
    /// key. ARGV: remember-until (ms), arrival score, then id/json/owner triples in the seen
    /// keys' order; the owner (`BOT|USER`) is what the seen key holds, so that a change of
    /// partition count can move it to its user's partition. Returns the accepted ids.
    static let accept = """
        #!lua
        local accepted = {}
        for k = 3, #KEYS do
          local i = 3 + (k - 3) * 3
          local id = ARGV[i]
          if redis.call('SET', KEYS[k], ARGV[i + 2], 'NX', 'PXAT', ARGV[1]) then
            redis.call('HSET', KEYS[1], id, ARGV[i + 1])
            redis.call('ZADD', KEYS[2], ARGV[2] + k / 1000000, id)
            table.insert(accepted, id)
          end
        end
        return accepted
        """

    /// Claims outbox messages older than a cutoff, each for one instance. KEYS: outbox, outbox order.
    /// ARGV: claim-key prefix, cutoff score, limit, lease (ms). Returns the claimed bodies. The
    /// claim keys are named here, so not declared; they carry the partition's tag, so they are
    /// in the declared keys' slot.
    static let claimStaleOutbox = """
        #!lua
        local ids = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
        local bodies = {}
        for _, id in ipairs(ids) do
          if redis.call('SET', ARGV[1] .. id, '1', 'NX', 'PX', ARGV[4]) then
            local body = redis.call('HGET', KEYS[1], id)
            if body then table.insert(bodies, body) end
          end
        end
        return bodies
        """

    /// Releases a lock only if this holder still has it. KEYS: lock. ARGV: token.
    static let release = """
        #!lua
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """

    /// Extends a lock only if this holder still has it. KEYS: lock. ARGV: token, milliseconds.
    static let renew = """
        #!lua
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """

    /// `TokenBucket.take` for all instances, on the server's clock. KEYS: the number's bucket.
    /// ARGV: rate per second, requests. Returns the seconds to wait as a string ("0": taken).
    static let takeSendTokens = """
        #!lua
        local rate = tonumber(ARGV[1])
        local count = tonumber(ARGV[2])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
        local capacity = math.max(1, rate / 50)
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
        local tokens = tonumber(state[1]) or capacity
        local updated = tonumber(state[2]) or now
        tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
        local needed = math.min(count, capacity)
        local wait = 0
        if tokens + 0.000000001 >= needed then tokens = tokens - count
        else wait = math.max((needed - tokens) / rate, 0.000001) end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(math.max(now, updated)))
        redis.call('PEXPIRE', KEYS[1], 60000)
        return tostring(wait)
        """
}
