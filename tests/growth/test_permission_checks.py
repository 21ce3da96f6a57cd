"""The growth API's list endpoints refuse without the right (403), not an empty 200.

Written against the mutation check: the lists are scoped, so without the require_perm a
member would get an empty page instead of a refusal.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/growth/contests", "/growth/checklists", "/growth/inspections"])
def test_growth_lists_refuse_who_does_not_manage_growth(cadres, api_as, path):
    for user in (cadres.member, cadres.outsider, cadres.coordinator):
        assert api_as(user).get(path).status_code == 403
    assert api_as(cadres.admin_a).get(path).status_code == 200
