"""Writes to the organisation tree, cadres and elections, each with its rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core import rules
from qingyi.organizations import scoping
from qingyi.organizations.models import Election, Organization, PartyBranch, Position, RosterStatus
from qingyi.organizations.selectors import election_due_on


def _check_child_kind(parent: Organization, kind: str) -> None:
    if not parent.allows_child(kind):
        raise ValidationError(
            _("A %(parent_kind)s cannot contain a %(kind)s.")
            % {"parent_kind": parent.get_kind_display(), "kind": Organization.Kind(kind).label}
        )
    if parent.is_archived:
        raise ValidationError(
            _("“%(name)s” is archived; nothing can be added under it.") % {"name": parent.name}
        )


def organization_create_root(*, name: str, founded_on: dt.date | None = None) -> Organization:
    """The hospital's committee: the root of the tree (set up once, from the command line)."""
    return Organization.objects.add_root(
        create_kwargs={"name": name, "kind": Organization.Kind.COMMITTEE, "founded_on": founded_on}
    )


@transaction.atomic
def organization_create(
    *,
    parent: Organization,
    name: str,
    kind: str,
    actor,
    party_branch: PartyBranch | None = None,
    is_student: bool = False,
    founded_on: dt.date | None = None,
) -> Organization:
    scoping.require_perm(actor, scoping.ORG_MANAGE, parent)
    parent = Organization.objects.select_for_update().get(pk=parent.pk)
    _check_child_kind(parent, kind)
    name = name.strip()
    if not name:
        raise ValidationError(_("The name is required."))
    if parent.children().filter(name=name).exists():
        raise ValidationError(
            _("“%(parent)s” already has an organisation named “%(name)s”.") % {"parent": parent, "name": name}
        )
    return Organization.objects.add_child(
        parent,
        create_kwargs={
            "name": name,
            "kind": kind,
            "party_branch": party_branch,
            "is_student": is_student,
            "founded_on": founded_on,
        },
    )


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    actor,
    name: str,
    party_branch: PartyBranch | None,
    is_student: bool,
    founded_on: dt.date | None,
) -> Organization:
    scoping.require_perm(actor, scoping.ORG_MANAGE, organization)
    name = name.strip()
    if not name:
        raise ValidationError(_("The name is required."))
    parent = organization.parent()
    if parent and parent.children().filter(name=name).exclude(pk=organization.pk).exists():
        raise ValidationError(
            _("“%(parent)s” already has an organisation named “%(name)s”.") % {"parent": parent, "name": name}
        )
    organization.name = name
    organization.party_branch = party_branch
    organization.is_student = is_student
    organization.founded_on = founded_on
    organization.save(update_fields=["name", "party_branch", "is_student", "founded_on", "updated_at"])
    return organization


@transaction.atomic
def organization_move(*, organization: Organization, new_parent: Organization, actor) -> Organization:
    """Move an organisation (with its subtree) under another parent."""
    organization = Organization.objects.get(pk=organization.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    old_parent = organization.parent()
    if old_parent is None:
        raise ValidationError(_("The committee at the top of the tree cannot be moved."))
    # The actor must manage both where it leaves and where it lands.
    scoping.require_perm(actor, scoping.ORG_MANAGE, old_parent)
    scoping.require_perm(actor, scoping.ORG_MANAGE, new_parent)
    if new_parent.is_descendant_path(organization):
        raise ValidationError(
            _("“%(name)s” cannot be moved under itself or one of its own descendants.")
            % {"name": organization.name}
        )
    if new_parent.pk == old_parent.pk:
        return organization
    _check_child_kind(new_parent, organization.kind)
    if new_parent.children().filter(name=organization.name).exists():
        raise ValidationError(
            _("“%(parent)s” already has an organisation named “%(name)s”.")
            % {"parent": new_parent, "name": organization.name}
        )
    Organization.objects.move(organization, new_parent, "last-child")
    return Organization.objects.get(pk=organization.pk)


@transaction.atomic
def organization_archive(*, organization: Organization, actor) -> Organization:
    """Archive an organisation. Nothing is deleted; its records stay and still count for their periods."""
    scoping.require_perm(actor, scoping.ORG_MANAGE, organization)
    if organization.is_root():
        raise ValidationError(_("The committee at the top of the tree cannot be archived."))
    if organization.is_archived:
        raise ValidationError(_("“%(name)s” is already archived.") % {"name": organization.name})
    live_children = organization.children().filter(archived_at__isnull=True).count()
    if live_children:
        raise ValidationError(
            _("“%(name)s” still has %(count)d organisations under it; move or archive them first.")
            % {"name": organization.name, "count": live_children}
        )
    members = organization.people.filter(status=RosterStatus.ACTIVE).count()
    if members:
        raise ValidationError(
            _("“%(name)s” still has %(count)d active members; transfer them first.")
            % {"name": organization.name, "count": members}
        )
    organization.archived_at = timezone.now()
    organization.archived_by = actor
    organization.save(update_fields=["archived_at", "archived_by", "updated_at"])
    return organization


@transaction.atomic
def organization_restore(*, organization: Organization, actor) -> Organization:
    scoping.require_perm(actor, scoping.ORG_MANAGE, organization)
    parent = organization.parent()
    if parent is not None and parent.is_archived:
        raise ValidationError(_("Restore “%(name)s” first.") % {"name": parent.name})
    organization.archived_at = None
    organization.archived_by = None
    organization.save(update_fields=["archived_at", "archived_by", "updated_at"])
    return organization


def _check_person_in_scope(actor, person) -> None:
    scoping.require_perm(actor, scoping.PEOPLE_VIEW, person.organization)


@transaction.atomic
def position_create(
    *, organization: Organization, person, title: str, start_on: dt.date, end_on: dt.date | None, actor
) -> Position:
    scoping.require_perm(actor, scoping.CADRES_MANAGE, organization)
    _check_person_in_scope(actor, person)
    if end_on is not None and end_on < start_on:
        raise ValidationError(_("A position cannot end before it starts."))
    if organization.is_archived:
        raise ValidationError(_("“%(name)s” is archived.") % {"name": organization.name})
    return Position.objects.create(
        organization=organization, person=person, title=title, start_on=start_on, end_on=end_on
    )


@transaction.atomic
def position_end(*, position: Position, end_on: dt.date, actor) -> Position:
    scoping.require_perm(actor, scoping.CADRES_MANAGE, position.organization)
    if end_on < position.start_on:
        raise ValidationError(_("A position cannot end before it starts."))
    position.end_on = end_on
    position.save(update_fields=["end_on", "updated_at"])
    return position


@transaction.atomic
def election_record(
    *,
    organization: Organization,
    held_on: dt.date,
    new_positions: Iterable[tuple[Any, str]],  # (people.Person, title): people stands above
    actor,
    result: str = "",
) -> Election:
    """Record an election: close the old terms the day before, open the new ones on ``held_on``."""
    scoping.require_perm(actor, scoping.CADRES_MANAGE, organization)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if organization.is_archived:
        raise ValidationError(_("“%(name)s” is archived.") % {"name": organization.name})
    if held_on > timezone.localdate():
        raise ValidationError(_("An election can only be recorded once it has been held."))
    last = organization.elections.order_by("-held_on").first()
    if last and held_on <= last.held_on:
        raise ValidationError(
            _("An election was already recorded on %(date)s; a new one must be later.")
            % {"date": last.held_on}
        )
    new_positions = list(new_positions)
    if not new_positions:
        raise ValidationError(_("Name at least the new secretary."))
    for person, _title in new_positions:
        _check_person_in_scope(actor, person)
    election = Election.objects.create(
        organization=organization,
        held_on=held_on,
        due_on=election_due_on(organization, last.held_on if last else None),
        term_years=rules.term_years(organization.kind, is_student=organization.is_student),
        result=result,
        recorded_by=actor,
    )
    day_before = held_on - dt.timedelta(days=1)
    open_positions = Position.objects.filter(organization=organization, start_on__lte=day_before).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=held_on)
    )
    for position in open_positions:  # one by one, so each change enters the history
        position.end_on = day_before
        position.save(update_fields=["end_on", "updated_at"])
    term_end = rules.add_years(held_on, election.term_years) - dt.timedelta(days=1)
    for person, title in new_positions:
        Position.objects.create(
            organization=organization,
            person=person,
            title=title,
            start_on=held_on,
            end_on=term_end,
            election=election,
        )
    return election
