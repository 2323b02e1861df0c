"""One notion of "one client address" for every rate limit (share passwords, the portal)."""

import pytest

from strategy.redis import address_bucket


@pytest.mark.parametrize(("address", "bucket"), [
    ("203.0.113.7", "203.0.113.7"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::"),
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::"),
    ("2001:db8:1:3::1", "2001:db8:1:3::"),
    ("not an address", "unknown"),
    (None, "unknown"),
])
def test_addresses_count_per_ipv4_or_ipv6_slash_64(address, bucket):
    assert address_bucket(address) == bucket
