"""Writes to the roster: create, update, age-out, transfers and members' change requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.accounts.models import Role, RoleAssignment
from qingyi.accounts.services import require_can_act_on_login, tokens_revoke_all
from qingyi.core import rules
from qingyi.core.text import fold_phone
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.people.models import ChangeRequest, Person, Transfer
from qingyi.people.selectors import due_to_age_out_q
from qingyi.people.validation import person_errors

# Fields an admin edits on the person form (organisation changes go through transfers).
EDITABLE_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "id_number",
    "political_status",
    "league_joined_on",
    "development_number",
    "employee_number",
    "department",
    "profession",
    "education",
    "professional_title",
    "phone",
)


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    for key in ("id_number", "development_number", "employee_number"):
        if key in data:
            value = (data[key] or "").strip().upper() if key == "id_number" else (data[key] or "").strip()
            data[key] = value or None
    for key in ("name", "phone", "ethnicity"):
        if key in data and data[key] is not None:
            data[key] = data[key].strip()
    if data.get("phone"):
        data["phone"] = fold_phone(data["phone"])
    return data


def _unique_errors(data: dict[str, Any], exclude_pk: int | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    labels = {
        "id_number": _("ID number"),
        "employee_number": _("employee number"),
        "development_number": _("development number"),
    }
    for field, label in labels.items():
        value = data.get(field)
        if value:
            others = Person.objects.unscoped("an identifier is unique across the hospital").filter(
                **{field: value}
            )
            if exclude_pk is not None:
                others = others.exclude(pk=exclude_pk)
            clash = others.values_list("name", flat=True).first()
            if clash is not None:
                errors.setdefault(field, []).append(
                    _("This %(label)s already belongs to %(name)s.") % {"label": label, "name": clash}
                )
    return errors


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(dict(errors.items()))


@transaction.atomic
def person_create(*, organization: Organization, data: dict[str, Any], actor) -> Person:
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, organization)
    if organization.is_archived:
        raise ValidationError(_("“%(name)s” is archived.") % {"name": organization.name})
    data = _normalise(data)
    errors = person_errors(data)
    for field, messages in _unique_errors(data, None).items():
        errors.setdefault(field, []).extend(messages)
    _raise_if(errors)
    person = Person(organization=organization, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS})
    person._history_user = actor
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise ValidationError(
            _("Someone else has just saved a person with the same numbers; check and try again.")
        ) from None
    return person


@transaction.atomic
def person_update(*, person: Person, data: dict[str, Any], expected_version: int, actor) -> Person:
    """Update a person's record; refuse if someone else saved it since ``expected_version`` was read."""
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, person.organization)
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.version != expected_version:
        raise ValidationError(
            _(
                "Someone else changed this record while you were editing it. "
                "Reload the page to see their changes, then edit again."
            ),
            code="stale",
        )
    data = _normalise(data)
    merged = {field: getattr(current, field) for field in EDITABLE_FIELDS if field != "department"}
    merged.update(data)
    errors = person_errors(merged)
    for field, messages in _unique_errors(merged, current.pk).items():
        errors.setdefault(field, []).extend(messages)
    _raise_if(errors)
    for field, value in data.items():
        if field in EDITABLE_FIELDS:
            setattr(current, field, value)
    current.version += 1
    current._history_user = actor
    current.save()
    return current


@transaction.atomic
def person_age_out(*, person: Person, on: dt.date, actor) -> Person:
    """Carry out 超龄离团 for a member who is due (团章: at 28 with no league post)."""
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, person.organization)
    current = Person.objects.select_for_update().get(pk=person.pk)
    if (
        not Person.objects.unscoped("the person just checked")
        .filter(due_to_age_out_q(on), pk=current.pk)
        .exists()
    ):
        raise ValidationError(
            _(
                "%(name)s is not due to age out on %(date)s "
                "(a league member, %(age)d or older, holding no league post)."
            )
            % {"name": current.name, "date": on, "age": rules.AGE_OUT_AGE}
        )
    current.status = Person.Status.AGED_OUT
    current.status_changed_on = on
    current.version += 1
    current._history_user = actor
    current.save()
    return current


@transaction.atomic
def person_leave(*, person: Person, on: dt.date, actor) -> Person:
    """Mark a person as left. Their login goes with them: it is disabled, its roles removed
    (each removal in the roles' history) and its API tokens revoked; the person's history
    records what was taken. Refused when the actor may not act on that login."""
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, person.organization)
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.status != Person.Status.ACTIVE:
        raise ValidationError(_("Only an active person can be marked as left."))
    login_note = ""
    if current.user_id:
        login_note = _login_close(user=current.user, actor=actor)
    current.status = Person.Status.LEFT
    current.status_changed_on = on
    current.version += 1
    current._history_user = actor
    if login_note:
        current._change_reason = login_note
    current.save()
    return current


def _login_close(*, user, actor) -> str:
    """Disable a leaving person's login, remove its roles and revoke its tokens; a note of it."""
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot mark yourself as left; ask another admin."))
    try:
        require_can_act_on_login(actor, user)
    except PermissionDenied as exc:  # a refusal to show on the form, not a 403 page
        raise ValidationError(str(exc)) from None
    # A committee admin's login is within reach of another committee admin only, so the
    # last committee admin never leaves this way (and nobody marks themselves as left).
    assignments = list(RoleAssignment.objects.select_for_update().filter(user=user))
    for assignment in assignments:
        assignment._history_user = actor
        assignment._change_reason = "person left"
        assignment.delete()
    revoked = tokens_revoke_all(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    scoping.forget_grants(user)
    return (
        f"left: login {user.get_username()} disabled, {len(assignments)} role(s) removed, "
        f"{revoked} API token(s) revoked"
    )


# --- Transfers (组织关系转接) --------------------------------------------------------------


@transaction.atomic
def transfer_request(*, person: Person, to_organization: Organization, actor, note: str = "") -> Transfer:
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, person.organization)
    if person.status != Person.Status.ACTIVE:
        raise ValidationError(_("Only an active person can be transferred."))
    if to_organization.is_archived:
        raise ValidationError(
            _("“%(name)s” is archived and cannot receive anyone.") % {"name": to_organization.name}
        )
    if to_organization.pk == person.organization_id:
        raise ValidationError(
            _("%(name)s already belongs to “%(org)s”.") % {"name": person.name, "org": to_organization}
        )
    if not to_organization.same_hospital(person.organization):
        raise ValidationError(
            _("“%(name)s” belongs to another hospital: a transfer stays within one hospital.")
            % {"name": to_organization.name}
        )
    if to_organization.kind == Organization.Kind.COMMITTEE and not to_organization.is_root():
        raise ValidationError(_("Members belong to a branch or a general branch."))
    if Transfer.objects.filter(person=person, status=Transfer.Status.PENDING).exists():
        raise ValidationError(
            _("%(name)s already has a transfer waiting for a decision.") % {"name": person.name}
        )
    return Transfer.objects.create(
        person=person,
        from_organization=person.organization,
        to_organization=to_organization,
        requested_by=actor,
        note=note,
    )


def _pending(transfer: Transfer) -> Transfer:
    current = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("person", "to_organization")
        .get(pk=transfer.pk)
    )
    if current.status != Transfer.Status.PENDING:
        raise ValidationError(_("This transfer has already been decided."))
    return current


@transaction.atomic
def transfer_approve(*, transfer: Transfer, actor) -> Transfer:
    """The receiving organisation's admin approves: the person moves."""
    scoping.require_perm(actor, scoping.TRANSFERS_DECIDE, transfer.to_organization)
    current = _pending(transfer)
    target = Organization.objects.get(pk=current.to_organization_id)
    if target.is_archived:
        raise ValidationError(
            _("“%(name)s” has been archived since the request; refuse it instead.") % {"name": target.name}
        )
    person = Person.objects.select_for_update().get(pk=current.person_id)
    if person.organization_id != current.from_organization_id:
        raise ValidationError(
            _("%(name)s has moved since the request; refuse it instead.") % {"name": person.name}
        )
    _member_role_follow(person=person, from_id=current.from_organization_id, to=target, actor=actor)
    person.organization = target
    person.version += 1
    person._history_user = actor
    person.save()
    current.status = Transfer.Status.APPROVED
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return current


def _member_role_follow(*, person: Person, from_id: int, to: Organization, actor) -> None:
    """The member role that came with the roster record moves with it; every other role of the
    login stays where it was, so a transfer never hands the receiving admin a login that holds
    roles elsewhere (``accounts.services.logins_within_reach``)."""
    if not person.user_id:
        return
    old = RoleAssignment.objects.filter(
        user_id=person.user_id, role=Role.MEMBER, organization_id=from_id
    ).first()
    if old is None:
        return
    old._history_user = actor
    old._change_reason = "transfer approved"
    old.delete()
    if not RoleAssignment.objects.filter(user_id=person.user_id, role=Role.MEMBER, organization=to).exists():
        moved = RoleAssignment(user_id=person.user_id, role=Role.MEMBER, organization=to)
        moved._history_user = actor
        moved._change_reason = "transfer approved"
        moved.save()


@transaction.atomic
def transfer_refuse(*, transfer: Transfer, reason: str, actor) -> Transfer:
    scoping.require_perm(actor, scoping.TRANSFERS_DECIDE, transfer.to_organization)
    if not reason.strip():
        raise ValidationError(_("Give a reason for refusing."))
    current = _pending(transfer)
    current.status = Transfer.Status.REFUSED
    current.reason = reason.strip()
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
    return current


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, actor) -> Transfer:
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, transfer.from_organization)
    current = _pending(transfer)
    current.status = Transfer.Status.CANCELLED
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return current


# --- Members' own changes -----------------------------------------------------------------


def member_editable_fields() -> list[str]:
    allowed = rules.get_setting("member_editable_fields")
    return [field for field in allowed if field in EDITABLE_FIELDS]


@transaction.atomic
def change_request_create(*, person: Person, changes: dict[str, Any], actor) -> ChangeRequest:
    """A member asks to change fields of their own record; an admin decides."""
    if person.user_id != actor.pk:
        raise PermissionDenied
    allowed = set(member_editable_fields())
    refused = sorted(set(changes) - allowed)
    if refused:
        raise ValidationError(
            _("These fields cannot be changed by members: %(fields)s.") % {"fields": ", ".join(refused)}
        )
    changes = {
        field: value for field, value in changes.items() if (getattr(person, field) or "") != (value or "")
    }
    if not changes:
        raise ValidationError(_("Nothing has changed."))
    errors = person_errors(
        {**{f: getattr(person, f) for f in EDITABLE_FIELDS if f != "department"}, **changes}
    )
    _raise_if({field: messages for field, messages in errors.items() if field in changes})
    if ChangeRequest.objects.filter(person=person, status=ChangeRequest.Status.PENDING).exists():
        raise ValidationError(_("You already have a change waiting for approval."))
    return ChangeRequest.objects.create(person=person, changes=changes, requested_by=actor)


@transaction.atomic
def change_request_approve(*, request: ChangeRequest, actor) -> ChangeRequest:
    person = request.person
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, person.organization)
    current = ChangeRequest.objects.select_for_update().get(pk=request.pk)
    if current.status != ChangeRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    person_update(
        person=person,
        data=current.changes,
        expected_version=Person.objects.unscoped("the person whose organisation was just checked")
        .get(pk=person.pk)
        .version,
        actor=actor,
    )
    current.status = ChangeRequest.Status.APPROVED
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return current


@transaction.atomic
def change_request_refuse(*, request: ChangeRequest, reason: str, actor) -> ChangeRequest:
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, request.person.organization)
    current = ChangeRequest.objects.select_for_update().get(pk=request.pk)
    if current.status != ChangeRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not reason.strip():
        raise ValidationError(_("Give a reason for refusing."))
    current.status = ChangeRequest.Status.REFUSED
    current.reason = reason.strip()
    current.decided_by = actor
    current.decided_at = timezone.now()
    current.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
    return current
