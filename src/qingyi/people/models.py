from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qingyi.core import rules
from qingyi.core.models import TimeStampedModel
from qingyi.core.scoping import ScopedQuerySet
from qingyi.organizations.models import RosterStatus
from qingyi.people.masking import Disclosure, mask_id_number, mask_phone

__all__ = ["ChangeRequest", "Person", "RosterImport", "Transfer", "mask_id_number", "mask_phone"]


class Person(TimeStampedModel):
    """One person on the roster (团员, 青年, 党员 ...)."""

    # Fails closed during requests: see core/scoping.py.
    objects = ScopedQuerySet.as_manager()

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class PoliticalStatus(models.TextChoices):
        MASSES = "masses", _("Masses")
        LEAGUE_MEMBER = "league_member", _("League member")
        PROBATIONARY_PARTY_MEMBER = "probationary_party_member", _("Probationary party member")
        PARTY_MEMBER = "party_member", _("Party member")

    Status = RosterStatus  # active, transferred out, aged out, left (organizations.models)

    class Profession(models.TextChoices):
        DOCTOR = "doctor", _("Doctor")
        NURSE = "nurse", _("Nurse")
        TECHNICIAN = "technician", _("Medical technician")
        PHARMACIST = "pharmacist", _("Pharmacist")
        ADMINISTRATION = "administration", _("Administration")
        LOGISTICS = "logistics", _("Logistics")
        STUDENT = "student", _("Student")
        OTHER = "other", _("Other")

    class Education(models.TextChoices):
        SECONDARY = "secondary", _("Secondary school")
        JUNIOR_COLLEGE = "junior_college", _("Junior college")
        BACHELOR = "bachelor", _("Bachelor")
        MASTER = "master", _("Master")
        DOCTORATE = "doctorate", _("Doctorate")

    class Title(models.TextChoices):
        NONE = "none", _("None")
        JUNIOR = "junior", _("Junior")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ASSOCIATE_SENIOR = "associate_senior", _("Associate senior")
        SENIOR = "senior", _("Senior")

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True, null=True, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=32, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    league_joined_on = models.DateField(_("joined the league on"), null=True, blank=True)
    development_number = models.CharField(
        _("development number"), max_length=12, unique=True, null=True, blank=True
    )
    employee_number = models.CharField(
        _("employee number"), max_length=32, unique=True, null=True, blank=True
    )
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    professional_title = models.CharField(
        _("professional title"), max_length=20, choices=Title.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="person"
    )
    # Optimistic locking: two admins editing the same person cannot overwrite each other.
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])
    # Set by services before a save so the history row names who made the change (and why).
    _history_user: Any
    _change_reason: str

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["organization__path", "name", "pk"]
        indexes = [
            # Equality on the organisation (IN), status and political status, range on birth date:
            # the roster of a subtree filtered by youth starts here, not from every hospital.
            models.Index(fields=["organization", "status", "political_status", "birth_date"]),
            models.Index(fields=["status", "political_status", "birth_date"]),
            models.Index(fields=["department"]),
            models.Index(fields=["name"]),
        ]

    def __str__(self) -> str:
        return self.name

    def age(self, on: dt.date | None = None) -> int:
        return rules.age_on(self.birth_date, on or timezone.localdate())

    def is_youth(self, on: dt.date | None = None) -> bool:
        return rules.is_youth(self.birth_date, on or timezone.localdate())

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)


class Transfer(TimeStampedModel):
    """组织关系转接: moving a person from one organisation to another, approved by the receiver."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="transfers")
    from_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    note = models.TextField(_("note"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="pending"),
                name="one_pending_transfer_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.to_organization}"


class ChangeRequest(TimeStampedModel):
    """A member's request to change fields of their own record; waits for an admin."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="change_requests")
    changes = models.JSONField(_("changes"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_status_display()}"

    @property
    def changes_display(self) -> list[tuple[str, str]]:
        """(field label, new value) for each change asked for, unmasked: for the member themself."""
        return self.changes_shown(Disclosure(id_number=True, phone=True))

    def changes_shown(self, disclosure: Disclosure) -> list[tuple[str, str]]:
        """(field label, new value as ``disclosure`` lets its user see it) for each change."""
        shown = []
        for field_name, value in self.changes.items():
            field = Person._meta.get_field(field_name)
            label = dict(field.choices).get(value, value) if field.choices else value
            label = disclosure.shown(field_name, label)
            shown.append((str(field.verbose_name), str(label) if label not in (None, "") else "—"))
        return shown


class RosterImport(TimeStampedModel):
    """An uploaded roster file: validated on upload, previewed, then applied (all or valid rows)."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Awaiting confirmation")
        APPLIED = "applied", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="roster_imports"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField()
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PREVIEW)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    # The first QINGYI_IMPORT_STORED_ISSUES issues; ``error_count`` counts them all.
    errors = models.JSONField(default=list)
    error_count = models.PositiveIntegerField(default=0)
    # What applying would do, as checked on upload: the first rows that add or change a
    # person (with the changed fields' old and new values), and the totals.
    changes = models.JSONField(default=list)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
