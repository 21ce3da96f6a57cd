"""Permission checks of the API's own routers (written against the mutation check)."""

from __future__ import annotations


def test_a_figure_is_refused_to_a_user_who_sees_no_organisation(personas, api_as):
    # api.figures._scope: no organisation with metrics.view → PermissionDenied (403)
    api = api_as(personas.member)
    assert api.get("/metrics/people.active").status_code == 403
    assert api.get("/metrics/people.active/records").status_code == 403
