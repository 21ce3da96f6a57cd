"""The volunteer, qualification and project services refuse the wrong actor, called directly
(written against the mutation check: the pages in front refuse first). Branch B's admin acts on
branch A's volunteer, branch A's admin on branch B's organisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from qingyi.volunteering import services
from qingyi.volunteering.models import Post, Project, Qualification, Volunteer, VolunteerQualification


def _fresh(volunteer) -> Volunteer:
    return Volunteer.objects.unscoped("the test reads it back").get(pk=volunteer.pk)


def test_another_branchs_volunteer_is_not_changed(vworld):
    # services.volunteer_update / volunteer_set_status (via change_status) / volunteer_clear_no_shows
    # / qualification_grant: require_perm(MANAGE, volunteer.organization)
    volunteer, admin_b = vworld.volunteer, vworld.personas.admin_b
    qualification = Qualification.objects.create(name="院感培训")
    attempts = [
        lambda: services.volunteer_update(volunteer=volunteer, data={"name": "乙改的"}, actor=admin_b),
        lambda: services.volunteer_change_status(
            volunteer=volunteer, status="suspended", reason="乙", actor=admin_b
        ),
        lambda: services.volunteer_clear_no_shows(volunteer=volunteer, actor=admin_b),
        lambda: services.qualification_grant(
            volunteer=volunteer, qualification=qualification, obtained_on=dt.date(2025, 1, 1),
            expires_on=None, actor=admin_b,
        ),
    ]  # fmt: skip
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    after = _fresh(volunteer)
    assert (after.name, after.status, after.no_shows_cleared_at) == (volunteer.name, volunteer.status, None)
    assert not VolunteerQualification.objects.exists()


def test_nothing_is_created_in_another_branch(vworld):
    # services.volunteer_create / project_create / post_create: require_perm(MANAGE, organization)
    admin_a, branch_b = vworld.personas.admin_a, vworld.tree.branch_b
    volunteers, projects, posts = (
        Volunteer.objects.unscoped("count").count(),
        Project.objects.count(),
        Post.objects.count(),
    )
    with pytest.raises(PermissionDenied):
        services.volunteer_create(organization=branch_b, data={"name": "乙的志愿者"}, actor=admin_a)
    with pytest.raises(PermissionDenied):
        services.project_create(organization=branch_b, name="甲建的", kind=Project.Kind.OTHER, actor=admin_a)
    with pytest.raises(PermissionDenied):
        services.post_create(project=vworld.project_b, name="甲建的岗", actor=admin_a)
    assert (Volunteer.objects.unscoped("count").count(), Project.objects.count(), Post.objects.count()) == (
        volunteers, projects, posts,
    )  # fmt: skip


def test_a_branch_admin_cannot_rename_a_qualification_type(vworld):
    # services.qualification_type_update: _require_types_manager (types are the committee's)
    qualification = Qualification.objects.create(name="院感培训", validity_months=12)
    with pytest.raises(PermissionDenied):
        services.qualification_type_update(
            qualification=qualification, name="甲改的", actor=vworld.personas.admin_a
        )
    assert Qualification.objects.get(pk=qualification.pk).name == "院感培训"


@pytest.mark.parametrize("name", ["volunteering:application_list", "volunteering:hours_overview"])
def test_the_coordinators_lists_are_refused_to_a_member(vworld, login, name):
    # views.applications.application_list: has_perm(MANAGE) → PermissionDenied;
    # views.hours.hours_overview: require_manager
    from django.urls import reverse

    assert login(vworld.personas.member).get(reverse(name)).status_code == 403
    assert login(vworld.personas.coordinator).get(reverse(name)).status_code == 200


def test_the_figures_page_offers_management_only_with_the_right(vworld, login, role_rights):
    # views.figures: can_manage = has_perm(VOLUNTEERING_MANAGE); every role that sees figures
    # manages volunteering today, so it is pinned with a branch admin role without it
    from django.urls import reverse

    from qingyi.core import scoping as core_scoping

    url = reverse("volunteering:figures")
    assert login(vworld.personas.admin_a).get(url).context["can_manage"] is True
    role_rights(core_scoping.Role.ORG_ADMIN, remove={core_scoping.VOLUNTEERING_MANAGE})
    response = login(vworld.personas.admin_a).get(url)
    assert response.status_code == 200 and response.context["can_manage"] is False


@pytest.mark.parametrize("name", ["volunteering:project_create", "volunteering:hours_export"])
def test_more_coordinator_pages_are_refused_to_a_member(vworld, login, name):
    # views.projects.project_create, views.hours.hours_export: require_manager
    from django.urls import reverse

    assert login(vworld.personas.member).get(reverse(name)).status_code == 403
    assert login(vworld.personas.coordinator).get(reverse(name)).status_code == 200


def test_the_volunteers_home_offers_management_only_to_a_coordinator(vworld, login):
    # views.member.home: can_manage = selectors.can_manage(user), with and without a volunteer record
    from django.urls import reverse

    manage = reverse("volunteering:project_list")
    for user in (vworld.personas.member, vworld.personas.outsider):  # a volunteer, and none
        response = login(user).get(reverse("volunteering:home"))
        assert response.status_code == 200 and manage not in response.content.decode()
    assert manage in login(vworld.personas.coordinator).get(reverse("volunteering:home")).content.decode()


def test_qualification_types_are_offered_for_editing_only_to_the_committee(vworld, login):
    # views.qualifications.qualification_list: can_edit = can_manage_qualification_types(user)
    from django.urls import reverse

    create = reverse("volunteering:qualification_create")
    body = login(vworld.personas.admin_a).get(reverse("volunteering:qualification_list")).content.decode()
    assert create not in body
    body = (
        login(vworld.personas.committee_admin)
        .get(reverse("volunteering:qualification_list"))
        .content.decode()
    )
    assert create in body


@pytest.mark.parametrize("name", ["volunteering:volunteer_list", "volunteering:volunteer_create"])
def test_the_volunteer_register_is_refused_to_a_member(vworld, login, name):
    # views.volunteers.volunteer_list / volunteer_create: require_manager
    from django.urls import reverse

    assert login(vworld.personas.member).get(reverse(name)).status_code == 403
    assert login(vworld.personas.coordinator).get(reverse(name)).status_code == 200


def test_announcing_star_levels_is_refused_to_a_member_before_the_form_is_read(vworld, login):
    # views.stars.star_announce: _require_manager (an empty form would otherwise answer with its errors)
    from django.urls import reverse

    from qingyi.volunteering.models import StarAnnouncement

    response = login(vworld.personas.member).post(reverse("volunteering:star_announce"), {})
    assert response.status_code == 403
    assert not StarAnnouncement.objects.exists()


def test_star_pages_offer_management_only_to_who_coordinates(vworld, login):
    # views.stars.star_announcement_list: can_manage = has_perm(MANAGE);
    # views.stars._detail: manager = can_manage_announcement(user, announcement)
    from django.urls import reverse

    from qingyi.volunteering.services import stars
    from tests.volunteering.test_stars import hours

    b = Volunteer.objects.create(
        kind=Volunteer.Kind.SOCIAL, organization=vworld.tree.branch_b, name="乙支部志愿者"
    )
    hours(vworld, b, 150)
    announcement = stars.announcement_publish(volunteer_ids=[b.pk], actor=vworld.personas.admin_b)
    listing = reverse("volunteering:star_announcement_list")
    assert login(vworld.personas.member).get(listing).context["can_manage"] is False
    assert login(vworld.personas.coordinator).get(listing).context["can_manage"] is True
    detail = reverse("volunteering:star_announcement_detail", args=[announcement.pk])
    assert login(vworld.personas.admin_a).get(detail).context["manager"] is False
    assert login(vworld.personas.admin_b).get(detail).context["manager"] is True
