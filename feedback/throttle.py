"""How often the public ideas portal may be asked for sign-in links and sent ideas, counted
atomically in Redis (the share-link password throttle of `roadmap.throttle` is the model).

Each limit is a fixed window per bucket: per address (IPv6 counted per /64, the block one
subscriber usually holds) and per email address. One Lua script checks every bucket of an
attempt and counts it in all of them only when none is full, so parallel requests cannot slip
between a check and a count, and a refused attempt does not extend anyone's wait. Without
Redis nothing can be counted: callers refuse the attempt rather than let a flood through."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from strategy.redis import address_bucket, raw_client

KEY_PREFIX = "portal-throttle"


@dataclass(frozen=True)
class Limit:
    """At most `count` attempts per `window` seconds in one bucket."""

    count: int
    window: int


# Sign-in links: a person needs one now and then; an address that asks for many is
# mailing strangers, and an inbox that receives many is being flooded.
LINK_PER_ADDRESS = Limit(count=10, window=60 * 60)
LINK_PER_EMAIL = Limit(count=3, window=15 * 60)
# Ideas sent from the portal: generous for a person, tight for a script.
IDEA_PER_ADDRESS = Limit(count=20, window=60 * 60)
IDEA_PER_EMAIL = Limit(count=5, window=60 * 60)
# Public comments: a conversation, not a flood.
COMMENT_PER_ADDRESS = Limit(count=60, window=60 * 60)
COMMENT_PER_EMAIL = Limit(count=20, window=60 * 60)

# KEYS: one counter per bucket; ARGV: limit and window of each, in the same order.
# Returns 0 when the attempt was counted, else the seconds until the fullest bucket frees up.
_ADMIT = """
local wait = 0
for i, key in ipairs(KEYS) do
  local used = tonumber(redis.call('GET', key) or '0')
  if used >= tonumber(ARGV[2 * i - 1]) then
    local ttl = redis.call('TTL', key)
    if ttl < 1 then ttl = tonumber(ARGV[2 * i]) end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[2 * i]) end
end
return 0
"""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds, when refused


def email_bucket(email: str) -> str:
    # Digested, so Redis never holds the addresses themselves.
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:32]


def admit(action: str, buckets: list[tuple[str, Limit]]) -> Verdict:
    """Count one `action` attempt in every bucket ((name, limit) pairs) unless one of them is
    full. Raises redis.exceptions.RedisError when Redis is away."""
    keys = [cache.make_and_validate_key(f"{KEY_PREFIX}:{action}:{name}") for name, _limit in buckets]
    args = [value for _name, limit in buckets for value in (limit.count, limit.window)]
    wait = int(raw_client().eval(_ADMIT, len(keys), *keys, *args))
    return Verdict(allowed=True) if wait == 0 else Verdict(allowed=False, retry_after=max(wait, 1))


def admit_person(action: str, *, address: str | None, email: str, per_address: Limit, per_email: Limit) -> Verdict:
    """`admit` for the usual pair of buckets: the request's address and the person's email."""
    return admit(action, [(f"ip:{address_bucket(address)}", per_address), (f"email:{email_bucket(email)}", per_email)])


def reset() -> None:
    """Forget every count (tests, and an operator lifting a block)."""
    client = raw_client()
    for key in client.scan_iter(match=cache.make_key(f"{KEY_PREFIX}:*")):
        client.delete(key)
