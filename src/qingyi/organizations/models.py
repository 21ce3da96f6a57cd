from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from qingyi.core.models import TimeStampedModel


class RosterStatus(models.TextChoices):
    """A person's standing on an organisation's roster (``people.Person.status``, named there
    ``Person.Status``). It stands here, with the tree, because the tree counts its active members
    (branch sizes, the archive check) through ``Organization.people`` without importing people."""

    ACTIVE = "active", _("Active")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    AGED_OUT = "aged_out", _("Aged out")
    LEFT = "left", _("Left")


class PartyBranch(TimeStampedModel):
    """党支部: the party branch that leads a league organisation (对口联系, 党建带团建)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    secretary = models.CharField(_("secretary"), max_length=50, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("party branch")
        verbose_name_plural = _("party branches")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(TimeStampedModel):
    """科室: a hospital department, so figures can be cut by department."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=20, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organization(MP_Node, TimeStampedModel):
    """团委 / 团总支 / 团支部, in one tree with a materialised path (treebeard)."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Committee")
        GENERAL_BRANCH = "general_branch", _("General branch")
        BRANCH = "branch", _("Branch")

    # Which child kinds each kind allows (团章 art. 23–27).
    ALLOWED_CHILDREN: dict[str, tuple[str, ...]] = {
        Kind.COMMITTEE: (Kind.GENERAL_BRANCH, Kind.BRANCH),
        Kind.GENERAL_BRANCH: (Kind.BRANCH,),
        Kind.BRANCH: (),
    }

    steplen = 4

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    party_branch = models.ForeignKey(
        PartyBranch,
        verbose_name=_("paired party branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
    )
    is_student = models.BooleanField(
        _("student branch"), default=False, help_text=_("Student branches have one-year terms.")
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]
        indexes = [
            # LIKE 'path%' on PostgreSQL needs a pattern index unless the collation is C.
            models.Index(fields=["path"], name="org_path_pattern", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def allows_child(self, kind: str) -> bool:
        return kind in self.ALLOWED_CHILDREN.get(self.kind, ())

    # Reads of the tree by materialised path: each one indexed query.
    def children(self):
        return Organization.objects.filter(path__startswith=self.path, depth=self.depth + 1)

    def parent(self) -> Organization | None:
        if self.depth <= 1:
            return None
        return Organization.objects.get(path=self.path[: -self.steplen])

    def ancestors(self):
        prefixes = [self.path[: d * self.steplen] for d in range(1, self.depth)]
        return Organization.objects.filter(path__in=prefixes).order_by("depth")

    def is_descendant_path(self, other: Organization) -> bool:
        """Is ``self`` inside the subtree of ``other`` (or ``other`` itself)?"""
        return self.path.startswith(other.path)

    @property
    def hospital_path(self) -> str:
        """The path of the root this organisation belongs to: its hospital's committee."""
        return self.path[: self.steplen]

    def same_hospital(self, other: Organization) -> bool:
        """Do ``self`` and ``other`` belong to one hospital (one tree)? The rule for transfers."""
        return self.hospital_path == other.hospital_path


class Position(TimeStampedModel):
    """团干部: a person's post in an organisation's committee, with its term dates."""

    class Title(models.TextChoices):
        SECRETARY = "secretary", _("Secretary")
        DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
        ORGANIZATION = "organization", _("Organisation member")
        PUBLICITY = "publicity", _("Publicity member")
        CULTURE_SPORTS = "culture_sports", _("Culture and sports member")
        YOUTH_WORK = "youth_work", _("Youth work member")
        MEMBER = "member", _("Committee member")

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="positions")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="positions")
    title = models.CharField(_("position"), max_length=30, choices=Title.choices)
    start_on = models.DateField(_("from"))
    end_on = models.DateField(_("until"), null=True, blank=True)
    election = models.ForeignKey(
        "Election", on_delete=models.SET_NULL, null=True, blank=True, related_name="positions"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["-start_on"]
        indexes = [models.Index(fields=["organization", "end_on"]), models.Index(fields=["person", "end_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_on__isnull=True) | models.Q(end_on__gte=models.F("start_on")),
                name="position_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} · {self.get_title_display()}"

    def state_on(self, day: dt.date) -> str:
        if self.start_on > day:
            return "future"
        if self.end_on is not None and self.end_on < day:
            return "past"
        return "current"


class Election(TimeStampedModel):
    """换届: an organisation's election, held on a date, opening a new term."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="elections")
    held_on = models.DateField(_("held on"))
    due_on = models.DateField(_("was due on"), null=True, blank=True)
    term_years = models.PositiveSmallIntegerField(_("term (years)"))
    result = models.TextField(_("result"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        ordering = ["-held_on"]
        get_latest_by = "held_on"

    def __str__(self) -> str:
        return f"{self.organization} · {self.held_on}"
