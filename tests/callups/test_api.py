"""/api/v1/callups: the same rules as the pages."""

from __future__ import annotations

import json

from qingyi.callups.models import Response
from tests.callups.conftest import make_volunteer, respond, send_all


def _post(api, path, payload):
    return api.client.post(
        "/api/v1" + path, json.dumps(payload), content_type="application/json", headers=api._headers(None)
    )


def test_coordinator_lists_and_reads_responses(callups, api_as):
    c = callups
    send_all(c)
    respond(c, c.young_a)
    api = api_as(c.personas.coordinator)
    body = api.get("/callups").json()
    assert body["count"] == 1 and body["items"][0]["title"] == c.callup.title
    body = api.get(f"/callups/{c.callup.pk}/responses", {"answer": "accepted"}).json()
    assert [item["volunteer"]["name"] for item in body["items"]] == ["甲青年"]


def test_volunteer_sees_and_answers_their_call_up_once(callups, api_as):
    c = callups
    send_all(c)
    api = api_as(c.young_a.user)
    assert api.get("/callups/mine").json()["items"][0]["answer"] == "pending"
    assert api.get(f"/callups/{c.callup.pk}").json()["id"] == c.callup.pk
    response = _post(api, f"/callups/{c.callup.pk}/respond", {"answer": "accepted"})
    assert response.status_code == 200 and response.json()["answer"] == "accepted"
    response = _post(api, f"/callups/{c.callup.pk}/respond", {"answer": "accepted"})
    assert response.status_code == 422 and "already accepted" in response.json()["detail"]
    assert _post(api, f"/callups/{c.callup.pk}/respond", {"answer": "maybe"}).status_code == 422


def test_others_get_nothing(callups, api_as):
    c = callups
    send_all(c, organization=c.tree.branch_a)
    outside = api_as(c.young_b.user)
    assert outside.get(f"/callups/{c.callup.pk}").status_code == 404
    assert _post(outside, f"/callups/{c.callup.pk}/respond", {"answer": "accepted"}).status_code == 404
    assert outside.get("/callups").status_code == 403
    assert api_as(c.young_a.user).get(f"/callups/{c.callup.pk}/responses").status_code == 404
    assert not Response.objects.filter(volunteer=c.young_b).exists()


def test_response_list_queries_do_not_grow(callups, api_as, count_queries):
    c = callups
    send_all(c)
    api = api_as(c.personas.coordinator)
    api.get(f"/callups/{c.callup.pk}/responses")  # the token's first use writes its time
    with count_queries() as queries:
        api.get(f"/callups/{c.callup.pk}/responses")
    small = len(queries)
    for i in range(12):
        make_volunteer(c.tree.branch_a, name=f"志愿者{i}", age=22 + i)
    send_all(c)
    for r in Response.objects.filter(answer="pending").select_related("volunteer__user")[:10]:
        respond(c, r.volunteer)
    with count_queries() as queries:
        assert api.get(f"/callups/{c.callup.pk}/responses").json()["count"] == 15
    assert len(queries) == small
