"""Cadre growth: training records and contest results per cadre (团干部培训, 大比武), and the
yearly self-inspection (六查六问) — a checklist the committee publishes and each cadre answers,
with the problems they find and the fix of each."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingyi.core.models import TimeStampedModel


class RecordStatus(models.TextChoices):
    """Records entered by an admin are approved at once; a cadre's own submission waits."""

    APPROVED = "approved", _("Approved")
    PENDING = "pending", _("Waiting for approval")
    REJECTED = "rejected", _("Rejected")


class CadreRecord(TimeStampedModel):
    """What training records and contest results share: the cadre, who entered it, its approval."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("cadre"), on_delete=models.PROTECT, related_name="%(class)ss"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RecordStatus.choices, default=RecordStatus.APPROVED
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True


class TrainingRecord(CadreRecord):
    """团干部培训: one course a cadre attended, with its organiser's level, dates and hours."""

    class Level(models.TextChoices):
        CENTRAL_LEAGUE_SCHOOL = "central_league_school", _("Central league school")
        PROVINCIAL_LEAGUE = "provincial_league", _("Provincial league committee")
        CITY_LEAGUE = "city_league", _("City league committee")
        HEALTH_COMMISSION = "health_commission", _("Health commission")
        UNIVERSITY = "university", _("University")
        DISTRICT_LEAGUE = "district_league", _("District league committee")
        HOSPITAL = "hospital", _("The hospital")
        OTHER = "other", _("Other")

    course = models.CharField(_("course"), max_length=200)
    level = models.CharField(_("organiser level"), max_length=30, choices=Level.choices)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    certificate = models.FileField(
        _("certificate"), upload_to="growth/certificates/%Y/", blank=True, max_length=200
    )
    certificate_name = models.CharField(_("certificate file name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-start_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "status", "end_on"]),
            models.Index(fields=["status", "end_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__gte=models.F("start_on")), name="training_ends_after_start"
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="training_hours_positive"),
            models.UniqueConstraint(
                fields=["person", "course", "start_on"], name="training_once_per_course_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.course}"


class ContestResult(CadreRecord):
    """大比武 and other contests: a cadre's result in one contest."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial or city")
        DISTRICT = "district", _("District or county")
        UNIVERSITY = "university", _("University")
        HOSPITAL = "hospital", _("Hospital")

    class Award(models.TextChoices):
        FIRST = "first", _("First prize")
        SECOND = "second", _("Second prize")
        THIRD = "third", _("Third prize")
        EXCELLENCE = "excellence", _("Excellence award")
        OTHER = "other", _("Other award")
        NONE = "none", _("Took part")

    contest = models.CharField(_("contest"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    held_on = models.DateField(_("held on"))
    award = models.CharField(_("award"), max_length=20, choices=Award.choices)
    result = models.CharField(
        _("result"), max_length=200, blank=True, help_text=_("For example “team second prize”.")
    )

    class Meta:
        verbose_name = _("contest result")
        verbose_name_plural = _("contest results")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["person", "status", "held_on"]),
            models.Index(fields=["status", "held_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "contest", "held_on"], name="contest_once_per_person_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.contest}"

    @property
    def is_award(self) -> bool:
        return self.award != self.Award.NONE


class Checklist(TimeStampedModel):
    """六查六问: the committee's self-inspection checklist for a year; frozen once published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="checklists",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("self-inspection checklist")
        verbose_name_plural = _("self-inspection checklists")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="one_checklist_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def year_start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def year_end(self) -> dt.date:
        return dt.date(self.year, 12, 31)


class ChecklistQuestion(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.CharField(_("question"), max_length=500)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["checklist", "number"]
        constraints = [models.UniqueConstraint(fields=["checklist", "number"], name="question_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class SelfInspection(TimeStampedModel):
    """One cadre's answers to a year's checklist."""

    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="inspections")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="self_inspections")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("self-inspection")
        verbose_name_plural = _("self-inspections")
        ordering = ["-checklist__year", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "person"], name="one_inspection_per_cadre")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.checklist.year}"


class InspectionAnswer(models.Model):
    inspection = models.ForeignKey(SelfInspection, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(ChecklistQuestion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(_("answer"))

    class Meta:
        ordering = ["question__number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return self.text[:50]


class InspectionProblem(TimeStampedModel):
    """A problem a cadre found in their self-inspection, with its fix and the date it is due."""

    inspection = models.ForeignKey(SelfInspection, on_delete=models.CASCADE, related_name="problems")
    description = models.TextField(_("problem found"))
    fix = models.TextField(_("fix"))
    due_on = models.DateField(_("fix due on"))
    done_on = models.DateField(_("fixed on"), null=True, blank=True)
    done_note = models.CharField(_("how it was fixed"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("problem and fix")
        verbose_name_plural = _("problems and fixes")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["done_on", "due_on"])]

    def __str__(self) -> str:
        return self.description[:50]

    def is_overdue(self, on: dt.date) -> bool:
        return self.due_on < on and (self.done_on is None or self.done_on > on)
