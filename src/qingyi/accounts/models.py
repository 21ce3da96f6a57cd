from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qingyi.core.models import TimeStampedModel
from qingyi.core.scoping import Role

__all__ = ["ApiToken", "Role", "RoleAssignment", "User"]


class User(AbstractUser):
    """A login. ``username`` is the employee number (or another login name); people may
    also log in with their phone number."""

    phone = models.CharField(_("phone"), max_length=20, unique=True, null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        person = getattr(self, "person", None)
        return person.name if person else (self.get_full_name() or self.username)


class RoleAssignment(TimeStampedModel):
    """A role a user holds over an organisation and its subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="role_assignments"
    )

    # Who granted or removed which role, and when.
    history = HistoricalRecords()
    # Set by services before a save or delete so the history row names who did it (and why).
    _history_user: Any
    _change_reason: str

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "organization"], name="unique_role_assignment")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(TimeStampedModel):
    """A personal API token. Only its SHA-256 digest is stored; the token is shown once."""

    PREFIX = "qy_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, digest=_digest(raw), hint=raw[:8])
        return token, raw

    @classmethod
    def find_active(cls, raw: str) -> ApiToken | None:
        return (
            cls.objects.select_related("user")
            .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
