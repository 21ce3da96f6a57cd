"""Public volunteer applications (social volunteers, students) and the coordinator's decision.

An outsider applies through the public form with what 民政部令第67号 art. 7 lists; under 18
the guardian's name, phone and consent are required (志愿服务条例 art. 14). Nothing is
registered until a coordinator approves: approval creates the volunteer and a login whose
one-time password is shown once. Refusal keeps the application with its reason.

The public form must not tell a stranger anything about other people: it used to answer
"a volunteer with this ID number is already registered", which made it a lookup of ID
numbers. Now every well-formed application gets the same answer ("received; the coordinator
will contact you"), whatever the database holds:

- the network's rate limit is counted first, before anything is looked up;
- beyond the phone number's daily limit, or when an application for the same ID number is
  already awaiting a decision, nothing new is stored (the pending one stands: no duplicate);
- an application from someone already registered as a volunteer is stored, and the
  coordinator sees it flagged (``duplicate_volunteer``) and refuses it — approval would be
  refused anyway, the volunteer is never registered twice.

ID numbers and phones are folded as the roster import folds them (``core.text``: full-width
digits and letters, spaces), names lose invisible and direction-override characters.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.accounts.models import Role, RoleAssignment, User
from qingyi.accounts.services import temporary_password
from qingyi.core import rules
from qingyi.core.ratelimit import RateLimited, take
from qingyi.core.text import clean_name, fold_id_number, fold_phone, phone_error
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.volunteering.models import Volunteer, VolunteerApplication

MANAGE = scoping.VOLUNTEERING_MANAGE
RATE_PER_IP = (5, 3600)
RATE_PER_PHONE = (3, 24 * 3600)
PUBLIC_KINDS = (Volunteer.Kind.SOCIAL, Volunteer.Kind.STUDENT, Volunteer.Kind.SOCIAL_WORKER)
FIELDS = (
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
    "guardian_consent",
)


def _phone_ok(phone: str) -> bool:
    return bool(phone) and phone_error(phone, mobile_only=True) is None


def committee() -> Organization:
    root = Organization.objects.filter(depth=1, archived_at__isnull=True).order_by("path").first()
    if root is None:
        raise ValidationError(_("Applications cannot be taken yet: no committee is set up."))
    return root


def application_errors(data: dict[str, Any]) -> dict[str, list[str]]:
    """What is wrong with the input itself (cleaned by ``clean_data``). Looks nothing up: a
    public form's answer must not depend on who else is registered."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    today = timezone.localdate()
    for field, message in (
        ("name", _("Please give your name.")),
        ("area", _("Please give your area of residence.")),
    ):
        if not (data.get(field) or "").strip():
            add(field, message)
    if data.get("kind") not in PUBLIC_KINDS:
        add("kind", _("Choose what kind of volunteer you are."))
    if data.get("gender") not in Volunteer.Gender.values:
        add("gender", _("Please choose your gender."))
    id_number = data.get("id_number") or ""
    if not id_number:
        add("id_number", _("Please give your ID number."))
    for message in rules.id_number_errors(id_number):
        add("id_number", message)
    if phone_message := phone_error(data.get("phone", ""), mobile_only=True):
        add("phone", phone_message)
    birth = data.get("birth_date")
    if birth is None:
        add("birth_date", _("Please give your birth date."))
    else:
        if id_number and "id_number" not in errors and rules.birth_date_from_id_number(id_number) != birth:
            add("birth_date", _("The birth date does not match the ID number."))
        age = rules.age_on(birth, today)
        if age < rules.VOLUNTEER_MIN_AGE:
            add(
                "birth_date",
                _("Volunteers register from the age of %(age)s.") % {"age": rules.VOLUNTEER_MIN_AGE},
            )
        elif rules.volunteer_needs_guardian(birth, today):
            if not (data.get("guardian_name") or "").strip():
                add("guardian_name", _("Under 18: give your guardian's name."))
            if not _phone_ok(data.get("guardian_phone", "")):
                add("guardian_phone", _("Under 18: give your guardian's mobile phone number."))
            if not data.get("guardian_consent"):
                add("guardian_consent", _("Under 18: your guardian must consent to your volunteering."))
    return errors


def clean_data(data: dict[str, Any]) -> dict[str, Any]:
    """The form's fields as stored: text stripped, ID number and phones folded, names cleaned."""
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in FIELDS}
    for field in ("name", "guardian_name"):
        data[field] = clean_name(data.get(field))
    for field in ("phone", "guardian_phone"):
        data[field] = fold_phone(data.get(field))
    data["id_number"] = fold_id_number(data.get("id_number"))
    return data


def application_submit(*, data: dict[str, Any], ip: str) -> VolunteerApplication | None:
    """File a public application. Bad input is refused with clear messages and a flood from one
    network with ``RateLimited`` (counted before any lookup). Otherwise the applicant gets the
    same answer whatever the database holds: returns the stored application, or None when
    nothing new was stored (see the module's docstring: a duplicate, or beyond the phone's
    limit)."""
    data = clean_data(data)
    errors = application_errors(data)
    if errors:
        raise ValidationError(errors)
    if not take(f"qingyi:volunteer-apply:ip:{ip}", *RATE_PER_IP):
        raise RateLimited(_("Too many applications from this network. Please try again in an hour."))
    if not take(f"qingyi:volunteer-apply:phone:{data['phone']}", *RATE_PER_PHONE):
        return None
    if not rules.volunteer_needs_guardian(data["birth_date"], timezone.localdate()):
        data["guardian_name"], data["guardian_phone"], data["guardian_consent"] = "", "", False
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=committee().pk)
        pending = VolunteerApplication.objects.filter(
            organization=organization, id_number=data["id_number"], status=VolunteerApplication.Status.PENDING
        )
        if pending.exists():
            return None
        return VolunteerApplication.objects.create(organization=organization, **data)


def duplicate_volunteer(application: VolunteerApplication) -> bool:
    """Whether the applicant is already registered as a volunteer (for the coordinator's eyes)."""
    return (
        Volunteer.objects.unscoped("an ID number is registered once in the whole hospital")
        .filter(id_number=application.id_number)
        .exists()
    )


@transaction.atomic
def application_approve(*, application: VolunteerApplication, actor) -> tuple[Volunteer, User, str]:
    """Register the applicant as a volunteer with a login (username: their phone). Returns the
    volunteer, the login and its one-time password (to show once)."""
    scoping.require_perm(actor, MANAGE, application.organization)
    application = VolunteerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != VolunteerApplication.Status.PENDING:
        raise ValidationError(_("This application has already been decided."))
    if (
        User.objects.filter(username=application.phone).exists()
        or User.objects.filter(phone=application.phone).exists()
    ):
        raise ValidationError(_("Another login already uses %(login)s.") % {"login": application.phone})
    needs_guardian = rules.volunteer_needs_guardian(application.birth_date, timezone.localdate())
    volunteer = Volunteer(
        organization=application.organization,
        status=Volunteer.Status.ACTIVE,
        kind=application.kind,
        name=application.name,
        gender=application.gender,
        birth_date=application.birth_date,
        id_number=application.id_number or None,
        phone=application.phone,
        area=application.area,
        skills=application.skills,
        service_categories=application.service_categories,
        school=application.school,
        guardian_name=application.guardian_name if needs_guardian else "",
        guardian_phone=application.guardian_phone if needs_guardian else "",
        guardian_consent_on=timezone.localtime(application.created_at).date() if needs_guardian else None,
    )
    everyone = Volunteer.objects.unscoped("an ID number is unique across the hospital")
    if volunteer.id_number and everyone.filter(id_number=volunteer.id_number).exists():
        raise ValidationError(_("A volunteer with this ID number is already registered."))
    password = temporary_password()
    user = User(username=application.phone, phone=application.phone, first_name=application.name)
    user.set_password(password)
    user.save()
    RoleAssignment.objects.create(user=user, role=Role.MEMBER, organization=application.organization)
    volunteer.user = user
    volunteer._history_user = actor
    volunteer._change_reason = "application approved"
    volunteer.save()
    application.status = VolunteerApplication.Status.APPROVED
    application.decided_by, application.decided_at, application.volunteer = actor, timezone.now(), volunteer
    application.save(update_fields=["status", "decided_by", "decided_at", "volunteer", "updated_at"])
    return volunteer, user, password


@transaction.atomic
def application_refuse(*, application: VolunteerApplication, reason: str, actor) -> VolunteerApplication:
    scoping.require_perm(actor, MANAGE, application.organization)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the refusal.")]})
    application = VolunteerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != VolunteerApplication.Status.PENDING:
        raise ValidationError(_("This application has already been decided."))
    application.status = VolunteerApplication.Status.REFUSED
    application.refusal_reason = reason[:255]
    application.decided_by, application.decided_at = actor, timezone.now()
    application.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at", "updated_at"])
    return application
