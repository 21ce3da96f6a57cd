"""Volunteers, their qualifications, and the applications of people who want to become one."""

from __future__ import annotations

import datetime as dt
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
