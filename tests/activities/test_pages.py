import datetime as dt

from django.urls import reverse

from qingyi.activities import services
from qingyi.activities.models import Activity, Attendance, Registration
from qingyi.core import checkin
from tests.activities.conftest import at, plan


def test_admin_plans_an_activity_through_the_form(personas, login):
    client = login(personas.admin_a)
    assert client.get(reverse("activities:create")).status_code == 200
    start = at(days=2)
    response = client.post(
        reverse("activities:create"),
        {
            "kind": "themed_day",
            "title": "主题团日 参观博物馆",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "place": "博物馆",
            "organization": personas.tree.branch_a.pk,
        },
    )
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "activities:detail", args=[activity.pk]
    )
    assert activity.kind == "themed_day" and activity.organization == personas.tree.branch_a


def test_form_with_an_end_before_the_start_says_so_and_writes_nothing(personas, login):
    client = login(personas.admin_a)
    start = at(days=2)
    response = client.post(
        reverse("activities:create"),
        {
            "kind": "theory_study",
            "title": "学习",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "organization": personas.tree.branch_a.pk,
        },
    )
    assert response.status_code == 200
    assert "The activity ends before it starts." in response.content.decode()
    assert not Activity.objects.exists()


def test_form_offers_only_the_organisations_the_admin_manages(personas, login):
    body = login(personas.admin_a).get(reverse("activities:create")).content.decode()
    assert personas.tree.branch_a.name in body and personas.tree.branch_b.name not in body


def test_form_refuses_another_branch_posted_by_hand(personas, login):
    start = at(days=2)
    response = login(personas.admin_a).post(
        reverse("activities:create"),
        {
            "kind": "theory_study",
            "title": "x",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "organization": personas.tree.branch_b.pk,
        },
    )
    assert response.status_code == 200 and not Activity.objects.exists()


def test_detail_list_calendar_and_compliance_render(personas, login, activity_a):
    client = login(personas.admin_a)
    for name, args in (
        ("activities:list", []),
        ("activities:detail", [activity_a.pk]),
        ("activities:calendar", []),
        ("activities:compliance", []),
        ("activities:attendance", [activity_a.pk]),
        ("activities:qr", [activity_a.pk]),
        ("activities:record", [activity_a.pk]),
        ("activities:edit", [activity_a.pk]),
        ("activities:publication_list", []),
        ("activities:publication_create", []),
        ("activities:publication_import", []),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
    assert activity_a.title in client.get(reverse("activities:list")).content.decode()
    assert activity_a.title in client.get(reverse("activities:calendar")).content.decode()


def test_other_branch_admin_gets_404_and_member_403(personas, login, activity_a):
    assert login(personas.admin_b).get(reverse("activities:detail", args=[activity_a.pk])).status_code == 404
    assert login(personas.member).get(reverse("activities:list")).status_code == 403


def test_attendance_sheet_saves_every_row_at_once_with_htmx(personas, login, activity_a):
    client = login(personas.admin_a)
    response = client.post(
        reverse("activities:attendance", args=[activity_a.pk]),
        {f"status_{personas.member_person.pk}": "present", f"status_{personas.person_a.pk}": "excused"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="attendance-saved"' in body and "<html" not in body
    assert dict(Attendance.objects.values_list("person_id", "status")) == {
        personas.member_person.pk: "present",
        personas.person_a.pk: "excused",
    }


def test_attendance_sheet_refuses_an_outsider_and_saves_nothing(personas, login, activity_a):
    response = login(personas.admin_a).post(
        reverse("activities:attendance", args=[activity_a.pk]),
        {f"status_{personas.member_person.pk}": "present", f"status_{personas.person_b.pk}": "present"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert 'id="attendance-error"' in body
    assert personas.person_b.name not in body  # branch B's person is not named to branch A's admin
    assert not Attendance.objects.exists()


def test_member_checks_in_by_opening_the_qr_link(personas, login, activity_a):
    client = login(personas.member)
    code = checkin.rotating_code(activity_a.checkin_subject)
    url = reverse("activities:check_in", args=[activity_a.pk])
    page = client.get(url, {"code": code})
    assert page.status_code == 200 and 'name="client_id"' in page.content.decode()
    response = client.post(url, {"code": code, "client_id": "abc123", "scanned_at": ""})
    assert 'id="checkin-result"' in response.content.decode()
    client.post(url, {"code": code, "client_id": "abc123"})  # the same tap sent twice
    assert Attendance.objects.filter(person=personas.member_person, status="present").count() == 1
    history = client.get(reverse("activities:mine")).content.decode()
    assert activity_a.title in history


def test_member_of_another_branch_cannot_open_the_check_in(personas, login, activity_b):
    code = checkin.rotating_code(activity_b.checkin_subject)
    response = login(personas.member).get(
        reverse("activities:check_in", args=[activity_b.pk]), {"code": code}
    )
    assert response.status_code == 404


def test_member_registers_on_the_phone_page_and_the_organiser_exports(personas, login):
    event = plan(
        personas.admin_a,
        [personas.tree.branch_a],
        kind=Activity.Kind.CARE,
        title="=HYPERLINK(1)",
        start=at(days=5),
    )
    services.registration_configure(
        activity=event, open=True, capacity=1, deadline=None, actor=personas.admin_a
    )
    member = login(personas.member)
    assert "Register" in member.get(reverse("activities:mine")).content.decode()
    member.post(reverse("activities:register", args=[event.pk]))
    assert Registration.objects.get().status == "confirmed"
    admin = login(personas.admin_a)
    response = admin.get(reverse("activities:registration_export", args=[event.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][1] == personas.member_person.name and rows[1][5] == "Confirmed"


def test_member_page_without_roster_record(personas, login):
    response = login(personas.committee_admin).get(reverse("activities:mine"))
    assert response.status_code == 200 and "not linked to a roster record" in response.content.decode()


def test_my_activities_counts_leave_out_cancelled_activities(personas, login):
    """The page and its home card count the same attendance: a cancelled activity's is not counted."""
    held = plan(personas.admin_a, [personas.tree.branch_a], title="已举行", start=at(days=-3))
    called_off = plan(personas.admin_a, [personas.tree.branch_a], title="已取消", start=at(days=-2))
    Attendance.objects.create(activity=held, person=personas.member_person, status="present")
    Attendance.objects.create(activity=called_off, person=personas.member_person, status="absent")
    Activity.objects.filter(pk=called_off.pk).update(status=Activity.Status.CANCELLED)
    response = login(personas.member).get(reverse("activities:mine"))
    assert response.context["counts"]["present"] == 1 and response.context["counts"]["absent"] == 0
    assert response.context["rate"] == 100.0
