"""陪诊: a patient's (or family's) request for a volunteer to escort them through the hospital.

Which organisation a request belongs to, for scoping: the hospital's league committee (the
root of the tree) — the public form offers no choice, so every coordinator of the committee
dispatches every request, and an org admin with ``volunteering.manage`` lower in the tree
sees none. A request created by other means (the API, a later per-project form) may name
another organisation; its coordinators then dispatch it.

Patient details (name, phone, needs and the free texts about the visit) are erased after
the committee's retention period (``core.rules``); the row stays, with its status, times,
department and rating, so every figure stays the same. No change history is kept of this
model on purpose: a history table would keep what the erasure removes.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingyi.core.models import TimeStampedModel
from qingyi.core.scoping import ScopedQuerySet
from qingyi.people.models import mask_phone


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class EscortRequest(TimeStampedModel):
    # Fails closed during requests: see core/scoping.py.
    objects = ScopedQuerySet.as_manager()

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        UNDER_WAY = "under_way", _("Under way")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.NEW, Status.ASSIGNED, Status.UNDER_WAY)
    CLOSED = (Status.DONE, Status.CANCELLED)

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="escort_requests",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    # Patient details: erased after the retention period.
    patient_name = models.CharField(_("patient's name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    needs = models.TextField(_("needs"), blank=True)
    # Kept after erasure.
    wanted_at = models.DateTimeField(_("time wanted"))
    department = models.ForeignKey(
        "organizations.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The patient's link: only the SHA-256 of its token is stored.
    token_digest = models.CharField(max_length=64, unique=True)

    volunteer = models.ForeignKey(
        "volunteering.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escort_requests",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The first assignment (the figure "time to assignment"); a reassignment keeps it.
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome_note = models.TextField(_("note"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason"), max_length=255, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=255, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    erased_at = models.DateTimeField(_("patient details erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("escort request")
        verbose_name_plural = _("escort requests")
        ordering = ["wanted_at", "pk"]
        indexes = [
            models.Index(fields=["status", "wanted_at"]),
            models.Index(fields=["organization", "created_at"]),
            models.Index(fields=["volunteer", "status"]),
            models.Index(fields=["erased_at", "created_at"]),
            # Figures by period (escorts done / cancelled in a date range of a subtree) and the
            # dispatch screen's done / cancelled lists: the status first, so SQLite without
            # statistics does not walk every done request through the (status, wanted_at) index;
            # the organisation last, so counts are read from the index alone.
            models.Index(fields=["status", "done_at", "organization"]),
            models.Index(fields=["status", "cancelled_at", "organization"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="escort_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "cancelled"]) | Q(volunteer__isnull=False),
                name="escort_assigned_has_volunteer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} · {self.wanted_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def patient_masked(self) -> str:
        """The patient's surname and a star: what lists of records show."""
        if self.is_erased or not self.patient_name:
            return "—"
        return self.patient_name[0] + "*" * max(1, len(self.patient_name) - 1)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone) if self.phone else "—"

    @property
    def closed_at(self):
        return self.done_at or self.cancelled_at
