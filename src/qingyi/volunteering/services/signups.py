"""Writes of volunteer service: volunteers, projects, shifts and sign-ups.

Check-in and hours live in ``hours.py``. Every service validates, writes inside one
transaction and raises ``ValidationError`` with a message for the person in front of it.

No overbooking: a sign-up locks its shift's row first — ``select_for_update`` on
PostgreSQL; on SQLite every transaction begins IMMEDIATE (settings), so writers queue on
the busy timeout instead of failing — and counts the places taken inside the lock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core import notifications, rules, scoping
from qingyi.core.models import Notification
from qingyi.volunteering import selectors
from qingyi.volunteering.models import (
    JoinMode,
    Post,
    Project,
    Qualification,
    Shift,
    ShiftSeries,
    Signup,
    Volunteer,
    VolunteerQualification,
)

logger = logging.getLogger("qingyi.volunteering")

MANAGE = scoping.VOLUNTEERING_MANAGE
# Repeating shifts: at most this many shifts, over at most this many days, per series.
SERIES_MAX_SHIFTS = 400
SERIES_MAX_DAYS = 366
# Notification categories of this app (beside core's assignment, waiting list and reminder).
CATEGORY_DECISION = "volunteering_decision"
CATEGORY_CANCELLED = "volunteering_cancelled"


# --- Notifications: the one place this app tells someone something ------------------------


def _tell(user, title: str, *, shift: Shift | None = None, category: str = "", key: str = "") -> None:
    """Tell a volunteer something through the platform's notifications (stored with the
    caller's transaction, sent in the background after commit)."""
    if user is None:
        return
    link = reverse("volunteering:shift_detail", args=[shift.pk]) if shift is not None else ""
    notifications.notify(users=[user], title=title, link=link, category=category, key=key)


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


def _volunteer_errors(data: dict[str, Any], *, exclude_pk: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    id_number = (data.get("id_number") or "").strip().upper()
    if id_number:
        for message in rules.id_number_errors(id_number):
            errors.setdefault("id_number", []).append(message)
        if Volunteer.objects.filter(id_number=id_number).exclude(pk=exclude_pk).exists():
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
    if phone and not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
        errors.setdefault("phone", []).append(_("A mobile phone number has 11 digits and starts with 1."))
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
    return data


@transaction.atomic
def volunteer_register_staff(*, person, actor) -> Volunteer:
    """A member of staff becomes a volunteer from their roster record, in one step."""
    own = person.user_id is not None and person.user_id == actor.pk
    if not own and not scoping.has_perm(actor, MANAGE, person.organization):
        raise PermissionDenied
    existing = Volunteer.objects.filter(person=person).first()
    if existing is not None:
        return existing
    if person.user_id and Volunteer.objects.filter(user_id=person.user_id).exists():
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
    if volunteer.id_number and Volunteer.objects.filter(id_number=volunteer.id_number).exists():
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
def volunteer_set_status(*, volunteer: Volunteer, status: str, actor) -> Volunteer:
    scoping.require_perm(actor, MANAGE, volunteer.organization)
    if status not in Volunteer.Status.values:
        raise ValidationError(_("Unknown status."))
    volunteer.status = status
    volunteer._history_user = actor
    volunteer.save(update_fields=["status", "updated_at"])
    return volunteer


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
    if expires_on is not None and expires_on < obtained_on:
        raise ValidationError({"expires_on": [_("The qualification expires before it was obtained.")]})
    if obtained_on > timezone.localdate():
        raise ValidationError({"obtained_on": [_("The qualification cannot be obtained in the future.")]})
    return VolunteerQualification.objects.create(
        volunteer=volunteer, qualification=qualification, obtained_on=obtained_on, expires_on=expires_on
    )


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


# --- Shifts ------------------------------------------------------------------------------

SHIFT_FIELDS = (
    "post",
    "place",
    "capacity",
    "join_mode",
    "insurance_required",
    "note",
    "partner",
    "people_reached",
)


def _shift_errors(
    *, project: Project, start, end, capacity, post, people_reached: int | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if start is None or end is None:
        errors.setdefault("end", []).append(_("Give the start and the end."))
    elif end <= start:
        errors.setdefault("end", []).append(_("The shift ends before it starts."))
    elif end - start > dt.timedelta(hours=24):
        errors.setdefault("end", []).append(_("A shift lasts at most 24 hours."))
    if capacity is None or capacity < 1:
        errors.setdefault("capacity", []).append(_("A shift has at least one place."))
    if post is not None and post.project_id != project.pk:
        errors.setdefault("post", []).append(_("This post belongs to another project."))
    if people_reached is not None:
        if project.kind != Project.Kind.OUTREACH:
            errors.setdefault("people_reached", []).append(
                _("People reached are recorded for outreach events.")
            )
        elif people_reached < 0:
            errors.setdefault("people_reached", []).append(_("People reached cannot be negative."))
    return errors


@transaction.atomic
def shift_create(
    *,
    project: Project,
    start: dt.datetime,
    end: dt.datetime,
    capacity: int,
    actor,
    post: Post | None = None,
    place: str = "",
    join_mode: str = JoinMode.INSTANT,
    insurance_required: bool = False,
    qualifications: Iterable[Qualification] = (),
    note: str = "",
    partner: str = "",
) -> Shift:
    scoping.require_perm(actor, MANAGE, project.organization)
    errors = _shift_errors(project=project, start=start, end=end, capacity=capacity, post=post)
    if errors:
        raise ValidationError(errors)
    shift = Shift(
        project=project,
        post=post,
        start=start,
        end=end,
        place=place,
        capacity=capacity,
        join_mode=join_mode,
        insurance_required=insurance_required,
        note=note,
        partner=partner,
    )
    shift._history_user = actor
    shift.save()
    shift.required_qualifications.set(list(qualifications))
    return shift


def series_days(first_day: dt.date, last_day: dt.date, weekdays: Iterable[int]) -> list[dt.date]:
    wanted = set(weekdays)
    days = []
    day = first_day
    while day <= last_day:
        if day.weekday() in wanted:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def shift_series_create(
    *,
    project: Project,
    weekdays: Iterable[int],
    first_day: dt.date,
    last_day: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    capacity: int,
    actor,
    post: Post | None = None,
    place: str = "",
    join_mode: str = JoinMode.INSTANT,
    insurance_required: bool = False,
    qualifications: Iterable[Qualification] = (),
    note: str = "",
    partner: str = "",
) -> ShiftSeries:
    """Repeating shifts, e.g. every weekday 8:00–11:30 for three months, written in one go."""
    scoping.require_perm(actor, MANAGE, project.organization)
    weekdays = sorted({int(d) for d in weekdays})
    errors: dict[str, list[str]] = {}
    if not weekdays or any(d < 0 or d > 6 for d in weekdays):
        errors.setdefault("weekdays", []).append(_("Choose at least one weekday."))
    if last_day < first_day:
        errors.setdefault("last_day", []).append(_("The series ends before it starts."))
    elif (last_day - first_day).days > SERIES_MAX_DAYS:
        errors.setdefault("last_day", []).append(_("A series lasts at most a year."))
    if end_time <= start_time:
        errors.setdefault("end_time", []).append(_("The shift ends before it starts."))
    errors |= {
        k: v
        for k, v in _shift_errors(
            project=project,
            start=_at(first_day, start_time),
            end=_at(first_day, start_time) + dt.timedelta(1),
            capacity=capacity,
            post=post,
        ).items()
        if k != "end"
    }
    days = series_days(first_day, last_day, weekdays) if not errors else []
    if not errors and not days:
        errors.setdefault("weekdays", []).append(_("None of these weekdays falls between the two dates."))
    if len(days) > SERIES_MAX_SHIFTS:
        errors.setdefault("last_day", []).append(
            _("A series has at most %(n)s shifts.") % {"n": SERIES_MAX_SHIFTS}
        )
    if errors:
        raise ValidationError(errors)
    series = ShiftSeries.objects.create(
        project=project,
        weekdays=weekdays,
        first_day=first_day,
        last_day=last_day,
        start_time=start_time,
        end_time=end_time,
        created_by=actor,
    )
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                project=project,
                post=post,
                series=series,
                start=_at(day, start_time),
                end=_at(day, end_time),
                place=place,
                capacity=capacity,
                join_mode=join_mode,
                insurance_required=insurance_required,
                note=note,
                partner=partner,
            )
            for day in days
        ]
    )
    quals = list(qualifications)
    if quals:
        through = Shift.required_qualifications.through
        through.objects.bulk_create(
            [through(shift_id=s.pk, qualification_id=q.pk) for s in shifts for q in quals]
        )
    return series


@transaction.atomic
def shift_update(
    *,
    shift: Shift,
    data: dict[str, Any],
    actor,
    following: bool = False,
    qualifications: Iterable[Qualification] | None = None,
) -> list[Shift]:
    """Change one shift — or, with ``following``, this shift and the later ones of its series.

    ``data`` may hold ``start_time``/``end_time`` (times of day, for a series) or
    ``start``/``end`` (for one shift), and any of ``SHIFT_FIELDS``. A capacity below the
    places already taken is refused, naming the shift.
    """
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    if following and shift.series_id:
        targets = list(
            Shift.objects.select_for_update()
            .filter(series_id=shift.series_id, start__gte=shift.start, cancelled_at__isnull=True)
            .order_by("start")
        )
    else:
        targets = list(Shift.objects.select_for_update().filter(pk=shift.pk))
    taken = dict(
        Signup.objects.filter(shift__in=targets, status__in=Signup.HOLDING)
        .values("shift")
        .annotate(n=Count("pk"))
        .values_list("shift", "n")
    )
    errors: dict[str, list[str]] = {}
    tz = timezone.get_current_timezone()
    for target in targets:
        if "start" in data and "end" in data and target.pk == shift.pk and not following:
            target.start, target.end = data["start"], data["end"]
        elif "start_time" in data and "end_time" in data:
            day = target.start.astimezone(tz).date()
            target.start, target.end = _at(day, data["start_time"]), _at(day, data["end_time"])
        for key in SHIFT_FIELDS:
            # People reached are counted per event: never copied along a series.
            if key in data and not (key == "people_reached" and target.pk != shift.pk):
                setattr(target, key, data[key])
        for field, messages in _shift_errors(
            project=target.project,
            start=target.start,
            end=target.end,
            capacity=target.capacity,
            post=target.post,
            people_reached=target.people_reached,
        ).items():
            errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
        if target.capacity is not None and target.capacity < taken.get(target.pk, 0):
            errors.setdefault("capacity", []).append(
                _("%(when)s already has %(n)s people signed up; the capacity cannot be lower.")
                % {"when": timezone.localtime(target.start).strftime("%Y-%m-%d %H:%M"), "n": taken[target.pk]}
            )
    if errors:
        raise ValidationError(errors)
    for target in targets:
        target._history_user = actor
        target.save()
        if qualifications is not None:
            target.required_qualifications.set(list(qualifications))
    # More places may have opened: move the waiting list up.
    for target in targets:
        _promote_waiting(target, actor=actor)
    return targets


@transaction.atomic
def shift_cancel(*, shift: Shift, actor) -> Shift:
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.cancelled_at:
        return shift
    shift.cancelled_at = timezone.now()
    shift._history_user = actor
    shift.save(update_fields=["cancelled_at", "updated_at"])
    for signup in Signup.objects.filter(shift=shift, status__in=Signup.ACTIVE).select_related(
        "volunteer__user"
    ):
        _tell(
            signup.volunteer.user,
            _("The shift of %(project)s at %(when)s has been cancelled.")
            % {"project": shift.project.name, "when": _when(shift)},
            shift=shift,
            category=CATEGORY_CANCELLED,
        )
    Signup.objects.filter(shift=shift, status__in=Signup.ACTIVE).update(status=Signup.Status.CANCELLED)
    return shift


# --- Sign-ups ----------------------------------------------------------------------------


def _when(shift: Shift) -> str:
    return timezone.localtime(shift.start).strftime("%Y-%m-%d %H:%M")


def eligibility_errors(*, shift: Shift, volunteer: Volunteer, check_overlap: bool = True) -> list[str]:
    """Why the volunteer may not take a place on the shift (empty: they may)."""
    errors: list[str] = []
    if volunteer.status != Volunteer.Status.ACTIVE:
        errors.append(_("Your volunteer registration is not active."))
    day = timezone.localtime(shift.start).date()
    required = list(shift.required_qualifications.all())
    if required:
        held = set(
            VolunteerQualification.objects.filter(
                volunteer=volunteer, qualification__in=required, obtained_on__lte=day
            )
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
            .values_list("qualification_id", flat=True)
        )
        missing = [q.name for q in required if q.pk not in held]
        if missing:
            errors.append(
                _("This shift requires a valid qualification: %(names)s.") % {"names": ", ".join(missing)}
            )
    if shift.insurance_required and not (
        volunteer.insured_on(day) and volunteer.insured_on(timezone.localtime(shift.end).date())
    ):
        errors.append(_("This shift requires accident insurance covering its date."))
    limit = int(rules.get_setting("volunteer_no_show_limit"))
    if limit and selectors.no_shows_of(volunteer) >= limit:
        errors.append(
            _("After %(n)s no-shows, a coordinator must clear you before you sign up again.") % {"n": limit}
        )
    overlapping = check_overlap and (
        Signup.objects.filter(
            volunteer=volunteer,
            status__in=Signup.ACTIVE,
            shift__start__lt=shift.end,
            shift__end__gt=shift.start,
            shift__cancelled_at__isnull=True,
        )
        .exclude(shift=shift)
        .select_related("shift__project")
        .first()
    )
    if overlapping:
        errors.append(
            _("You are already signed up for %(project)s at %(when)s, which overlaps this shift.")
            % {"project": overlapping.shift.project.name, "when": _when(overlapping.shift)}
        )
    return errors


def _locked_shift(shift: Shift) -> Shift:
    """The shift's row, locked until the end of the transaction (PostgreSQL); on SQLite the
    IMMEDIATE transaction already holds the write lock."""
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("project", "project__organization")
        .get(pk=shift.pk)
    )


def _taken(shift: Shift) -> int:
    return Signup.objects.filter(shift=shift, status__in=Signup.HOLDING).count()


def _place_status(shift: Shift) -> str:
    return Signup.Status.REQUESTED if shift.join_mode == JoinMode.REQUEST else Signup.Status.CONFIRMED


def signup_create(*, shift: Shift, volunteer: Volunteer, actor) -> Signup:
    """Sign a volunteer up: a place if one is free, else the waiting list.

    Instant shifts confirm at once; request shifts hold the place until a coordinator
    approves; assignment shifts take only the coordinator's assignments (``signup_assign``).
    """
    is_self = volunteer.user_id is not None and volunteer.user_id == actor.pk
    if not is_self:
        raise PermissionDenied
    with transaction.atomic():
        shift = _locked_shift(shift)
        if not shifts_visible(volunteer, shift):
            raise PermissionDenied
        if shift.cancelled_at is not None:
            raise ValidationError(_("This shift has been cancelled."))
        if shift.start <= timezone.now():
            raise ValidationError(_("This shift has already started."))
        if shift.join_mode == JoinMode.ASSIGNMENT:
            raise ValidationError(_("People are assigned to this shift by the coordinator."))
        existing = Signup.objects.filter(shift=shift, volunteer=volunteer).first()
        if existing is not None and existing.status in Signup.ACTIVE:
            return existing
        if existing is not None and existing.status == Signup.Status.REFUSED:
            raise ValidationError(_("The coordinator has refused your request for this shift."))
        errors = eligibility_errors(shift=shift, volunteer=volunteer)
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        if _taken(shift) < shift.capacity:
            status, queued_at = _place_status(shift), None
        else:
            status, queued_at = Signup.Status.WAITING, now
        if existing is not None:
            existing.status, existing.queued_at, existing.walk_in, existing.decided_by = (
                status,
                queued_at,
                False,
                None,
            )
            existing.save(update_fields=["status", "queued_at", "walk_in", "decided_by", "updated_at"])
            return existing
        return Signup.objects.create(shift=shift, volunteer=volunteer, status=status, queued_at=queued_at)


def shifts_visible(volunteer: Volunteer, shift: Shift) -> bool:
    return Shift.objects.filter(selectors.visible_projects_q(volunteer, "project__"), pk=shift.pk).exists()


@transaction.atomic
def signup_assign(*, shift: Shift, volunteer: Volunteer, actor) -> Signup:
    """A coordinator gives a volunteer a place (any join mode); refused when the shift is full."""
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    shift = _locked_shift(shift)
    if not scoping.has_perm(actor, MANAGE, volunteer.organization) and not shifts_visible(volunteer, shift):
        raise PermissionDenied
    if shift.cancelled_at is not None:
        raise ValidationError(_("This shift has been cancelled."))
    existing = Signup.objects.filter(shift=shift, volunteer=volunteer).first()
    if existing is not None and existing.status == Signup.Status.CONFIRMED:
        return existing
    errors = eligibility_errors(shift=shift, volunteer=volunteer)
    if errors:
        raise ValidationError(errors)
    holds = existing is not None and existing.status == Signup.Status.REQUESTED
    if not holds and _taken(shift) >= shift.capacity:
        raise ValidationError(_("The shift is full."))
    signup = existing or Signup(shift=shift, volunteer=volunteer)
    signup.status, signup.queued_at, signup.decided_by = Signup.Status.CONFIRMED, None, actor
    signup.save()
    _tell(
        volunteer.user,
        _("You have been assigned to %(project)s at %(when)s.")
        % {"project": shift.project.name, "when": _when(shift)},
        shift=shift,
        category=notifications.CATEGORY_ASSIGNMENT,
    )
    return signup


def _promote_waiting(shift: Shift, *, actor=None) -> list[Signup]:
    """Give free places to the first on the waiting list, in the order they joined it."""
    free = shift.capacity - _taken(shift)
    promoted: list[Signup] = []
    if free <= 0 or shift.cancelled_at is not None:
        return promoted
    waiting = (
        Signup.objects.filter(shift=shift, status=Signup.Status.WAITING)
        .select_related("volunteer__user")
        .order_by("queued_at", "pk")[:free]
    )
    for signup in waiting:
        signup.status = _place_status(shift)
        signup.queued_at = None
        signup.save(update_fields=["status", "queued_at", "updated_at"])
        promoted.append(signup)
        _tell(
            signup.volunteer.user,
            _("A place has freed up: you now have a place on %(project)s at %(when)s.")
            % {"project": shift.project.name, "when": _when(shift)},
            shift=shift,
            category=notifications.CATEGORY_WAITING_LIST,
        )
    return promoted


def cancel_cutoff(shift: Shift) -> dt.datetime:
    return shift.start - dt.timedelta(hours=int(rules.get_setting("volunteer_cancel_cutoff_hours")))


def signup_cancel(*, signup: Signup, actor) -> Signup:
    """The volunteer cancels before the cut-off (a coordinator at any time); the first waiting
    volunteer gets the freed place."""
    with transaction.atomic():
        shift = _locked_shift(signup.shift)
        signup = Signup.objects.select_related("volunteer").get(pk=signup.pk)
        manager = scoping.has_perm(actor, MANAGE, shift.project.organization)
        if not manager and signup.volunteer.user_id != actor.pk:
            raise PermissionDenied
        if signup.status not in Signup.ACTIVE:
            raise ValidationError(_("This sign-up is no longer active."))
        if not manager and signup.status != Signup.Status.WAITING and timezone.now() > cancel_cutoff(shift):
            raise ValidationError(
                _("Sign-ups can be cancelled until %(hours)s hours before the shift; ask the coordinator.")
                % {"hours": rules.get_setting("volunteer_cancel_cutoff_hours")}
            )
        held = signup.status in Signup.HOLDING
        signup.status = Signup.Status.CANCELLED
        signup.queued_at = None
        signup.save(update_fields=["status", "queued_at", "updated_at"])
        if held:
            _promote_waiting(shift, actor=actor)
        return signup


@transaction.atomic
def signup_approve(*, signup: Signup, actor) -> Signup:
    shift = _locked_shift(signup.shift)
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    signup = Signup.objects.select_related("volunteer__user").get(pk=signup.pk)
    if signup.status != Signup.Status.REQUESTED:
        raise ValidationError(_("Only a request awaiting approval can be approved."))
    signup.status, signup.decided_by = Signup.Status.CONFIRMED, actor
    signup.save(update_fields=["status", "decided_by", "updated_at"])
    _tell(
        signup.volunteer.user,
        _("Your place on %(project)s at %(when)s is confirmed.")
        % {"project": shift.project.name, "when": _when(shift)},
        shift=shift,
        category=CATEGORY_DECISION,
    )
    return signup


@transaction.atomic
def signup_refuse(*, signup: Signup, actor) -> Signup:
    shift = _locked_shift(signup.shift)
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    signup = Signup.objects.select_related("volunteer__user").get(pk=signup.pk)
    if signup.status not in (Signup.Status.REQUESTED, Signup.Status.WAITING):
        raise ValidationError(_("Only a request or a place on the waiting list can be refused."))
    held = signup.status in Signup.HOLDING
    signup.status, signup.decided_by, signup.queued_at = Signup.Status.REFUSED, actor, None
    signup.save(update_fields=["status", "decided_by", "queued_at", "updated_at"])
    _tell(
        signup.volunteer.user,
        _("Your request for %(project)s at %(when)s was not accepted.")
        % {"project": shift.project.name, "when": _when(shift)},
        shift=shift,
        category=CATEGORY_DECISION,
    )
    if held:
        _promote_waiting(shift, actor=actor)
    return signup


@transaction.atomic
def signups_mark_no_shows(*, shift: Shift, actor) -> int:
    """After the shift: confirmed volunteers without a service record are counted as no-shows."""
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    if shift.end > timezone.now():
        raise ValidationError(_("No-shows are counted after the shift has ended."))
    return (
        Signup.objects.filter(shift=shift, status=Signup.Status.CONFIRMED)
        .exclude(volunteer__records__shift=shift)
        .update(status=Signup.Status.NO_SHOW, updated_at=timezone.now())
    )


# --- Reminders -----------------------------------------------------------------------------


def reminder_key(signup: Signup) -> str:
    return f"shift-reminder:{signup.pk}"


def shift_reminders_send(*, now: dt.datetime | None = None, hours: int | None = None) -> int:
    """Remind confirmed volunteers of their shifts starting within the next ``hours`` (the
    setting ``volunteer_reminder_hours`` by default) — once per sign-up, however often it runs
    (the notification's key). Returns how many reminders were stored now."""
    now = now or timezone.now()
    hours = int(rules.get_setting("volunteer_reminder_hours")) if hours is None else int(hours)
    if hours <= 0:
        return 0
    signups = list(
        Signup.objects.filter(
            status=Signup.Status.CONFIRMED,
            shift__cancelled_at__isnull=True,
            shift__start__gt=now,
            shift__start__lte=now + dt.timedelta(hours=hours),
            volunteer__user__isnull=False,
        ).select_related("shift__project", "volunteer__user")
    )
    already = set(
        Notification.objects.filter(key__in=[reminder_key(s) for s in signups]).values_list("key", flat=True)
    )
    sent = 0
    for signup in signups:
        if reminder_key(signup) in already:
            continue
        shift = signup.shift
        title = _("Reminder: %(project)s starts at %(when)s") % {
            "project": shift.project.name,
            "when": _when(shift),
        }
        body = shift.place or ""
        stored = notifications.notify(
            users=[signup.volunteer.user],
            title=title,
            body=body,
            link=reverse("volunteering:shift_detail", args=[shift.pk]),
            category=notifications.CATEGORY_REMINDER,
            key=reminder_key(signup),
        )
        sent += len(stored)
    return sent
