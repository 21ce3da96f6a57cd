"""League activities (理论学习, 主题团日, 三会两制一课, 文体, 关爱), their attendance,
registrations, files, and publicity posts (微信公众号推文)."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingyi.core.models import TimeStampedModel


class Activity(TimeStampedModel):
    """One activity of a league organisation (or several organising it together)."""

    class Kind(models.TextChoices):
        THEORY_STUDY = "theory_study", _("Theory study session")
        THEMED_DAY = "themed_day", _("Themed league day")
        GENERAL_MEETING = "general_meeting", _("Branch general meeting")
        COMMITTEE_MEETING = "committee_meeting", _("Branch committee meeting")
        GROUP_MEETING = "group_meeting", _("Group meeting")
        LEAGUE_LECTURE = "league_lecture", _("League lecture")
        CULTURE_SPORTS = "culture_sports", _("Culture and sports event")
        CARE = "care", _("Care event")

    # Kinds that may open a registration with capacity and waiting list (关爱活动, 文体活动).
    REGISTRATION_KINDS = (Kind.CULTURE_SPORTS, Kind.CARE)

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    theme = models.CharField(_("theme"), max_length=200, blank=True)
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    # The lead organiser; every organiser (the lead included) is in ``organizers``.
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("lead organiser"),
        on_delete=models.PROTECT,
        related_name="activities_led",
    )
    organizers = models.ManyToManyField(
        "organizations.Organization",
        verbose_name=_("organisers"),
        through="ActivityOrganizer",
        related_name="activities",
    )
    # Set when the activity is held jointly with a party branch (党建带团建 "1+1+N").
    party_branch = models.ForeignKey(
        "organizations.PartyBranch",
        verbose_name=_("paired party branch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="joint_activities",
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    summary = models.TextField(_("minutes or summary"), blank=True)
    # A general meeting's quorum (more than half the members present); None: not known.
    quorum_met = models.BooleanField(_("quorum met"), null=True, blank=True)
    held_recorded_at = models.DateTimeField(_("recorded as held at"), null=True, blank=True)
    # Cancelled (planned activities only): kept in the lists, left out of every count.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    # Registration (care, culture and sports events).
    registration_open = models.BooleanField(_("registration open"), default=False)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["organization", "starts_at"]),
            models.Index(fields=["kind", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")), name="activity_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_joint(self) -> bool:
        return self.party_branch_id is not None

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def allows_registration(self) -> bool:
        return self.kind in self.REGISTRATION_KINDS

    @property
    def checkin_subject(self) -> str:
        """The subject of its QR codes in the shared check-in mechanism (core.checkin)."""
        return f"activity:{self.pk}"


class ActivityOrganizer(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="organizer_links")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="activity_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "organization"], name="unique_activity_organizer")
        ]
        indexes = [models.Index(fields=["organization", "activity"])]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.organization_id}"


class Attendance(models.Model):
    """Whether a person expected at an activity came, was excused or was absent."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    class Source(models.TextChoices):
        QR = "qr", _("QR check-in")
        LIST = "list", _("Attendance list")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    source = models.CharField(_("recorded by"), max_length=10, choices=Source.choices, default=Source.LIST)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="one_attendance_per_person")
        ]
        indexes = [models.Index(fields=["person", "activity"]), models.Index(fields=["activity", "status"])]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.person_id} · {self.status}"


class Registration(TimeStampedModel):
    """A person's registration for a care or culture event; waiting when the places are taken."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    # Place in the queue: the time of the (latest) registration; the waiting list moves in this order.
    queued_at = models.DateTimeField(_("registered at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="one_registration_per_person")
        ]
        indexes = [models.Index(fields=["activity", "status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.person_id} · {self.status}"


def _file_path(instance: ActivityFile, filename: str) -> str:
    """A generated name under MEDIA_ROOT; the uploaded name is kept only as text."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"activities/{instance.activity_id}/{uuid.uuid4().hex}{suffix}"


class ActivityFile(TimeStampedModel):
    """A photo or a document of an activity, served only to those who may see the activity."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Photo")
        DOCUMENT = "document", _("Document")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_file_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("activity file")
        verbose_name_plural = _("activity files")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class Publication(TimeStampedModel):
    """A publicity post (微信公众号推文 and other channels), counted by category and organisation."""

    class Channel(models.TextChoices):
        WECHAT = "wechat", _("WeChat official account")
        VIDEO = "video", _("Video account")
        WEIBO = "weibo", _("Weibo")
        WEBSITE = "website", _("Hospital website")
        OTHER = "other", _("Other")

    class Category(models.TextChoices):
        STUDY = "study", _("Theory study")
        NEWS = "news", _("League work news")
        VOLUNTEERING = "volunteering", _("Volunteer service")
        ROLE_MODELS = "role_models", _("Role models and honours")
        CARE = "care", _("Care for young staff")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="publications",
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WECHAT)
    title = models.CharField(_("title"), max_length=200)
    published_on = models.DateField(_("published on"))
    link = models.URLField(_("link"), max_length=500, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.NEWS)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("publicity post")
        verbose_name_plural = _("publicity posts")
        ordering = ["-published_on", "-pk"]
        indexes = [
            models.Index(fields=["organization", "published_on"]),
            models.Index(fields=["published_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "title", "published_on"], name="one_publication_per_channel_title_day"
            )
        ]

    def __str__(self) -> str:
        return self.title
