"""/api/v1/escorts for coordinators: the same rules as the pages."""

from __future__ import annotations

import json

from qingyi.escorts import services
from qingyi.escorts.models import EscortRequest
from tests.escorts.conftest import assigned, file_request


def _post(api, path, payload):
    return api.client.post(
        "/api/v1" + path, json.dumps(payload), content_type="application/json", headers=api._headers(None)
    )


def test_the_coordinator_lists_open_requests_masked(escorts, api_as):
    response = api_as(escorts.personas.coordinator).get("/escorts")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["items"][0]["patient_masked"] == "张*"
    assert "13900001111" not in response.content.decode()


def test_detail_shows_the_patient_to_the_coordinator(escorts, api_as):
    body = api_as(escorts.personas.coordinator).get(f"/escorts/{escorts.new.pk}").json()
    assert body["patient_name"] == "张三" and body["phone"] == "13900001111"


def test_others_get_nothing(escorts, api_as):
    assert api_as(escorts.personas.member).get("/escorts").status_code == 403
    assert api_as(escorts.personas.admin_b).get(f"/escorts/{escorts.new.pk}").status_code == 404
    escort = assigned(escorts)
    assert api_as(escorts.volunteer_a.user).get(f"/escorts/{escort.pk}").status_code == 403


def test_assign_and_walk_the_request_through(escorts, api_as):
    api = api_as(escorts.personas.coordinator)
    response = _post(api, f"/escorts/{escorts.new.pk}/assign", {"volunteer": escorts.volunteer_a.pk})
    assert response.status_code == 200 and response.json()["status"] == "assigned"
    assert (
        _post(api, f"/escorts/{escorts.new.pk}/transition", {"to": "under_way"}).json()["status"]
        == "under_way"
    )
    response = _post(api, f"/escorts/{escorts.new.pk}/transition", {"to": "done"})
    assert response.status_code == 422 and "short note" in response.json()["detail"]
    response = _post(api, f"/escorts/{escorts.new.pk}/transition", {"to": "done", "note": "ok"})
    assert response.json()["status"] == "done"


def test_bad_moves_give_422_with_a_message(escorts, api_as):
    api = api_as(escorts.personas.coordinator)
    response = _post(api, f"/escorts/{escorts.new.pk}/transition", {"to": "done", "note": "x"})
    assert response.status_code == 422 and "Only a request under way" in response.json()["detail"]
    response = _post(api, f"/escorts/{escorts.new.pk}/assign", {"volunteer": 999999})
    assert response.status_code == 422 and response.json()["detail"] == "No such volunteer."
    escort, _ = file_request(organization=escorts.personas.tree.branch_a, phone="13988887777")
    response = _post(
        api_as(escorts.personas.admin_a),
        f"/escorts/{escort.pk}/assign",
        {"volunteer": escorts.volunteer_b.pk},
    )
    # A volunteer outside the caller's organisations is nobody to them (no name, no oracle).
    assert response.status_code == 422 and response.json()["detail"] == "No such volunteer."
    assert EscortRequest.objects.get(pk=escort.pk).status == "new"


def test_list_query_count_does_not_grow(escorts, api_as, count_queries):
    api = api_as(escorts.personas.coordinator)
    api.get("/escorts")  # the token's first use of the minute is written once
    counts = []
    for n in (1, 20):
        for i in range(n):
            escort, _ = file_request(
                phone=f"1350000{n:02d}{i:02d}", ip=f"10.7.{n}.{i}", department=escorts.department
            )
            if i % 2:
                services.escort_assign(
                    escort=escort, volunteer=escorts.volunteer_a, actor=escorts.personas.coordinator
                )
        with count_queries() as queries:
            assert api.get("/escorts").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
