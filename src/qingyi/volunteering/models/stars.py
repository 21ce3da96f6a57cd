"""Star levels: announced (公示), then awarded.

RULES.md: star levels by verified hours are announced before they are awarded. A
coordinator announces the volunteers whose verified hours reached a level above the one
awarded; the announcement is shown to the hospital for the notice period
(``volunteer_star_notice_days``), anyone logged in may object, and after the period the
coordinator awards. Services: volunteering/services/stars.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingyi.core.models import TimeStampedModel
from qingyi.volunteering.models.volunteers import Volunteer


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
