"""Volunteer service: projects, posts, shifts, sign-ups, service records, service points and
certificates.

Three numbers of hours are kept apart on a service record (RULES.md, 民政部令第67号):
scheduled (the shift), recorded (check-in to check-out, rounded and capped) and verified —
only verified hours count in totals, certificates and star levels.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qingyi.core import rules
from qingyi.core.models import TimeStampedModel
from qingyi.volunteering.models.volunteers import Qualification, Volunteer


class Project(TimeStampedModel):
    """志愿服务项目: a named service project owned by an organisation."""

    class Kind(models.TextChoices):
        ESCORT = "escort", _("Patient escort")
        CHILDREN = "children", _("Children's ward")
        ELDERLY = "elderly", _("Elderly patients")
        OUTREACH = "outreach", _("Outreach")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="volunteer_projects",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(_("description"), blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("service project")
        verbose_name_plural = _("service projects")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Post(TimeStampedModel):
    """岗位: a post within a project (导诊, 陪诊 ...)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="posts")
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_post_name_per_project")
        ]

    def __str__(self) -> str:
        return self.name


class JoinMode(models.TextChoices):
    INSTANT = "instant", _("Instant confirmation")
    REQUEST = "request", _("Request and approval")
    ASSIGNMENT = "assignment", _("Assignment by the coordinator")


class ShiftSeries(TimeStampedModel):
    """A repeating shift: on the chosen weekdays, between two dates, at the same times."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="series")
    weekdays = models.JSONField(_("weekdays"), default=list)  # 0 = Monday
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("until"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("shift series")
        verbose_name_plural = _("shift series")

    def __str__(self) -> str:
        return f"{self.project} · {self.first_day}–{self.last_day}"


class Shift(TimeStampedModel):
    """班次: a time at a place with a capacity, in a project (and a post)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="shifts")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, null=True, blank=True, related_name="shifts")
    series = models.ForeignKey(
        ShiftSeries, on_delete=models.SET_NULL, null=True, blank=True, related_name="shifts"
    )
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    join_mode = models.CharField(
        _("how people get in"), max_length=20, choices=JoinMode.choices, default=JoinMode.INSTANT
    )
    insurance_required = models.BooleanField(_("accident insurance required"), default=False)
    required_qualifications = models.ManyToManyField(
        Qualification, blank=True, related_name="+", verbose_name=_("required qualifications")
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    # Outreach events (free clinics, health talks, blood drives outside the hospital).
    partner = models.CharField(_("partner organisation"), max_length=100, blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    # Set by services before a save so the history row names who made the change (and why).
    _history_user: Any
    _change_reason: str

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["start"]), models.Index(fields=["project", "start"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="shift_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.start:%Y-%m-%d %H:%M}"

    @property
    def subject(self) -> str:
        """The check-in subject of core.checkin."""
        return f"shift:{self.pk}"

    @property
    def scheduled_hours(self) -> Decimal:
        return (Decimal((self.end - self.start).total_seconds()) / Decimal(3600)).quantize(Decimal("0.01"))


class Signup(TimeStampedModel):
    """报名: a volunteer's place (or place on the waiting list) on a shift."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        REFUSED = "refused", _("Refused")
        NO_SHOW = "no_show", _("No-show")

    # Statuses that hold a place, or a claim on one.
    HOLDING = (Status.CONFIRMED, Status.REQUESTED)
    ACTIVE = (Status.CONFIRMED, Status.REQUESTED, Status.WAITING)

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    # Order on the waiting list (the time the volunteer joined it).
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["shift", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["shift", "volunteer"], name="one_signup_per_shift")]
        indexes = [
            models.Index(fields=["shift", "status"]),
            models.Index(fields=["volunteer", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.shift} · {self.status}"

    @staticmethod
    def cancel_cutoff(shift: Shift) -> dt.datetime:
        """The last moment a volunteer may cancel a place on ``shift`` themselves."""
        return shift.start - dt.timedelta(hours=int(rules.get_setting("volunteer_cancel_cutoff_hours")))

    def cancel_refusal(self, *, manager: bool, now: dt.datetime) -> str | None:
        """Why this sign-up cannot be cancelled now, or None if it can: the one rule the
        cancel service enforces and the views and templates show (``cancellable``). Only an
        active sign-up can be cancelled; the volunteer until the cut-off before the shift (a
        place on the waiting list at any time), a coordinator (``manager``) at any time."""
        if self.status not in self.ACTIVE:
            return str(_("This sign-up is no longer active."))
        if not manager and self.status != self.Status.WAITING and now > self.cancel_cutoff(self.shift):
            return str(
                _("Sign-ups can be cancelled until %(hours)s hours before the shift; ask the coordinator.")
                % {"hours": rules.get_setting("volunteer_cancel_cutoff_hours")}
            )
        return None

    def cancellable(self, *, manager: bool, now: dt.datetime) -> bool:
        return self.cancel_refusal(manager=manager, now=now) is None


class ServiceRecord(TimeStampedModel):
    """服务记录: one volunteer's service on one shift: check-in, check-out and the three hours."""

    class Source(models.TextChoices):
        SCAN = "scan", _("Scanned")
        HAND = "hand", _("Checked in by a coordinator")
        MANUAL = "manual", _("Hours added by hand")

    class Status(models.TextChoices):
        CHECKED_IN = "checked_in", _("Checked in")
        RECORDED = "recorded", _("Recorded")
        VERIFIED = "verified", _("Verified")

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="records")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="records")
    # Denormalised from the shift, so totals by project, organisation and day use plain indexes.
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="records")
    served_on = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.SCAN)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CHECKED_IN)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    scheduled_hours = models.DecimalField(_("scheduled hours"), max_digits=6, decimal_places=2, default=0)
    recorded_hours = models.DecimalField(
        _("recorded hours"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    verified_hours = models.DecimalField(
        _("verified hours"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    people_served = models.PositiveIntegerField(_("people served"), default=0)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    # Set by services before a save so the history row names who made the change (and why).
    _history_user: Any
    _change_reason: str

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-served_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="one_record_per_shift_and_volunteer"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=True)
                | Q(checked_out_at__gte=models.F("checked_in_at")),
                name="record_checks_out_after_check_in",
            ),
        ]
        indexes = [
            # Covers the hours overview's and the star levels' sums (selectors.hours_overview).
            models.Index(fields=["volunteer", "status", "served_on", "verified_hours", "people_served"]),
            models.Index(fields=["project", "status", "served_on"]),
            models.Index(fields=["served_on", "status"]),
            models.Index(fields=["volunteer", "checked_in_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.shift}"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.VERIFIED


class ServicePoint(TimeStampedModel):
    """服务点: a fixed desk of a project (门诊大厅导诊台) with a standing screen of its own.

    The screen shows a rotating QR code (core.checkin subject ``point:<id>``); scanning it
    checks the volunteer in to, or out of, their shift of the point's project (and post)
    that is on now — see ``volunteering.service_points``.
    """

    project = models.ForeignKey(
        Project, verbose_name=_("service project"), on_delete=models.PROTECT, related_name="points"
    )
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.PROTECT, null=True, blank=True, related_name="points"
    )
    name = models.CharField(_("name"), max_length=100)
    place = models.CharField(_("place"), max_length=100, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name"],
                condition=Q(archived_at__isnull=True),
                name="unique_active_point_name_per_project",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def subject(self) -> str:
        """The check-in subject of core.checkin."""
        return f"point:{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.archived_at is None


class Certificate(models.Model):
    """志愿服务证明: a numbered certificate of a volunteer's verified hours, issued free.

    It states what was true when issued — a snapshot (name, masked ID number, hours, content,
    period, issuing unit) — and never changes: there is no update path, and ``save`` refuses
    to overwrite a stored certificate. New hours get a new certificate. Anyone holding its
    QR code can check it on the public page by its unguessable ``token``.
    """

    number = models.CharField(_("certificate number"), max_length=20, unique=True)
    token = models.CharField(max_length=64, unique=True, editable=False)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issuing_unit = models.CharField(_("issuing unit"), max_length=100)
    name = models.CharField(_("name"), max_length=50)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    hours = models.DecimalField(_("verified hours"), max_digits=8, decimal_places=2)
    services = models.PositiveIntegerField(_("services"))
    content = models.TextField(_("content of the service"))
    period_from = models.DateField(_("from"))
    period_until = models.DateField(_("until"))

    class Meta:
        verbose_name = _("service certificate")
        verbose_name_plural = _("service certificates")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["volunteer", "issued_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="certificate_states_some_hours"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("An issued certificate never changes; issue a new one.")
        super().save(*args, **kwargs)

    @property
    def name_masked(self) -> str:
        """The name as the public page shows it: the family name, the rest starred."""
        return self.name[:1] + "*" * max(1, len(self.name) - 1) if self.name else ""
