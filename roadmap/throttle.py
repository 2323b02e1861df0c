"""How many share-link passwords may be tried, counted atomically in Redis.

Every attempt is counted *before* its password is checked, by one Lua script, so parallel
guesses cannot slip between a check and a count. Two limits:

- Per address and link: `ADDRESS_ATTEMPTS` tries per `WINDOW`. An address that uses them
  all waits `LOCKOUT`, doubled each further time within `STRIKE_MEMORY` (up to
  `MAX_LOCKOUT`): the limit tightens for whoever keeps guessing. IPv6 addresses count per
  /64, the block one subscriber usually holds.
- Per link, whatever the address: once `LINK_SLOWDOWN_AFTER` tries were wrong within
  `STRIKE_MEMORY`, the link slows down rather than locking: each address may try once per
  interval, `SLOW_INTERVAL` doubled for every further `LINK_SLOWDOWN_STEP` wrong tries (up
  to `MAX_SLOW_INTERVAL`). Someone holding the link and its password still gets in at the
  first try from their own address, however many strangers guess; guessing from many
  addresses becomes slower and slower.

A right password gives its attempt back to both counters, so an office behind one address
can open a link together. Without Redis nothing can be counted: callers refuse the attempt.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from strategy.redis import address_bucket, raw_client

WINDOW = 15 * 60
ADDRESS_ATTEMPTS = 10
LOCKOUT = 15 * 60
MAX_LOCKOUT = 24 * 60 * 60
STRIKE_MEMORY = 24 * 60 * 60
LINK_SLOWDOWN_AFTER = 50
LINK_SLOWDOWN_STEP = 50
SLOW_INTERVAL = 60
MAX_SLOW_INTERVAL = 24 * 60 * 60

KEY_PREFIX = "share-password"

# KEYS: address tries, address strikes, link tries, address slow-down marker.
# Returns {1, 0, 0} when the attempt may be checked, else {0, seconds to wait, 1} (the address's
# own limit) or {0, seconds to wait, 2} (the link's slow-down).
_ADMIT = """
local tries = redis.call('INCR', KEYS[1])
if tries == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local limit = tonumber(ARGV[2])
if tries > limit then
  if tries == limit + 1 then
    local strikes = redis.call('INCR', KEYS[2])
    redis.call('EXPIRE', KEYS[2], ARGV[5])
    redis.call('EXPIRE', KEYS[1], math.min(tonumber(ARGV[3]) * 2 ^ (strikes - 1), tonumber(ARGV[4])))
  end
  return {0, redis.call('TTL', KEYS[1]), 1}
end
local link_tries = tonumber(redis.call('GET', KEYS[3]) or '0')
local after = tonumber(ARGV[6])
if link_tries >= after then
  local steps = math.floor((link_tries - after) / tonumber(ARGV[7]))
  local wait = math.min(tonumber(ARGV[8]) * 2 ^ steps, tonumber(ARGV[9]))
  if not redis.call('SET', KEYS[4], '1', 'NX', 'EX', wait) then
    return {0, redis.call('TTL', KEYS[4]), 2}
  end
end
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[5])
return {1, 0, 0}
"""

# Decrements only counters still alive: one that expired meanwhile must not come back at -1.
_GIVE_BACK = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('DECR', key) end
end
return 0
"""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds, when refused
    slowed: bool = False  # refused by the link's slow-down rather than the address's own limit


def _keys(link_id: int, address: str | None) -> list[str]:
    where = address_bucket(address)
    names = (f"{link_id}:{where}:tries", f"{link_id}:{where}:strikes", f"{link_id}:tries", f"{link_id}:{where}:slow")
    return [cache.make_and_validate_key(f"{KEY_PREFIX}:{name}") for name in names]


def admit(*, link_id: int, address: str | None) -> Verdict:
    """Count one attempt on the link from `address` and say whether its password may be
    checked. Raises redis.exceptions.RedisError when Redis is away."""
    keys = _keys(link_id, address)
    allowed, wait, reason = raw_client().eval(
        _ADMIT, len(keys), *keys, WINDOW, ADDRESS_ATTEMPTS, LOCKOUT, MAX_LOCKOUT, STRIKE_MEMORY,
        LINK_SLOWDOWN_AFTER, LINK_SLOWDOWN_STEP, SLOW_INTERVAL, MAX_SLOW_INTERVAL)
    if allowed:
        return Verdict(allowed=True)
    return Verdict(allowed=False, retry_after=max(int(wait), 1), slowed=reason == 2)


def give_back(*, link_id: int, address: str | None) -> None:
    """The admitted attempt had the right password: it counts against neither limit."""
    tries, _strikes, link_tries, _slow = _keys(link_id, address)
    raw_client().eval(_GIVE_BACK, 2, tries, link_tries)
