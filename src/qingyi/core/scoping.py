"""Who may do what, where: roles, their permissions, and the fail-closed query guard.

This is the ground floor of "what may this user see and do" (organizations/scoping.py builds
the rest on it and is the module the apps import).

A user holds roles over organisations, and a role reaches that organisation's subtree. Roles map
to permission sets in one table (``ROLE_PERMISSIONS``); a user's grants are read once per user
object, each as a role and the materialised path of its organisation. ``has_perm`` and
``scope_paths`` answer from those paths alone, so this module needs no other app: the rows that
lie in a subtree (``scope()``, ``get_object_for_user()``, ``subtree_ids()``) are found by
``qingyi.organizations.scoping``, next to the organisation tree.

Scoping fails closed (the idea of django-scopes, written our own way). The models that hold
a person's identity — ``Person`` (ID numbers, phones, birth dates), ``Volunteer`` (the same for
social volunteers) and ``EscortRequest`` (patients) — use ``ScopedQuerySet``. During a request
(``ScopeMiddleware``) such a queryset may only be evaluated when it came through ``scope()`` or
``get_object_for_user()``, through a related manager of an object already held (``person.x_set``),
or inside ``unscoped(reason)`` / ``.unscoped(reason)`` for reads that cross scope on purpose
(duplicate checks, the user's own record, figures of an organisation already checked).
Otherwise ``ScopeError`` is raised when ``QINGYI_SCOPES_STRICT`` is on (tests), or a warning is
logged (production). Outside requests (commands, tasks, tests calling services) nothing is
checked.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

_M = TypeVar("_M", bound=Model)
_unscoped: ContextVar[str | None] = ContextVar("qingyi_unscoped", default=None)
_in_request: ContextVar[bool] = ContextVar("qingyi_scoped_request", default=False)
logger = logging.getLogger(__name__)


class Role(models.TextChoices):
    """The roles a user may hold over an organisation (``accounts.RoleAssignment.role``)."""

    COMMITTEE_ADMIN = "committee_admin", _("Committee admin")
    ORG_ADMIN = "org_admin", _("Organisation admin")
    COORDINATOR = "coordinator", _("Coordinator")
    MEMBER = "member", _("Member")


# Permission names: "<area>.<action>".
ORG_VIEW = "org.view"
ORG_MANAGE = "org.manage"
PEOPLE_VIEW = "people.view"
PEOPLE_MANAGE = "people.manage"
PEOPLE_IMPORT = "people.import"
PEOPLE_EXPORT = "people.export"
PEOPLE_SENSITIVE = "people.sensitive"  # unmasked ID numbers
CADRES_MANAGE = "cadres.manage"
TRANSFERS_DECIDE = "transfers.decide"
METRICS_VIEW = "metrics.view"
SETTINGS_MANAGE = "settings.manage"
VOLUNTEERING_MANAGE = "volunteering.manage"
ACTIVITIES_VIEW = "activities.view"  # league activities, attendance, calendar, publicity
ACTIVITIES_MANAGE = "activities.manage"
GROWTH_MANAGE = "growth.manage"  # cadre training, contests, self-inspection checklists

_ORG_ADMIN = {
    ORG_VIEW,
    ORG_MANAGE,
    PEOPLE_VIEW,
    PEOPLE_MANAGE,
    PEOPLE_IMPORT,
    PEOPLE_EXPORT,
    PEOPLE_SENSITIVE,
    CADRES_MANAGE,
    TRANSFERS_DECIDE,
    METRICS_VIEW,
    ACTIVITIES_VIEW,
    ACTIVITIES_MANAGE,
    GROWTH_MANAGE,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.COMMITTEE_ADMIN: frozenset(_ORG_ADMIN | {SETTINGS_MANAGE, VOLUNTEERING_MANAGE}),
    # Org admins manage volunteer service within their subtree too.
    Role.ORG_ADMIN: frozenset(_ORG_ADMIN | {VOLUNTEERING_MANAGE}),
    Role.COORDINATOR: frozenset({ORG_VIEW, PEOPLE_VIEW, METRICS_VIEW, VOLUNTEERING_MANAGE}),
    Role.MEMBER: frozenset(),
}


@dataclass(frozen=True)
class Grant:
    role: str
    organization_id: int
    path: str


def grants(user) -> list[Grant]:
    """The user's role assignments, loaded once per user object (one query, through the
    user's ``role_assignments``: accounts.RoleAssignment's foreign key to the user)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_qingyi_grants", None)
    if cached is None:
        cached = [
            Grant(role, org_id, path)
            for role, org_id, path in user.role_assignments.filter(
                organization__archived_at__isnull=True
            ).values_list("role", "organization_id", "organization__path")
        ]
        user._qingyi_grants = cached
    return cached


def forget_grants(user) -> None:
    if hasattr(user, "_qingyi_grants"):
        del user._qingyi_grants


def _top_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path of the list."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(top) for top in result):
            result.append(path)
    return result


def scope_paths(user, perm: str) -> list[str]:
    """Materialised paths of the subtrees in which the user holds ``perm``."""
    return _top_paths(g.path for g in grants(user) if perm in ROLE_PERMISSIONS.get(g.role, ()))


def has_perm(user, perm: str, organization=None) -> bool:
    """Does the user hold ``perm`` over ``organization`` (or anywhere, when None)?"""
    paths = scope_paths(user, perm)
    if organization is None:
        return bool(paths)
    return any(organization.path.startswith(p) for p in paths)


def roles(user) -> set[str]:
    return {g.role for g in grants(user)}


def require_perm(user, perm: str, organization=None) -> None:
    if not has_perm(user, perm, organization):
        raise PermissionDenied


@contextmanager
def unscoped(reason: str) -> Iterator[None]:
    """Read across scope on purpose (a duplicate check, a job): ``reason`` says why."""
    if not reason:
        raise ValueError("say why the read crosses scope")
    token = _unscoped.set(reason)
    try:
        yield
    finally:
        _unscoped.reset(token)


@contextmanager
def scoped_request() -> Iterator[None]:
    """Mark the code run inside as serving a request (``ScopeMiddleware``)."""
    token = _in_request.set(True)
    try:
        yield
    finally:
        _in_request.reset(token)


class ScopeError(Exception):
    """Organisation data queried during a request without the scoping helpers."""


def mark_scoped(queryset: QuerySet[_M]) -> QuerySet[_M]:
    """Mark a queryset as having come through the scoping helpers (``organizations.scoping.scope``)."""
    if isinstance(queryset, ScopedQuerySet):
        queryset._qingyi_scoped = True
    return queryset


class ScopedQuerySet(QuerySet[_M]):
    """A queryset whose evaluation during a request needs the scoping helpers (module doc)."""

    _qingyi_scoped = False

    def unscoped(self, reason: str) -> ScopedQuerySet[_M]:
        """This query crosses scope on purpose; ``reason`` says why."""
        if not reason:
            raise ValueError("say why the read crosses scope")
        clone = self.all()  # a copy that keeps this queryset's filters
        clone._qingyi_scoped = True
        return clone

    def _clone(self):
        clone = super()._clone()  # type: ignore[misc]  # private in Django, absent from the stubs
        clone._qingyi_scoped = self._qingyi_scoped
        return clone

    def _check_scope(self) -> None:
        if (
            self._qingyi_scoped
            or not _in_request.get()
            or _unscoped.get()
            or "instance" in getattr(self, "_hints", {})  # a related manager of an object already held
            or self.query.is_empty()
            # A service locking the row it has just checked the actor for.
            or self.query.select_for_update
        ):
            return
        message = (
            f"{self.model.__name__} queried outside the scoping helpers: use scoping.scope() or "
            "get_object_for_user(), or say why it crosses scope with scoping.unscoped(reason)"
        )
        if getattr(settings, "QINGYI_SCOPES_STRICT", False):
            raise ScopeError(message)
        logger.warning(message, stack_info=True)

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def count(self) -> int:
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)
