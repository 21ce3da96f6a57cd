from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Setting(models.Model):
    """The committee's value for one of the rule settings declared in ``core.rules.SETTINGS``."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    value = models.JSONField(_("value"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("setting")
        verbose_name_plural = _("settings")

    def __str__(self) -> str:
        return self.key


class Scan(models.Model):
    """One QR scan received for a check-in subject (a shift, an activity ...).

    Scans made offline are sent later with their original time and a client-chosen id;
    the id is unique, so a replayed scan is recognised and never counted twice.
    """

    class Result(models.TextChoices):
        CHECKED_IN = "checked_in", _("Checked in")
        CHECKED_OUT = "checked_out", _("Checked out")
        REFUSED = "refused", _("Refused")

    client_id = models.CharField(max_length=64, unique=True)
    subject = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scans")
    scanned_at = models.DateTimeField(_("scanned at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    offline = models.BooleanField(default=False)
    result = models.CharField(max_length=20, choices=Result.choices)
    message = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [models.Index(fields=["user", "scanned_at"])]

    def __str__(self) -> str:
        return f"{self.subject} · {self.user_id} · {self.result}"


class Notification(models.Model):
    """A message to one user, shown in the platform (the bell) and sent through the channels.

    Written by ``core.notifications.notify``; only its recipient sees it or marks it read.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    category = models.CharField(_("category"), max_length=40, blank=True)
    # Optional: one notification per (recipient, key), so a reminder sent twice is stored once.
    key = models.CharField(_("key"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell: unread count of one user; the list: one user's newest first.
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~models.Q(key=""), name="notification_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} · {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
