"""The roster import's own checks, called as the wrong actor or after the actor lost the right
(written against the mutation check: the pages in front refuse first, so only a direct call
shows each check)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from qingyi.accounts.models import RoleAssignment
from qingyi.organizations.services import organization_create_root
from qingyi.people import importing
from qingyi.people.models import Person, RosterImport
from tests.people.test_import import build_xlsx, good_row, upload


@pytest.fixture
def preview(personas):
    """Branch A's admin's previewed import of one valid row into branch A."""
    return upload(personas.admin_a, build_xlsx([good_row(1)]), organization=personas.tree.branch_a)


def test_only_the_uploader_applies_or_discards_an_import(personas, preview):
    # services.roster_import_apply / roster_import_discard: uploaded_by_id != actor → PermissionDenied
    for actor in (personas.admin_b, personas.committee_admin):
        with pytest.raises(PermissionDenied):
            importing.roster_import_apply(roster_import=preview, actor=actor, only_valid=False)
        with pytest.raises(PermissionDenied):
            importing.roster_import_discard(roster_import=preview, actor=actor)
    preview.refresh_from_db()
    assert preview.status == RosterImport.Status.PREVIEW
    assert not Person.objects.filter(name="新人1").exists()


def test_an_uploader_who_lost_the_right_cannot_apply_or_see_the_import(personas, preview):
    # services.roster_import_apply: _check_organization(actor, organization);
    # services.roster_imports_for: scope(…, PEOPLE_IMPORT) — the import stays the uploader's, but
    # only while they may still import into its organisation
    assert list(importing.roster_imports_for(personas.admin_a)) == [preview]
    RoleAssignment.objects.filter(user=personas.admin_a).delete()
    admin_a = type(personas.admin_a).objects.get(pk=personas.admin_a.pk)  # grants reloaded
    assert list(importing.roster_imports_for(admin_a)) == []
    with pytest.raises(PermissionDenied):
        importing.roster_import_apply(roster_import=preview, actor=admin_a, only_valid=False)
    assert not Person.objects.filter(name="新人1").exists()


def test_another_hospitals_branch_is_unknown_to_the_import(personas):
    # validation._Lookup: known_names come from the actor's own hospital(s) only — a row naming
    # another hospital's branch reads "no organisation called", never "outside your scope"
    from qingyi.organizations.models import Organization

    other = organization_create_root(name="别的医院团委", founded_on=dt.date(2020, 1, 1))
    Organization.objects.add_child(
        other, create_kwargs={"name": "他院一支部", "kind": Organization.Kind.BRANCH}
    )
    row = good_row(2, **{"所在团组织": "他院一支部"})
    preview = upload(personas.admin_a, build_xlsx([row]), organization=personas.tree.branch_a)
    from django.utils.translation import gettext

    messages = [e["message"] for e in preview.errors]
    unknown = gettext("There is no organisation called “%(name)s”.") % {"name": "他院一支部"}
    assert unknown in messages, messages


# --- The roster services, as branch A's admin on branch B's person ------------------------


def test_branch_a_cannot_change_branch_bs_person(personas):
    # services.person_update / person_age_out / person_leave / transfer_request:
    # require_perm(PEOPLE_MANAGE, person.organization)
    from qingyi.people import services

    b = personas.person_b
    attempts = [
        lambda: services.person_update(
            person=b, data={"name": "甲改的"}, expected_version=b.version, actor=personas.admin_a
        ),
        lambda: services.person_age_out(person=b, on=dt.date.today(), actor=personas.admin_a),
        lambda: services.person_leave(person=b, on=dt.date.today(), actor=personas.admin_a),
        lambda: services.transfer_request(
            person=b, to_organization=personas.tree.branch_a, actor=personas.admin_a
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    b = Person.objects.unscoped("the test reads it back").get(pk=b.pk)
    assert (b.name, b.status, b.transfers.count()) == ("乙支部人", Person.Status.ACTIVE, 0)


@pytest.mark.parametrize("taken", ["people.sensitive", "people.manage"])
def test_phones_are_shown_in_full_only_with_both_rights(personas, role_rights, taken):
    # masking.phone_paths: both PEOPLE_SENSITIVE and PEOPLE_MANAGE over the subtree; every role
    # holds both or neither today, so each is pinned by a branch admin role without it
    from qingyi.core import scoping as core_scoping
    from qingyi.people import masking

    assert masking.phone_paths(personas.admin_a) == [personas.tree.branch_a.path]
    role_rights(core_scoping.Role.ORG_ADMIN, remove={taken})
    admin_a = type(personas.admin_a).objects.get(pk=personas.admin_a.pk)
    assert masking.phone_paths(admin_a) == []


def test_branch_a_cannot_decide_branch_bs_change_request(personas):
    # services.change_request_approve / change_request_refuse: require_perm(PEOPLE_MANAGE, …)
    from qingyi.people import services
    from qingyi.people.models import ChangeRequest

    b = personas.person_b
    request = ChangeRequest.objects.create(
        person=b, changes={"phone": "13900000009"}, requested_by=personas.admin_b
    )
    with pytest.raises(PermissionDenied):
        services.change_request_approve(request=request, actor=personas.admin_a)
    with pytest.raises(PermissionDenied):
        services.change_request_refuse(request=request, reason="不行", actor=personas.admin_a)
    assert ChangeRequest.objects.get(pk=request.pk).status == ChangeRequest.Status.PENDING


@pytest.mark.parametrize("name", ["people:list", "people:transfer_list", "people:import", "people:export"])
def test_the_roster_pages_are_refused_to_a_member(personas, login, name):
    # views.roster.person_list / transfer_list, views.imports: require_perm(PEOPLE_VIEW / _IMPORT / _EXPORT)
    from django.urls import reverse

    assert login(personas.member).get(reverse(name)).status_code == 403
    assert login(personas.admin_a).get(reverse(name)).status_code == 200


def test_adding_a_person_is_refused_without_the_right_to_manage(personas, login):
    # views.roster.person_create: require_perm(PEOPLE_MANAGE)
    from django.urls import reverse

    for user in (personas.member, personas.coordinator):
        client = login(user)
        assert client.get(reverse("people:create")).status_code == 403
        assert client.post(reverse("people:create"), {"name": "不该加的人"}).status_code == 403
    assert not Person.objects.unscoped("the test counts").filter(name="不该加的人").exists()
    assert login(personas.admin_a).get(reverse("people:create")).status_code == 200


def test_a_decided_request_tells_its_state_only_to_who_may_decide(personas):
    # services.change_request_approve: require_perm before anything is read — branch A's admin
    # learns nothing of branch B's request, not even that it was already decided
    from qingyi.people import services
    from qingyi.people.models import ChangeRequest

    request = ChangeRequest.objects.create(
        person=personas.person_b, changes={"phone": "13900000009"}, requested_by=personas.admin_b,
        status=ChangeRequest.Status.REFUSED,
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.change_request_approve(request=request, actor=personas.admin_a)
