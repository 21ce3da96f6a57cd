"""An activity shared across organisations lists to each admin only the people of their own
subtree: registrations (page, export, cancelling) as the attendance beside them, and the
attendance behind the figures."""

from __future__ import annotations

from io import BytesIO

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qingyi.activities import services
from qingyi.activities.models import Activity, Attendance, Registration
from qingyi.core import metrics
from qingyi.core.periods import Period
from qingyi.people.models import Person
from tests.activities.conftest import at, plan

PHONE_A = "13711112222"


def _care_event(personas, organizers):
    event = plan(
        personas.committee_admin, organizers, kind=Activity.Kind.CARE, title="青年联谊", start=at(days=5)
    )
    services.registration_configure(
        activity=event, open=True, capacity=10, deadline=None, actor=personas.committee_admin
    )
    for person in (personas.person_a, personas.person_b):
        services.registration_create(activity=event, person=person, actor=personas.committee_admin)
    return event


def test_a_committee_event_lists_to_branch_a_only_its_own_registrants(personas, login):
    event = _care_event(personas, [personas.tree.committee])
    url = reverse("activities:detail", args=[event.pk])
    body = login(personas.admin_a).get(url).content.decode()
    assert personas.person_a.name in body
    assert personas.person_b.name not in body and personas.tree.branch_b.name not in body
    assert 'id="registrations-elsewhere"' in body  # the count of the others, without names
    # The committee sees everyone.
    body = login(personas.committee_admin).get(url).content.decode()
    assert personas.person_a.name in body and personas.person_b.name in body


def test_a_co_organised_event_exports_and_cancels_only_the_organisers_own_people(personas, login):
    Person.objects.filter(pk=personas.person_a.pk).update(phone=PHONE_A)
    event = _care_event(personas, [personas.tree.branch_a, personas.tree.branch_b])
    assert event.organization == personas.tree.branch_a  # admin A leads and manages it
    client = login(personas.admin_a)
    response = client.get(reverse("activities:registration_export", args=[event.pk]))
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    names = {row[1] for row in rows[1:]}
    assert names == {personas.person_a.name}
    assert rows[1][4] == PHONE_A  # admin A may see the phones of branch A's people
    registration_b = Registration.objects.get(activity=event, person=personas.person_b)
    response = client.post(reverse("activities:registration_cancel", args=[registration_b.pk]))
    assert response.status_code == 404
    registration_b.refresh_from_db()
    assert registration_b.status == Registration.Status.CONFIRMED


def test_attendance_behind_a_figure_lists_only_the_scopes_own_people(personas):
    event = plan(
        personas.committee_admin,
        [personas.tree.branch_a, personas.tree.branch_b],
        title="联合学习",
        start=at(hours=-3),
    )
    Activity.objects.filter(pk=event.pk).update(status=Activity.Status.HELD)
    for person in (personas.person_a, personas.person_b):
        Attendance.objects.create(activity=event, person=person, status=Attendance.Status.PRESENT)
    period = Period.year(timezone.localtime(event.starts_at).year)
    scope_a = metrics.Scope(organization=personas.tree.branch_a, period=period)
    listed = {a.person_id for a in metrics.get("activities.attendance").records(scope_a)}
    assert listed == {personas.person_a.pk}
    scope_all = metrics.Scope(organization=personas.tree.committee, period=period)
    listed = {a.person_id for a in metrics.get("activities.attendance").records(scope_all)}
    assert listed == {personas.person_a.pk, personas.person_b.pk}
