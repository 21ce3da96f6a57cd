"""Writes of cadre growth records, each with its rules.

Training records and contest results are entered by an admin who holds ``growth.manage``
over the cadre's organisation (approved at once), or submitted by the cadre themself (they
wait for that admin's approval). The self-inspection checklist is the committee's: editable
while a draft, frozen once published; each cadre answers it themself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core import rules
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization, Position
from qingyi.people.models import Person

from .models import (
    Checklist,
    ChecklistQuestion,
    ContestResult,
    InspectionAnswer,
    InspectionProblem,
    RecordStatus,
    SelfInspection,
    TrainingRecord,
)
from .selectors import holds_post_between
from .uploads import clean_certificate

# --- Who may write a cadre's record --------------------------------------------------------


def _is_self(actor, person: Person) -> bool:
    return person.user_id is not None and person.user_id == getattr(actor, "pk", None)


def _manages(actor, person: Person) -> bool:
    return scoping.has_perm(actor, scoping.GROWTH_MANAGE, person.organization)


def _check_cadre(person: Person) -> None:
    if not Position.objects.filter(person=person).exists():
        raise ValidationError(
            {
                "person": _("%(name)s holds no league post; these records are kept for cadres.")
                % {"name": person.name}
            }
        )


def _check_can_enter(actor, person: Person, *, as_self: bool) -> None:
    if as_self:
        if not _is_self(actor, person):
            raise PermissionDenied
    elif not _manages(actor, person):
        raise ValidationError({"person": _("This person is outside the organisations you manage.")})


def _check_can_change(actor, record) -> None:
    """An admin over the cadre may change a record; the cadre only their own pending submission."""
    if _manages(actor, record.person):
        return
    if _is_self(actor, record.person) and record.status == RecordStatus.PENDING:
        return
    raise PermissionDenied


# --- Training records --------------------------------------------------------------------


def _clean_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Hours must be a number.")}) from None
    if not hours.is_finite() or hours <= 0:
        raise ValidationError({"hours": _("Hours must be more than zero.")})
    if hours != hours.quantize(Decimal("0.1")):
        raise ValidationError({"hours": _("Hours are counted to one decimal place.")})
    return hours


def _validate_training(data: dict) -> dict:
    errors: dict[str, str] = {}
    course = (data.get("course") or "").strip()
    if not course:
        errors["course"] = _("The course is required.")
    if data.get("level") not in TrainingRecord.Level.values:
        errors["level"] = _("Choose the organiser's level.")
    start_on, end_on = data.get("start_on"), data.get("end_on")
    if not start_on or not end_on:
        errors["start_on"] = _("The training's first and last days are required.")
    elif end_on < start_on:
        errors["end_on"] = _("The training cannot end before it starts.")
    if errors:
        raise ValidationError(errors)
    assert start_on is not None and end_on is not None  # both required above
    hours = _clean_hours(data.get("hours"))
    allowed = rules.training_hours_allowed(start_on, end_on)
    if hours > allowed:
        days = (end_on - start_on).days + 1
        raise ValidationError(
            {
                "hours": _(
                    "%(hours)s hours is more than %(days)d day(s) allow: at most %(allowed)d "
                    "(%(per_day)d a day, a committee setting)."
                )
                % {
                    "hours": hours,
                    "days": days,
                    "allowed": allowed,
                    "per_day": int(rules.get_setting("training_max_hours_per_day")),
                }
            }
        )
    return {
        "course": course,
        "level": data["level"],
        "organiser": (data.get("organiser") or "").strip(),
        "start_on": start_on,
        "end_on": end_on,
        "hours": hours,
        "note": (data.get("note") or "").strip(),
    }


def _save_unique(record, message: str, field: str, *, new_file: bool = False) -> None:
    """Save; a unique constraint that fails becomes a message, and a file just stored is removed."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        if new_file and record.certificate:
            record.certificate.delete(save=False)
        raise ValidationError({field: message}) from None


def training_create(
    *, person: Person, actor, data: dict, certificate=None, as_self: bool = False
) -> TrainingRecord:
    """Record a training of ``person``: approved when an admin enters it, pending when the cadre does."""
    _check_can_enter(actor, person, as_self=as_self)
    _check_cadre(person)
    fields = _validate_training(data)
    if certificate:  # check the file before anything is written
        upload, original = clean_certificate(certificate)
    record = TrainingRecord(
        person=person,
        entered_by=actor,
        status=RecordStatus.PENDING if as_self else RecordStatus.APPROVED,
        decided_by=None if as_self else actor,
        decided_at=None if as_self else timezone.now(),
        **fields,
    )
    if certificate:
        record.certificate, record.certificate_name = upload, original
    _save_unique(
        record,
        _("This cadre already has this course starting on that day."),
        "course",
        new_file=bool(certificate),
    )
    return record


def training_update(*, record: TrainingRecord, actor, data: dict, certificate=None) -> TrainingRecord:
    _check_can_change(actor, record)
    fields = _validate_training(data)
    if certificate:
        upload, original = clean_certificate(certificate)
    for name, value in fields.items():
        setattr(record, name, value)
    old_file = record.certificate.name if certificate and record.certificate else ""
    if certificate:
        record.certificate, record.certificate_name = upload, original
    _save_unique(
        record,
        _("This cadre already has this course starting on that day."),
        "course",
        new_file=bool(certificate),
    )
    if old_file:
        record.certificate.storage.delete(old_file)
    return record


@transaction.atomic
def training_delete(*, record: TrainingRecord, actor) -> None:
    _check_can_change(actor, record)
    if record.certificate:
        record.certificate.delete(save=False)
    record.delete()


# --- Contest results ---------------------------------------------------------------------


def _validate_contest(data: dict) -> dict:
    errors: dict[str, str] = {}
    contest = (data.get("contest") or "").strip()
    if not contest:
        errors["contest"] = _("The contest is required.")
    if data.get("level") not in ContestResult.Level.values:
        errors["level"] = _("Choose the contest's level.")
    if data.get("award") not in ContestResult.Award.values:
        errors["award"] = _("Choose the award, or “took part”.")
    held_on = data.get("held_on")
    if not held_on:
        errors["held_on"] = _("The date of the contest is required.")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("A contest result is recorded after the contest: the date is in the future.")
    if errors:
        raise ValidationError(errors)
    return {
        "contest": contest,
        "level": data["level"],
        "organiser": (data.get("organiser") or "").strip(),
        "held_on": held_on,
        "award": data["award"],
        "result": (data.get("result") or "").strip(),
        "note": (data.get("note") or "").strip(),
    }


def contest_create(*, person: Person, actor, data: dict, as_self: bool = False) -> ContestResult:
    _check_can_enter(actor, person, as_self=as_self)
    _check_cadre(person)
    fields = _validate_contest(data)
    record = ContestResult(
        person=person,
        entered_by=actor,
        status=RecordStatus.PENDING if as_self else RecordStatus.APPROVED,
        decided_by=None if as_self else actor,
        decided_at=None if as_self else timezone.now(),
        **fields,
    )
    _save_unique(record, _("This cadre already has a result in this contest on that day."), "contest")
    return record


def contest_update(*, record: ContestResult, actor, data: dict) -> ContestResult:
    _check_can_change(actor, record)
    for name, value in _validate_contest(data).items():
        setattr(record, name, value)
    _save_unique(record, _("This cadre already has a result in this contest on that day."), "contest")
    return record


@transaction.atomic
def contest_delete(*, record: ContestResult, actor) -> None:
    _check_can_change(actor, record)
    record.delete()


# --- Approval of a cadre's own submissions ------------------------------------------------


@transaction.atomic
def record_decide(*, record: TrainingRecord | ContestResult, actor, approve: bool, note: str = ""):
    """Approve or reject a cadre's own submission (training or contest)."""
    if not _manages(actor, record.person):
        raise PermissionDenied
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if record.status != RecordStatus.PENDING:
        raise ValidationError(_("This record was already decided."))
    note = note.strip()
    if not approve and not note:
        raise ValidationError({"note": _("Say why the record is rejected, so the cadre can correct it.")})
    record.status = RecordStatus.APPROVED if approve else RecordStatus.REJECTED
    record.decided_by, record.decided_at, record.decision_note = actor, timezone.now(), note[:200]
    record.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    return record


# --- Self-inspection checklists ------------------------------------------------------------


def _require_manage_checklist(actor, checklist: Checklist) -> None:
    scoping.require_perm(actor, scoping.GROWTH_MANAGE, checklist.organization)


def _require_draft(checklist: Checklist) -> None:
    if checklist.is_published:
        raise ValidationError(_("The checklist is published and can no longer be changed."))


def _clean_year(year) -> int:
    today = timezone.localdate()
    if not isinstance(year, int) or not (2000 <= year <= today.year + 1):
        raise ValidationError({"year": _("Choose a year from 2000 to next year.")})
    return year


@transaction.atomic
def checklist_create(
    *, organization: Organization, year: int, title: str, actor, intro: str = ""
) -> Checklist:
    """A committee's draft checklist for a year (one per committee and year)."""
    scoping.require_perm(actor, scoping.GROWTH_MANAGE, organization)
    if organization.kind != Organization.Kind.COMMITTEE:
        raise ValidationError({"organization": _("Only a committee publishes a self-inspection checklist.")})
    year = _clean_year(year)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("The title is required.")})
    if Checklist.objects.filter(organization=organization, year=year).exists():
        raise ValidationError({"year": _("There is already a checklist for %(year)d.") % {"year": year}})
    return Checklist.objects.create(
        organization=organization, year=year, title=title, intro=intro.strip(), created_by=actor
    )


@transaction.atomic
def checklist_update(*, checklist: Checklist, title: str, intro: str, actor) -> Checklist:
    _require_manage_checklist(actor, checklist)
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    _require_draft(checklist)
    if not title.strip():
        raise ValidationError({"title": _("The title is required.")})
    checklist.title, checklist.intro = title.strip(), intro.strip()
    checklist.save(update_fields=["title", "intro", "updated_at"])
    return checklist


def _clean_question(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("The question is empty.")})
    if len(text) > 500:
        raise ValidationError({"text": _("A question has at most 500 characters.")})
    return text


@transaction.atomic
def question_add(*, checklist: Checklist, text: str, actor) -> ChecklistQuestion:
    _require_manage_checklist(actor, checklist)
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    _require_draft(checklist)
    text = _clean_question(text)
    last = checklist.questions.order_by("-number").values_list("number", flat=True).first() or 0
    return ChecklistQuestion.objects.create(checklist=checklist, number=last + 1, text=text)


@transaction.atomic
def question_update(*, question: ChecklistQuestion, text: str, actor) -> ChecklistQuestion:
    checklist = Checklist.objects.select_for_update().get(pk=question.checklist_id)
    _require_manage_checklist(actor, checklist)
    _require_draft(checklist)
    question.text = _clean_question(text)
    question.save(update_fields=["text"])
    return question


@transaction.atomic
def question_delete(*, question: ChecklistQuestion, actor) -> None:
    checklist = Checklist.objects.select_for_update().get(pk=question.checklist_id)
    _require_manage_checklist(actor, checklist)
    _require_draft(checklist)
    question.delete()
    for number, q in enumerate(checklist.questions.order_by("number"), start=1):
        if q.number != number:
            ChecklistQuestion.objects.filter(pk=q.pk).update(number=number)


@transaction.atomic
def checklist_publish(*, checklist: Checklist, actor) -> Checklist:
    _require_manage_checklist(actor, checklist)
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    _require_draft(checklist)
    if not checklist.questions.exists():
        raise ValidationError(_("Add at least one question before publishing."))
    checklist.status = Checklist.Status.PUBLISHED
    checklist.published_at, checklist.published_by = timezone.now(), actor
    checklist.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    return checklist


# --- A cadre's answers, problems and fixes --------------------------------------------------


def _check_answerer(checklist: Checklist, person: Person, actor) -> None:
    if not _is_self(actor, person):
        raise PermissionDenied
    if not checklist.is_published:
        raise ValidationError(_("This checklist is not published yet."))
    if not person.organization.path.startswith(checklist.organization.path):
        raise PermissionDenied
    holds = (
        Person.objects.unscoped("the answering cadre, checked just above")
        .filter(holds_post_between(checklist.year_start, checklist.year_end), pk=person.pk)
        .exists()
    )
    if not holds:
        raise ValidationError(
            _("The self-inspection of %(year)d is for cadres who held a league post that year.")
            % {"year": checklist.year}
        )


@transaction.atomic
def inspection_submit(
    *, checklist: Checklist, person: Person, answers: dict[int, str], actor
) -> SelfInspection:
    """Save a cadre's answers to every question of the checklist (again, to change them)."""
    _check_answerer(checklist, person, actor)
    questions = list(checklist.questions.all())
    cleaned: dict[int, str] = {}
    missing = []
    for question in questions:
        text = (answers.get(question.pk) or "").strip()
        if not text:
            missing.append(str(question.number))
        cleaned[question.pk] = text
    if missing:
        raise ValidationError(
            _("Answer every question; still empty: %(numbers)s.") % {"numbers": ", ".join(missing)}
        )
    inspection, _created = SelfInspection.objects.get_or_create(
        checklist=checklist, person=person, defaults={"submitted_by": actor}
    )
    existing = {a.question_id: a for a in inspection.answers.all()}
    for question in questions:
        answer = existing.get(question.pk)
        if answer is None:
            InspectionAnswer.objects.create(
                inspection=inspection, question=question, text=cleaned[question.pk]
            )
        elif answer.text != cleaned[question.pk]:
            answer.text = cleaned[question.pk]
            answer.save(update_fields=["text"])
    inspection.save(update_fields=["updated_at"])
    return inspection


def _check_own_inspection(inspection: SelfInspection, actor) -> None:
    if not _is_self(actor, inspection.person):
        raise PermissionDenied


@transaction.atomic
def problem_add(
    *, inspection: SelfInspection, description: str, fix: str, due_on: dt.date | None, actor
) -> InspectionProblem:
    _check_own_inspection(inspection, actor)
    errors = {}
    description, fix = (description or "").strip(), (fix or "").strip()
    if not description:
        errors["description"] = _("Describe the problem found.")
    if not fix:
        errors["fix"] = _("Say how it will be fixed.")
    if due_on is None:
        errors["due_on"] = _("Give the date the fix is due.")
    elif due_on < timezone.localdate():
        errors["due_on"] = _("The fix cannot be due in the past.")
    if errors:
        raise ValidationError(errors)
    assert due_on is not None  # required above
    return InspectionProblem.objects.create(
        inspection=inspection, description=description, fix=fix, due_on=due_on
    )


@transaction.atomic
def problem_mark_done(*, problem: InspectionProblem, actor, note: str = "", done_on: dt.date | None = None):
    _check_own_inspection(problem.inspection, actor)
    problem = InspectionProblem.objects.select_for_update().get(pk=problem.pk)
    if problem.done_on is not None:
        raise ValidationError(_("This fix is already marked done."))
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today:
        raise ValidationError(_("A fix cannot be done in the future."))
    problem.done_on, problem.done_note = done_on, note.strip()[:300]
    problem.save(update_fields=["done_on", "done_note", "updated_at"])
    return problem


@transaction.atomic
def problem_delete(*, problem: InspectionProblem, actor) -> None:
    """A cadre removes a problem entered by mistake (only while its fix is not done)."""
    _check_own_inspection(problem.inspection, actor)
    if problem.done_on is not None:
        raise ValidationError(_("A fix marked done stays on the record."))
    problem.delete()
