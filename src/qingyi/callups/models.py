"""Call-ups (应急动员): an urgent request for volunteers, sent to chosen volunteers who answer.

A call-up owns a volunteering ``Project``: its posts are volunteering ``Post``s, each with one
``Shift`` whose capacity is the number of people needed. Filling a post assigns a responder to
that shift through volunteering's ``signup_assign``, so capacity, overlap and qualification
rules hold, and the place becomes a normal sign-up (and later a service record).

Triage (预检分诊) is a nurse's duty; volunteers only assist (RULES.md, 志愿服务条例): the
``triage_assist`` kind carries that notice on the page and in the message.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingyi.core.models import TimeStampedModel

TRIAGE_NOTICE = _("Triage is a nurse's duty: volunteers only assist (queue guidance, temperature checks).")


class CallUp(TimeStampedModel):
    class Kind(models.TextChoices):
        SAMPLING = "sampling", _("Sampling")
        VACCINATION = "vaccination", _("Vaccination")
        TRIAGE_ASSIST = "triage_assist", _("Triage assistance")
        FIELD_HOSPITAL = "field_hospital", _("Field hospital")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="callups",
    )
    project = models.OneToOneField(
        "volunteering.Project", on_delete=models.PROTECT, related_name="callup", editable=False
    )
    message = models.TextField(_("message"), blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    first_sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("call-up")
        verbose_name_plural = _("call-ups")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["organization", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="callup_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_triage(self) -> bool:
        return self.kind == self.Kind.TRIAGE_ASSIST

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def triage_notice(self) -> str:
        return str(TRIAGE_NOTICE) if self.is_triage else ""


class Response(TimeStampedModel):
    """One volunteer the call-up was sent to, and their answer (none yet, accepted, declined).

    ``responded_at`` is the time of the first answer: the response time runs from ``sent_at``
    to it. The answer may change until the volunteer is given a place or the call-up closes.
    """

    class Answer(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    callup = models.ForeignKey(CallUp, on_delete=models.CASCADE, related_name="responses")
    volunteer = models.ForeignKey("volunteering.Volunteer", on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"))
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, default=Answer.PENDING)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    changed_at = models.DateTimeField(_("answer changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call-up response")
        verbose_name_plural = _("call-up responses")
        ordering = ["responded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["callup", "volunteer"], name="one_response_per_callup")
        ]
        indexes = [models.Index(fields=["callup", "answer"]), models.Index(fields=["responded_at"])]

    def __str__(self) -> str:
        return f"{self.callup} · {self.volunteer} · {self.answer}"

    @property
    def minutes_to_answer(self) -> float | None:
        if self.responded_at is None:
            return None
        return round((self.responded_at - self.sent_at).total_seconds() / 60, 1)
