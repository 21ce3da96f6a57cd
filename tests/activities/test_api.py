import datetime as dt

from qingyi.activities import services
from qingyi.activities.models import Publication
from tests.activities.conftest import plan


def test_activity_list_and_detail_are_scoped(personas, api_as, activity_a, activity_b):
    services.attendance_save(
        activity=activity_a, statuses={personas.member_person.pk: "present"}, actor=personas.admin_a
    )
    response = api_as(personas.admin_a).get("/activities")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["title"] for i in items] == [activity_a.title]
    assert items[0]["present"] == 1 and items[0]["organization"]["name"] == personas.tree.branch_a.name
    detail = api_as(personas.admin_a).get(f"/activities/{activity_a.pk}").json()
    assert detail["attendance"]["present"] == 1 and detail["organizers"][0]["id"] == personas.tree.branch_a.pk
    assert api_as(personas.admin_a).get(f"/activities/{activity_b.pk}").status_code == 404
    assert api_as(personas.member).get("/activities").status_code == 403
    assert len(api_as(personas.committee_admin).get("/activities").json()["items"]) == 2


def test_attendance_lists_only_the_callers_people(personas, api_as):
    joint = plan(personas.committee_admin, [personas.tree.branch_a, personas.tree.branch_b])
    names = {
        r["person"]["name"]
        for r in api_as(personas.admin_a).get(f"/activities/{joint.pk}/attendance").json()["items"]
    }
    assert personas.person_a.name in names and personas.person_b.name not in names


def test_filters_and_bad_period(personas, api_as, activity_a):
    api = api_as(personas.committee_admin)
    assert api.get("/activities", {"kind": "care"}).json()["count"] == 0
    assert api.get("/activities", {"kind": "", "org": ""}).json()["count"] == 1
    assert api.get("/activities", {"period": "next year"}).status_code == 422


def test_publications_are_scoped(personas, api_as):
    Publication.objects.create(
        organization=personas.tree.branch_b,
        title="乙",
        published_on=dt.date(2025, 1, 2),
        created_by=personas.admin_b,
    )
    assert api_as(personas.admin_a).get("/activities/publications").json()["count"] == 0
    assert api_as(personas.committee_admin).get("/activities/publications").json()["count"] == 1


def test_activity_figures_come_from_the_metrics_api(personas, api_as):
    response = api_as(personas.committee_admin).get("/metrics/activities.by_kind", {"period": "2025"})
    assert response.status_code == 200 and response.json()["buckets"][0]["key"] == "theory_study"


def test_list_query_count_is_flat(personas, api_as, count_queries):
    api = api_as(personas.committee_admin)
    for i in range(2):
        plan(personas.admin_a, [personas.tree.branch_a], title=f"a{i}")
    api.get("/activities")
    with count_queries() as small:
        api.get("/activities")
    for i in range(20):
        plan(personas.admin_a, [personas.tree.branch_a], title=f"b{i}")
    with count_queries() as large:
        api.get("/activities")
    assert len(large) == len(small)
