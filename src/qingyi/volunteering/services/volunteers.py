"""Volunteers, their qualifications, projects and posts."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core import rules
from qingyi.core.text import fold_phone, phone_error
from qingyi.organizations import scoping
from qingyi.volunteering.models import Post, Project, Qualification, Volunteer, VolunteerQualification
from qingyi.volunteering.services.common import MANAGE

_M = TypeVar("_M", bound=models.Model)

# --- Volunteers ----------------------------------------------------------------------------

VOLUNTEER_FIELDS = (
    "kind",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "phone",
    "area",
    "skills",
    "service_categories",
    "school",
    "guardian_name",
    "guardian_phone",
    "guardian_consent_on",
    "insurance_policy",
    "insurance_from",
    "insurance_until",
)


def _others(queryset: QuerySet[_M], exclude_pk: int | None) -> QuerySet[_M]:
    """The rows of ``queryset`` other than the one being edited (all of them for a new one)."""
    return queryset if exclude_pk is None else queryset.exclude(pk=exclude_pk)


def _volunteer_errors(data: dict[str, Any], *, exclude_pk: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    id_number = (data.get("id_number") or "").strip().upper()
    if id_number:
        for message in rules.id_number_errors(id_number):
            errors.setdefault("id_number", []).append(message)
        everyone = Volunteer.objects.unscoped("an ID number is unique across the hospital")
        if _others(everyone.filter(id_number=id_number), exclude_pk).exists():
            errors.setdefault("id_number", []).append(
                _("A volunteer with this ID number is already registered.")
            )
    birth = data.get("birth_date")
    if birth is None and id_number and not errors.get("id_number"):
        birth = rules.birth_date_from_id_number(id_number)
        data["birth_date"] = birth
    if birth is not None:
        age = rules.age_on(birth, today)
        if age < rules.VOLUNTEER_MIN_AGE:
            errors.setdefault("birth_date", []).append(
                _("Volunteers register from the age of %(age)s.") % {"age": rules.VOLUNTEER_MIN_AGE}
            )
        elif rules.volunteer_needs_guardian(birth, today) and not (
            data.get("guardian_consent_on") and (data.get("guardian_name") or "").strip()
        ):
            errors.setdefault("guardian_consent_on", []).append(
                _("Under 18: record the guardian's name and the date of their consent.")
            )
    phone = (data.get("phone") or "").strip()
    if phone and (phone_message := phone_error(phone, mobile_only=True)):
        errors.setdefault("phone", []).append(phone_message)
    start, end = data.get("insurance_from"), data.get("insurance_until")
    if (start is None) != (end is None):
        errors.setdefault("insurance_until", []).append(_("Give both dates of the accident insurance."))
    elif start and end and end < start:
        errors.setdefault("insurance_until", []).append(_("The insurance ends before it starts."))
    return errors


def _clean_volunteer_data(data: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in data.items() if k in VOLUNTEER_FIELDS}
    for key, value in list(data.items()):
        if isinstance(value, str):
            data[key] = value.strip()
    if "id_number" in data:
        data["id_number"] = (data["id_number"] or "").upper() or None
    for key in ("phone", "guardian_phone"):
        if data.get(key):
            data[key] = fold_phone(data[key])
    return data


@transaction.atomic
def volunteer_register_staff(*, person, actor) -> Volunteer:
    """A member of staff becomes a volunteer from their roster record, in one step."""
    own = person.user_id is not None and person.user_id == actor.pk
    if not own and not scoping.has_perm(actor, MANAGE, person.organization):
        raise PermissionDenied
    existing = Volunteer.objects.unscoped("the person just checked").filter(person=person).first()
    if existing is not None:
        return existing
    if (
        person.user_id
        and Volunteer.objects.unscoped("a login is one volunteer's").filter(user_id=person.user_id).exists()
    ):
        raise ValidationError(_("This login already belongs to a volunteer."))
    volunteer = Volunteer(
        kind=Volunteer.Kind.STAFF,
        status=Volunteer.Status.ACTIVE,
        organization=person.organization,
        person=person,
        user_id=person.user_id,
        name=person.name,
        gender=person.gender,
        birth_date=person.birth_date,
        id_number=person.id_number or None,
        phone=person.phone,
    )
    everyone = Volunteer.objects.unscoped("an ID number is unique across the hospital")
    if volunteer.id_number and everyone.filter(id_number=volunteer.id_number).exists():
        raise ValidationError(_("A volunteer with this ID number is already registered."))
    volunteer._history_user = actor
    volunteer.save()
    return volunteer


@transaction.atomic
def volunteer_create(
    *, organization, data: dict[str, Any], actor, status: str = Volunteer.Status.ACTIVE
) -> Volunteer:
    """A coordinator registers an outsider (social volunteer, student, social worker)."""
    scoping.require_perm(actor, MANAGE, organization)
    data = _clean_volunteer_data(data)
    errors = _volunteer_errors(data)
    if not (data.get("name") or "").strip():
        errors.setdefault("name", []).append(_("Give the volunteer's name."))
    if errors:
        raise ValidationError(errors)
    volunteer = Volunteer(organization=organization, status=status, **data)
    volunteer._history_user = actor
    volunteer.save()
    return volunteer


@transaction.atomic
def volunteer_update(*, volunteer: Volunteer, data: dict[str, Any], actor, reason: str = "") -> Volunteer:
    scoping.require_perm(actor, MANAGE, volunteer.organization)
    data = _clean_volunteer_data(data)
    if volunteer.person_id:
        # Staff: identity comes from the roster; only volunteer-specific fields change here.
        for key in ("name", "gender", "birth_date", "id_number"):
            data.pop(key, None)
    merged = {f: getattr(volunteer, f) for f in VOLUNTEER_FIELDS} | data
    errors = _volunteer_errors(merged, exclude_pk=volunteer.pk)
    if errors:
        raise ValidationError(errors)
    for key, value in data.items():
        setattr(volunteer, key, value)
    volunteer._history_user = actor
    volunteer._change_reason = reason
    volunteer.save()
    return volunteer


@transaction.atomic
def volunteer_set_status(*, volunteer: Volunteer, status: str, actor, reason: str = "") -> Volunteer:
    """Change a volunteer's status; the history keeps who changed it and why (``reason``)."""
    scoping.require_perm(actor, MANAGE, volunteer.organization)
    if status not in Volunteer.Status.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    volunteer.status = status
    volunteer._history_user = actor
    volunteer._change_reason = (reason or "").strip()[:100]
    volunteer.save(update_fields=["status", "updated_at"])
    return volunteer


# Statuses a coordinator sets on the status page (applied/refused belong to applications).
STATUS_CHOICES = (Volunteer.Status.ACTIVE, Volunteer.Status.SUSPENDED, Volunteer.Status.LEFT)


def volunteer_change_status(*, volunteer: Volunteer, status: str, reason: str, actor) -> Volunteer:
    """The status page: active, suspended or left, always with a reason."""
    errors: dict[str, list[str]] = {}
    if status not in STATUS_CHOICES:
        errors["status"] = [_("Choose active, suspended or left.")]
    elif status == volunteer.status:
        errors["status"] = [_("The volunteer already has this status.")]
    if not (reason or "").strip():
        errors["reason"] = [_("Give the reason for the change.")]
    if errors:
        raise ValidationError(errors)
    return volunteer_set_status(volunteer=volunteer, status=status, actor=actor, reason=reason)


@transaction.atomic
def volunteer_clear_no_shows(*, volunteer: Volunteer, actor) -> Volunteer:
    """A coordinator clears a volunteer past the no-show limit, who may then sign up again."""
    scoping.require_perm(actor, MANAGE, volunteer.organization)
    volunteer.no_shows_cleared_at = timezone.now()
    volunteer._history_user = actor
    volunteer._change_reason = "no-shows cleared"
    volunteer.save(update_fields=["no_shows_cleared_at", "updated_at"])
    return volunteer


@transaction.atomic
def qualification_grant(
    *,
    volunteer: Volunteer,
    qualification: Qualification,
    obtained_on: dt.date,
    expires_on: dt.date | None,
    actor,
) -> VolunteerQualification:
    scoping.require_perm(actor, MANAGE, volunteer.organization)
    if expires_on is None and qualification.validity_months:
        expires_on = add_months(obtained_on, qualification.validity_months)
    if expires_on is not None and expires_on < obtained_on:
        raise ValidationError({"expires_on": [_("The qualification expires before it was obtained.")]})
    if obtained_on > timezone.localdate():
        raise ValidationError({"obtained_on": [_("The qualification cannot be obtained in the future.")]})
    return VolunteerQualification.objects.create(
        volunteer=volunteer, qualification=qualification, obtained_on=obtained_on, expires_on=expires_on
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` months (the last day of the month when it has fewer days)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Qualification types ---------------------------------------------------------------------


def can_manage_qualification_types(actor) -> bool:
    """Qualification types are shared by the whole committee: managed by those who manage
    volunteering over the top of the tree (the committee's coordinators and admin)."""
    from qingyi.organizations.models import Organization

    return any(scoping.has_perm(actor, MANAGE, root) for root in Organization.objects.get_root_nodes())


def _require_types_manager(actor) -> None:
    if not can_manage_qualification_types(actor):
        raise PermissionDenied


def _qualification_errors(name: str, validity_months, *, exclude_pk: int | None = None):
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the qualification a name.")]
    elif _others(Qualification.objects.filter(name__iexact=name), exclude_pk).exists():
        errors["name"] = [_("A qualification with this name already exists.")]
    if validity_months is not None and not 1 <= validity_months <= 600:
        errors["validity_months"] = [_("The validity is between 1 and 600 months, or empty for none.")]
    return errors


@transaction.atomic
def qualification_type_create(
    *, name: str, description: str = "", validity_months: int | None = None, actor
) -> Qualification:
    """A kind of qualification shifts may require; they are shared by the whole committee."""
    _require_types_manager(actor)
    name = (name or "").strip()
    errors = _qualification_errors(name, validity_months)
    if errors:
        raise ValidationError(errors)
    return Qualification.objects.create(
        name=name, description=(description or "").strip(), validity_months=validity_months
    )


@transaction.atomic
def qualification_type_update(
    *,
    qualification: Qualification,
    name: str,
    description: str = "",
    validity_months: int | None = None,
    actor,
) -> Qualification:
    """Rename or re-describe a qualification; expiries already recorded do not change."""
    _require_types_manager(actor)
    name = (name or "").strip()
    errors = _qualification_errors(name, validity_months, exclude_pk=qualification.pk)
    if errors:
        raise ValidationError(errors)
    qualification.name, qualification.description = name, (description or "").strip()
    qualification.validity_months = validity_months
    qualification.save()
    return qualification


# --- Projects and posts ------------------------------------------------------------------


@transaction.atomic
def project_create(*, organization, name: str, kind: str, description: str = "", actor) -> Project:
    scoping.require_perm(actor, MANAGE, organization)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the project a name.")]})
    if organization.is_archived:
        raise ValidationError(_("“%(name)s” is archived.") % {"name": organization.name})
    return Project.objects.create(
        organization=organization, name=name, kind=kind, description=description, created_by=actor
    )


@transaction.atomic
def project_update(*, project: Project, name: str, kind: str, description: str = "", actor) -> Project:
    scoping.require_perm(actor, MANAGE, project.organization)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the project a name.")]})
    project.name, project.kind, project.description = name, kind, description
    project.save()
    return project


@transaction.atomic
def post_create(*, project: Project, name: str, description: str = "", actor) -> Post:
    scoping.require_perm(actor, MANAGE, project.organization)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the post a name.")]})
    if project.posts.filter(name=name).exists():
        raise ValidationError({"name": [_("This project already has a post with this name.")]})
    return Post.objects.create(project=project, name=name, description=description)
