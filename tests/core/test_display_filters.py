from decimal import Decimal

import pytest

from qingyi.core.templatetags.qingyi import hours


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("3.50"), "3.5"), (Decimal("3.5"), "3.5"), (Decimal("100.00"), "100"), (Decimal("2.25"), "2.25"),
     (0, "0"), (None, ""), ("x", "x")],
)  # fmt: skip
def test_hours_are_shown_the_same_on_both_databases(value, shown):
    assert hours(value) == shown
