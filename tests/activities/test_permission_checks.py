"""Each permission check of the activities services, called directly as the wrong actor.

Written against the mutation check (bench/mutation_check.py): every test here fails if the
one check it names is removed, because the view in front of the service would otherwise
hide the removal (a 403 instead of a 404 still counts as "denied").
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qingyi.activities import services
from qingyi.activities.models import Activity, ActivityFile, Publication, Registration
from tests.activities.conftest import at, plan
from tests.factories import PersonFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def reader(personas, role_rights):
    """The coordinator given a role that reads activities and neither manages them nor sees
    figures: no role of today's table is like that, so the pages' own offers are pinned by it."""
    from qingyi.core import scoping as core_scoping

    role_rights(
        core_scoping.Role.COORDINATOR, add={core_scoping.ACTIVITIES_VIEW}, remove={core_scoping.METRICS_VIEW}
    )
    return personas.coordinator


def _data(activity, **changes):
    data = {
        "kind": activity.kind,
        "title": activity.title,
        "theme": activity.theme,
        "speaker": activity.speaker,
        "starts_at": activity.starts_at,
        "ends_at": activity.ends_at,
        "place": activity.place,
    }
    data.update(changes)
    return data


def test_update_refuses_an_activity_led_by_another_branch_even_with_own_organizers(personas, activity_b):
    # services.activity_update: require_perm on activity.organization
    with pytest.raises(PermissionDenied):
        services.activity_update(
            activity=activity_b,
            data=_data(activity_b, title="被甲改了"),
            organizers=[personas.tree.branch_a],
            actor=personas.admin_a,
        )
    activity_b.refresh_from_db()
    assert activity_b.title == "乙支部学习"
    assert activity_b.organization == personas.tree.branch_b


def test_update_refuses_an_organizer_outside_the_actors_scope(personas, activity_a):
    # services.activity_update: _require_organizers(organizers, actor)
    with pytest.raises(PermissionDenied):
        services.activity_update(
            activity=activity_a,
            data=_data(activity_a, title="拉上乙支部"),
            organizers=[personas.tree.branch_a, personas.tree.branch_b],
            actor=personas.admin_a,
        )
    activity_a.refresh_from_db()
    assert activity_a.title == "甲支部理论学习"
    assert list(activity_a.organizers.values_list("pk", flat=True)) == [personas.tree.branch_a.pk]


def test_record_held_refuses_another_branchs_activity(personas, activity_b):
    with pytest.raises(PermissionDenied):
        services.activity_record_held(activity=activity_b, summary="甲替乙记", actor=personas.admin_a)
    activity_b.refresh_from_db()
    assert activity_b.status == Activity.Status.PLANNED
    assert not activity_b.summary


def test_file_add_refuses_another_branchs_activity(personas, activity_b):
    with pytest.raises(PermissionDenied):
        services.file_add(
            activity=activity_b,
            upload=SimpleUploadedFile("合影.png", PNG, "image/png"),
            actor=personas.admin_a,
        )
    assert not ActivityFile.objects.filter(activity=activity_b).exists()


def test_files_add_refuses_another_branchs_activity_before_looking_at_the_files(personas, activity_b):
    # files_add checks the actor before the uploads: a stranger learns nothing about why the
    # files would be refused, and nothing is kept.
    with pytest.raises(PermissionDenied):
        services.files_add(
            activity=activity_b,
            uploads=[SimpleUploadedFile("合影.png", PNG, "image/png"), SimpleUploadedFile("bad.exe", b"MZ")],
            actor=personas.admin_a,
        )
    assert not ActivityFile.objects.filter(activity=activity_b).exists()


def test_file_delete_refuses_another_branchs_file(personas, activity_b):
    kept = services.file_add(
        activity=activity_b, upload=SimpleUploadedFile("合影.png", PNG, "image/png"), actor=personas.admin_b
    )
    with pytest.raises(PermissionDenied):
        services.file_delete(activity_file=kept, actor=personas.admin_a)
    assert ActivityFile.objects.filter(pk=kept.pk).exists()


def test_registration_configure_refuses_another_branchs_event(personas):
    event = plan(personas.admin_b, [personas.tree.branch_b], kind=Activity.Kind.CARE, start=at(days=5))
    with pytest.raises(PermissionDenied):
        services.registration_configure(
            activity=event, open=True, capacity=3, deadline=None, actor=personas.admin_a
        )
    event.refresh_from_db()
    assert not event.registration_open
    assert event.capacity is None


@pytest.fixture
def open_event_b(personas):
    event = plan(personas.admin_b, [personas.tree.branch_b], kind=Activity.Kind.CARE, start=at(days=5))
    return services.registration_configure(
        activity=event, open=True, capacity=None, deadline=None, actor=personas.admin_b
    )


def test_registration_create_refuses_to_register_someone_else_at_another_branchs_event(
    personas, open_event_b
):
    with pytest.raises(PermissionDenied):
        services.registration_create(activity=open_event_b, person=personas.person_b, actor=personas.admin_a)
    assert not Registration.objects.filter(activity=open_event_b).exists()


@pytest.fixture
def joint_event(personas):
    """A care event led by branch B and organised with branch A, one registrant of each."""
    tree = personas.tree
    event = plan(
        personas.committee_admin, [tree.branch_b, tree.branch_a], kind=Activity.Kind.CARE, start=at(days=5)
    )
    services.registration_configure(
        activity=event, open=True, capacity=None, deadline=None, actor=personas.committee_admin
    )
    of_a = services.registration_create(
        activity=event, person=personas.person_a, actor=personas.committee_admin
    )
    of_b = PersonFactory(organization=tree.branch_b, name="乙支部二号")
    of_b = services.registration_create(activity=event, person=of_b, actor=personas.committee_admin)
    return event, of_a, of_b


def test_registration_cancel_needs_to_manage_the_lead_organisation(personas, joint_event):
    # admin_a manages the registrant (branch A) but not the activity's lead (branch B).
    _event, of_a, _of_b = joint_event
    with pytest.raises(PermissionDenied):
        services.registration_cancel(registration=of_a, actor=personas.admin_a)
    of_a.refresh_from_db()
    assert of_a.status == Registration.Status.CONFIRMED


def test_registration_cancel_needs_to_manage_the_registrants_organisation(personas, joint_event):
    # admin_b manages the lead (branch B) but not branch A's registrant.
    _event, of_a, of_b = joint_event
    with pytest.raises(PermissionDenied):
        services.registration_cancel(registration=of_a, actor=personas.admin_b)
    of_a.refresh_from_db()
    assert of_a.status == Registration.Status.CONFIRMED
    services.registration_cancel(registration=of_b, actor=personas.admin_b)  # their own: allowed
    of_b.refresh_from_db()
    assert of_b.status == Registration.Status.CANCELLED


# --- Publicity (activities/services/publicity.py) ------------------------------------------------


def test_a_branch_admin_cannot_log_a_post_for_another_branch(personas):
    with pytest.raises(PermissionDenied):
        services.publication_create(
            organization=personas.tree.branch_b,
            data={"title": "替乙发的", "published_on": dt.date(2025, 3, 1)},
            actor=personas.admin_a,
        )
    assert not Publication.objects.exists()


def test_a_branch_admin_cannot_delete_another_branchs_post(personas):
    post = services.publication_create(
        organization=personas.tree.branch_b,
        data={"title": "乙的推文", "published_on": dt.date(2025, 3, 1)},
        actor=personas.admin_b,
    )
    with pytest.raises(PermissionDenied):
        services.publication_delete(publication=post, actor=personas.admin_a)
    assert Publication.objects.filter(pk=post.pk).exists()


def test_a_branch_admin_cannot_import_posts_for_another_branch(personas):
    content = "标题,发布日期\n推文一,2025-03-01\n".encode("gb18030")
    with pytest.raises(PermissionDenied):
        services.publications_import(
            content=content, filename="l.csv", organization=personas.tree.branch_b, actor=personas.admin_a
        )
    assert not Publication.objects.exists()


def test_the_publications_api_refuses_who_sees_no_activities(personas, api_as):
    # Without the check the scoped list would answer an empty page.
    assert api_as(personas.outsider).get("/activities/publications").status_code == 403
    assert api_as(personas.admin_a).get("/activities/publications").status_code == 200


@pytest.mark.parametrize("name", ["activities:publication_create", "activities:publication_import"])
def test_the_publicity_forms_are_refused_without_the_right_to_manage(personas, login, name):
    # Without the page's check the form would show (200) with no organisation to choose.
    client = login(personas.coordinator)
    assert client.get(reverse(name)).status_code == 403
    assert login(personas.admin_a).get(reverse(name)).status_code == 200


# --- What a page offers (written against the mutation check: each would offer too much) ----


def test_a_joint_activity_led_by_another_branch_offers_no_edit(personas, login):
    # selectors.can_manage: has_perm(ACTIVITIES_MANAGE, activity.organization) — branch A
    # co-organises branch B's activity: it sees it, takes its own attendance, edits nothing
    joint = plan(personas.committee_admin, [personas.tree.branch_b, personas.tree.branch_a], title="联合学习")
    body = login(personas.admin_a).get(reverse("activities:detail", args=[joint.pk])).content.decode()
    assert reverse("activities:edit", args=[joint.pk]) not in body
    assert reverse("activities:attendance", args=[joint.pk]) in body
    body = login(personas.admin_b).get(reverse("activities:detail", args=[joint.pk])).content.decode()
    assert reverse("activities:edit", args=[joint.pk]) in body


def test_a_reader_is_offered_neither_planning_nor_figures_on_the_list(reader, personas, login):
    # views.activity_list: can_create = has_perm(ACTIVITIES_MANAGE); show_tiles = has_perm(METRICS_VIEW)
    response = login(reader).get(reverse("activities:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("activities:create") not in body
    assert reverse("activities:tiles") not in body
    body = login(personas.admin_a).get(reverse("activities:list")).content.decode()
    assert reverse("activities:create") in body
    assert reverse("activities:tiles") in body


def test_the_list_offers_only_the_users_own_organisations(personas, login):
    # views.activity_list: the organisation filter is scope(Organization, ACTIVITIES_VIEW)
    body = login(personas.admin_a).get(reverse("activities:list")).content.decode()
    assert personas.tree.branch_a.name in body
    assert personas.tree.branch_b.name not in body


def test_the_coordinator_dashboard_shows_no_activities_compliance(personas, login):
    # templatetags.activities_compliance_card: has_perm(ACTIVITIES_VIEW, scope.organization) —
    # the coordinator sees figures but not league activities
    body = login(personas.coordinator).get(reverse("core:home")).content.decode()
    assert 'id="activities-compliance"' not in body
    body = login(personas.committee_admin).get(reverse("core:home")).content.decode()
    assert 'id="activities-compliance"' in body


def test_a_member_gets_neither_the_calendar_nor_the_yearly_minimums(personas, login):
    # views.planning.activity_calendar / compliance: no organisation to show → PermissionDenied
    client = login(personas.member)
    assert client.get(reverse("activities:calendar")).status_code == 403
    assert client.get(reverse("activities:compliance")).status_code == 403
    client = login(personas.admin_a)
    assert client.get(reverse("activities:calendar")).status_code == 200
    assert client.get(reverse("activities:compliance")).status_code == 200


def test_a_committee_activity_is_seen_by_a_branch_but_its_attendance_is_the_committees(personas, login):
    # views.activities.attendance_edit / activity_qr: _can_take_attendance → PermissionDenied
    committee = plan(
        personas.committee_admin, [personas.tree.committee], start=at(hours=-1), title="团委大会"
    )
    client = login(personas.admin_a)
    assert client.get(reverse("activities:detail", args=[committee.pk])).status_code == 200
    assert client.get(reverse("activities:attendance", args=[committee.pk])).status_code == 403
    response = client.post(
        reverse("activities:attendance", args=[committee.pk]), {f"status_{personas.person_a.pk}": "present"}
    )
    assert response.status_code == 403
    assert not committee.attendances.exists()
    assert client.get(reverse("activities:qr", args=[committee.pk])).status_code == 403
    client = login(personas.committee_admin)
    assert client.get(reverse("activities:attendance", args=[committee.pk])).status_code == 200


def test_the_tiles_show_figures_only_with_the_right_to_see_figures(personas, login, role_rights):
    # views.activities.activity_tiles: has_perm(METRICS_VIEW, org). Every role that sees
    # activities sees figures today, so the rule is pinned with a branch admin role without it.
    from qingyi.core import scoping as core_scoping

    client = login(personas.admin_a)
    assert client.get(reverse("activities:tiles")).context["tiles"]
    role_rights(core_scoping.Role.ORG_ADMIN, remove={core_scoping.METRICS_VIEW})
    response = login(personas.admin_a).get(reverse("activities:tiles"))
    assert response.status_code == 200
    assert response.context["tiles"] == []


def test_planning_an_activity_is_refused_without_the_right_to_manage(personas, login):
    # views.activities.activity_create: require_perm(ACTIVITIES_MANAGE)
    for user in (personas.member, personas.coordinator):
        client = login(user)
        assert client.get(reverse("activities:create")).status_code == 403
        response = client.post(
            reverse("activities:create"), {"kind": Activity.Kind.THEORY_STUDY, "title": "x"}
        )
        assert response.status_code == 403
    assert not Activity.objects.exists()


def test_the_detail_of_a_committee_activity_offers_a_branch_no_attendance(personas, login):
    # views.activities.activity_detail: can_take_attendance = _can_take_attendance(user, activity)
    committee = plan(personas.committee_admin, [personas.tree.committee], title="团委大会")
    body = login(personas.admin_a).get(reverse("activities:detail", args=[committee.pk])).content.decode()
    assert reverse("activities:attendance", args=[committee.pk]) not in body
    body = (
        login(personas.committee_admin)
        .get(reverse("activities:detail", args=[committee.pk]))
        .content.decode()
    )
    assert reverse("activities:attendance", args=[committee.pk]) in body


def test_the_calendar_offers_planning_only_with_the_right_to_manage(reader, personas, login):
    # views.planning.activity_calendar: can_create = has_perm(ACTIVITIES_MANAGE, org)
    response = login(reader).get(reverse("activities:calendar"))
    assert response.status_code == 200
    assert reverse("activities:create") not in response.content.decode()
    body = login(personas.admin_a).get(reverse("activities:calendar")).content.decode()
    assert reverse("activities:create") in body


def test_the_publication_list_is_refused_to_a_member(personas, login):
    # views.publicity.publication_list: no organisation to show → PermissionDenied
    assert login(personas.member).get(reverse("activities:publication_list")).status_code == 403
    assert login(personas.admin_a).get(reverse("activities:publication_list")).status_code == 200


def test_the_publication_list_offers_a_reader_neither_figures_nor_logging(reader, personas, login):
    # views.publicity.publication_list: figures need has_perm(METRICS_VIEW, org); logging a post
    # needs has_perm(ACTIVITIES_MANAGE)
    response = login(reader).get(reverse("activities:publication_list"))
    assert response.status_code == 200
    assert response.context["figures"] == []
    assert reverse("activities:publication_create") not in response.content.decode()
    response = login(personas.admin_a).get(reverse("activities:publication_list"))
    assert response.context["figures"]
    assert reverse("activities:publication_create") in response.content.decode()
