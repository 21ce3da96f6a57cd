"""Each permission check of the call-up services, called directly as the wrong actor.

Written against the mutation check (bench/mutation_check.py): every test fails if the one
check it names is removed (the views in front would otherwise hide the removal).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from qingyi.callups import selectors, services
from qingyi.callups.models import CallUp, Response
from qingyi.core.models import Notification
from qingyi.volunteering.models import Project, Shift, Signup
from tests.callups.conftest import open_callup, respond, send_all


def test_a_branch_admin_cannot_open_a_call_up_for_another_branch_and_is_told_nothing_else(personas):
    # The project service under callup_create checks too; callup_create's own check refuses
    # first, before the stranger's input is validated (no form errors for another branch).
    start = timezone.now() + dt.timedelta(hours=2)
    with pytest.raises(PermissionDenied):
        services.callup_create(
            organization=personas.tree.branch_b,
            title="",
            kind="nonsense",
            starts_at=start,
            ends_at=start - dt.timedelta(hours=1),
            actor=personas.admin_a,
        )
    with pytest.raises(PermissionDenied):
        open_callup(personas.admin_a, personas.tree.branch_b)
    assert not CallUp.objects.exists()
    assert not Project.objects.exists()


def test_a_branch_admin_cannot_add_a_post_to_the_committees_call_up(callups):
    c = callups
    shifts = Shift.objects.filter(project=c.callup.project).count()
    with pytest.raises(PermissionDenied):
        services.callup_post_add(callup=c.callup, name="偷加的岗", needed=1, actor=c.personas.admin_a)
    assert Shift.objects.filter(project=c.callup.project).count() == shifts
    # Refused before the call-up's state is looked at: a closed one answers the same.
    services.callup_close(callup=c.callup, actor=c.personas.coordinator)
    c.callup.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.callup_post_add(callup=c.callup, name="偷加的岗", needed=1, actor=c.personas.admin_a)


def test_a_branch_admin_cannot_send_the_committees_call_up_even_to_their_own_branch(callups):
    c = callups
    with pytest.raises(PermissionDenied):
        services.callup_send(
            callup=c.callup,
            targeting=services.Targeting(organization=c.tree.branch_a),
            actor=c.personas.admin_a,
        )
    assert not Notification.objects.exists()
    c.callup.refresh_from_db()
    assert c.callup.status == CallUp.Status.DRAFT


def test_a_branch_admin_cannot_send_their_own_call_up_beyond_their_branch(callups):
    c = callups
    own = open_callup(c.personas.admin_a, c.tree.branch_a)
    services.callup_post_add(callup=own, name="采样", needed=1, actor=c.personas.admin_a)
    with pytest.raises(PermissionDenied):
        services.callup_send(
            callup=own,
            targeting=services.Targeting(organization=c.tree.committee),
            actor=c.personas.admin_a,
        )
    assert not Notification.objects.exists()


def test_a_branch_admin_cannot_fill_the_committees_call_up(callups):
    # Refused before anything about the volunteer's answer is looked at (or told).
    c = callups
    send_all(c)
    with pytest.raises(PermissionDenied):
        services.callup_fill(callup=c.callup, shift=c.guide, volunteer=c.young_a, actor=c.personas.admin_a)
    respond(c, c.young_a)
    assert Response.objects.filter(callup=c.callup, volunteer=c.young_a).exists()
    with pytest.raises(PermissionDenied):
        services.callup_fill(callup=c.callup, shift=c.guide, volunteer=c.young_a, actor=c.personas.admin_a)
    assert not Signup.objects.filter(shift=c.guide).exists()


def test_a_branch_admin_cannot_close_the_committees_call_up(callups):
    c = callups
    with pytest.raises(PermissionDenied):
        services.callup_close(callup=c.callup, actor=c.personas.admin_a)
    c.callup.refresh_from_db()
    assert c.callup.status == CallUp.Status.DRAFT
    assert c.callup.closed_at is None


def test_the_new_call_up_page_is_refused_without_the_coordinator_right(personas, login):
    client = login(personas.member)
    assert client.get(reverse("callups:create")).status_code == 403


def test_a_branch_admin_lists_only_call_ups_of_their_subtree(callups):
    c = callups
    own = open_callup(c.personas.admin_a, c.tree.branch_a, title="甲支部召集")
    of_b = open_callup(c.personas.admin_b, c.tree.branch_b, title="乙支部召集")
    listed = set(selectors.callups_managed_by(c.personas.admin_a))
    assert own in listed
    assert of_b not in listed and c.callup not in listed
