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
