"""Volunteer service: volunteers, projects, posts, shifts, sign-ups and service records.

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
from qingyi.core.scoping import ScopedQuerySet
from qingyi.people.models import Person, mask_id_number, mask_phone


class Qualification(TimeStampedModel):
    """A kind of training or qualification a shift may require (院感培训, 核酸采样 ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    # How long a qualification of this kind stays valid once obtained (empty: no expiry).
    validity_months = models.PositiveSmallIntegerField(_("valid for (months)"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Volunteer(TimeStampedModel):
    """志愿者: a member of staff linked to their roster record, or an outsider with their own data.

    The record holds what 民政部令第67号 art. 7 lists: name, gender, birth date, ID number,
    area of residence, contact, skills and service categories.
    """

    # Fails closed during requests: see core/scoping.py.
    objects = ScopedQuerySet.as_manager()

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        SOCIAL = "social", _("Social volunteer")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        STUDENT = "student", _("Student")

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REFUSED = "refused", _("Refused")
        LEFT = "left", _("Left")

    Gender = Person.Gender  # the roster's choices, one definition

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="volunteers",
    )
    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="volunteer"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="volunteer"
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True, null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    area = models.CharField(_("area of residence"), max_length=100, blank=True)
    skills = models.CharField(_("skills"), max_length=255, blank=True)
    service_categories = models.CharField(_("service categories"), max_length=255, blank=True)
    school = models.CharField(_("school or employer"), max_length=100, blank=True)
    guardian_name = models.CharField(_("guardian's name"), max_length=50, blank=True)
    guardian_phone = models.CharField(_("guardian's phone"), max_length=20, blank=True)
    guardian_consent_on = models.DateField(_("guardian's consent recorded on"), null=True, blank=True)
    insurance_policy = models.CharField(_("accident insurance policy"), max_length=64, blank=True)
    insurance_from = models.DateField(_("insured from"), null=True, blank=True)
    insurance_until = models.DateField(_("insured until"), null=True, blank=True)
    # No-shows before this moment were cleared by a coordinator.
    no_shows_cleared_at = models.DateTimeField(_("no-shows cleared at"), null=True, blank=True)
    registered_on = models.DateField(_("registered on"), default=dt.date.today)
    application_note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    # Set by services before a save so the history row names who made the change (and why).
    _history_user: Any
    _change_reason: str

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["organization", "status"]), models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def age(self, on: dt.date) -> int | None:
        return rules.age_on(self.birth_date, on) if self.birth_date else None

    def insured_on(self, day: dt.date) -> bool:
        return bool(
            self.insurance_from
            and self.insurance_until
            and self.insurance_from <= day <= self.insurance_until
        )


class VolunteerQualification(TimeStampedModel):
    """A volunteer's qualification, valid from a date until its expiry (if any)."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="qualifications")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="+")
    obtained_on = models.DateField(_("obtained on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer's qualification")
        verbose_name_plural = _("volunteers' qualifications")
        ordering = ["qualification__name", "-obtained_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("obtained_on")),
                name="qualification_expires_after_obtained",
            )
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.qualification}"


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


class VolunteerApplication(TimeStampedModel):
    """A public application to volunteer (social volunteers, students), until a coordinator
    approves it — which registers the volunteer and gives them a login — or refuses it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="volunteer_applications",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    kind = models.CharField(_("kind"), max_length=20, choices=Volunteer.Kind.choices)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Volunteer.Gender.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = models.CharField(_("ID number"), max_length=18)
    phone = models.CharField(_("phone"), max_length=20)
    area = models.CharField(_("area of residence"), max_length=100)
    skills = models.CharField(_("skills"), max_length=255, blank=True)
    service_categories = models.CharField(_("service categories"), max_length=255, blank=True)
    school = models.CharField(_("school or employer"), max_length=100, blank=True)
    guardian_name = models.CharField(_("guardian's name"), max_length=50, blank=True)
    guardian_phone = models.CharField(_("guardian's phone"), max_length=20, blank=True)
    guardian_consent = models.BooleanField(_("guardian's consent"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.CharField(_("reason"), max_length=255, blank=True)
    volunteer = models.OneToOneField(
        Volunteer, on_delete=models.SET_NULL, null=True, blank=True, related_name="application"
    )

    class Meta:
        verbose_name = _("volunteer application")
        verbose_name_plural = _("volunteer applications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


# --- Star levels: announced (公示), then awarded -------------------------------------------
# RULES.md: star levels by verified hours are announced before they are awarded. A
# coordinator announces the volunteers whose verified hours reached a level above the one
# awarded; the announcement is shown to the hospital for the notice period
# (``volunteer_star_notice_days``), anyone logged in may object, and after the period the
# coordinator awards. Services: volunteering/stars.py.


class StarAnnouncement(TimeStampedModel):
    """公示: the volunteers proposed for a star level, shown to the hospital for a notice period."""

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="star_announcements",
    )
    note = models.TextField(_("note"), blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The notice period, both days included; objections are taken until the end of ``notice_until``.
    notice_from = models.DateField(_("notice from"))
    notice_until = models.DateField(_("notice until"))
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("star-level announcement")
        verbose_name_plural = _("star-level announcements")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["organization", "published_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(notice_until__gte=models.F("notice_from")), name="star_notice_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.notice_from:%Y-%m-%d}"

    def in_notice(self, today: dt.date) -> bool:
        return self.notice_from <= today <= self.notice_until

    def notice_over(self, today: dt.date) -> bool:
        return today > self.notice_until


class StarAnnouncementEntry(models.Model):
    """One volunteer in an announcement: the level and the verified hours as announced."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Announced")
        AWARDED = "awarded", _("Awarded")
        WITHHELD = "withheld", _("Not awarded")

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("Objection upheld: not awarded")
        DISMISSED = "dismissed", _("Objection dismissed: awarded")

    announcement = models.ForeignKey(StarAnnouncement, on_delete=models.PROTECT, related_name="entries")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="star_entries")
    level = models.PositiveSmallIntegerField(_("star level"))
    hours = models.DecimalField(_("verified hours"), max_digits=10, decimal_places=2)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    # The coordinator's decision on the objections raised against this entry (if any).
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=255, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("announced volunteer")
        verbose_name_plural = _("announced volunteers")
        ordering = ["-level", "-hours", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "volunteer"], name="one_star_entry_per_announcement"
            ),
            # A volunteer is in at most one announcement awaiting its award.
            models.UniqueConstraint(
                fields=["volunteer"],
                condition=Q(outcome="pending"),
                name="one_pending_star_entry_per_volunteer",
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="star_entry_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.level}★"


class StarObjection(TimeStampedModel):
    """异议: an objection raised by someone logged in against an announced volunteer."""

    entry = models.ForeignKey(StarAnnouncementEntry, on_delete=models.PROTECT, related_name="objections")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.entry} · {self.created_at:%Y-%m-%d}"


class StarAward(models.Model):
    """A star level awarded after its announcement. Never changed or deleted: hours verified
    later never change an award; a higher level is a new award."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="star_awards")
    level = models.PositiveSmallIntegerField(_("star level"))
    awarded_at = models.DateTimeField(_("awarded at"))
    announcement = models.ForeignKey(StarAnnouncement, on_delete=models.PROTECT, related_name="awards")
    awarded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("star-level award")
        verbose_name_plural = _("star-level awards")
        ordering = ["-awarded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "level"], name="one_award_per_volunteer_and_level"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="star_award_level_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.level}★"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A star-level award never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A star-level award is never deleted.")
