"""The shared rate limiter of public forms."""

from django.core.cache import cache

from qingyi.core.ratelimit import take


def test_take_allows_up_to_the_limit_then_refuses_per_key():
    cache.clear()
    assert [take("qingyi:test:a", 3, 60) for _ in range(4)] == [True, True, True, False]
    assert take("qingyi:test:b", 3, 60)  # another key has its own count
    cache.clear()
