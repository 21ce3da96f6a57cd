"""Notifications: in the platform (the bell), by e-mail, and through pluggable channels.

Every domain tells people things the same way, with one call::

    from qingyi.core.notifications import notify

    notify(
        users=[volunteer_user],
        title=_("You are assigned to an escort"),
        body=_("Tomorrow 9:00, outpatient hall."),
        link=reverse("escorts:detail", args=[escort.pk]),
        category=CATEGORY_ASSIGNMENT,
    )

``notify`` stores one ``core.Notification`` per recipient (inside the caller's transaction,
so a rolled-back write notifies nobody) and, once the transaction commits, enqueues one
background task (django-tasks) that sends them through the channels. A channel that fails
is logged and skipped: the in-platform notification is already stored and stays.

Channels are the classes named in ``settings.QINGYI_NOTIFICATION_CHANNELS`` (environment
variable of the same name, comma-separated dotted paths). The default is e-mail (Django's
mail, to the user's address when they have one) and the console channel, which stands in
for SMS or WeChat and writes the message to standard output. An SMS or WeChat gateway is a
subclass of ``Channel`` with a ``name`` and a ``send(notification)`` that calls the
provider and returns whether it sent something (``False`` when the user has no number);
list its dotted path in the setting. ``notify(..., channels=("sms",))`` restricts a
message to some channels by name; ``channels=()`` keeps it in the platform only.

Reminders before a shift (volunteering's call site)
--------------------------------------------------
The volunteering domain decides *when* to remind and *whom*; this module only delivers.
Pass a ``key`` naming the occasion, unique per recipient — for example
``key=f"shift-reminder:{signup.pk}"`` — and ``notify`` stores it at most once per user, so a
reminder job that runs twice (a retry, two workers, a cron overlap) never reminds twice::

    # volunteering/tasks.py — run every few minutes (worker, cron or management command)
    for signup in signups_starting_within(hours=24).filter(status=Signup.Status.CONFIRMED):
        notify(
            users=[signup.volunteer.user],
            title=_("Reminder: your shift starts at %(time)s") % {...},
            link=reverse("volunteering:shift_detail", args=[signup.shift_id]),
            category=CATEGORY_REMINDER,
            key=f"shift-reminder:{signup.pk}",
        )

Alternatively, enqueue a task of your own with ``.using(run_after=shift.start - 24h)`` that
re-reads the sign-up (it may be cancelled by then) and calls ``notify``; the key keeps it
idempotent either way.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from qingyi.core.models import Notification

logger = logging.getLogger("qingyi.notifications")

# Categories other domains use (free text is allowed; these are the known ones).
CATEGORY_ASSIGNMENT = "assignment"
CATEGORY_WAITING_LIST = "waiting_list"
CATEGORY_CALL_UP = "call_up"
CATEGORY_REMINDER = "reminder"
CATEGORY_ESCORT = "escort"

TITLE_MAX = Notification._meta.get_field("title").max_length
LINK_MAX = Notification._meta.get_field("link").max_length


# --- Channels ---------------------------------------------------------------------------


class Channel:
    """A way of sending a stored notification outside the platform.

    Subclasses set ``name`` (unique among the configured channels) and implement ``send``,
    which returns True when something was sent and False when it does not apply (no
    address). An exception means the channel failed; ``deliver`` logs it and goes on.
    """

    name: str = ""

    def send(self, notification: Notification) -> bool:  # pragma: no cover - interface
        raise NotImplementedError


def absolute_link(link: str) -> str:
    """A link for outside the platform: site-relative links get ``QINGYI_SITE_URL`` in front."""
    base = getattr(settings, "QINGYI_SITE_URL", "")
    return f"{base.rstrip('/')}{link}" if link.startswith("/") and base else link


def plain_text(notification: Notification) -> str:
    parts = [notification.body] if notification.body else []
    if notification.link:
        parts.append(absolute_link(notification.link))
    return "\n\n".join(parts) or notification.title


class EmailChannel(Channel):
    """Django's mail (``EMAIL_BACKEND``), to the recipient's e-mail address if they have one."""

    name = "email"

    def send(self, notification: Notification) -> bool:
        address = (notification.recipient.email or "").strip()
        if not address:
            return False
        send_mail(
            subject=notification.title,
            message=plain_text(notification),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
            fail_silently=False,
        )
        return True


class ConsoleChannel(Channel):
    """Stands in for SMS or WeChat: writes the message, with the recipient's phone, to stdout."""

    name = "console"

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, notification: Notification) -> bool:
        stream = self.stream or sys.stdout
        recipient = notification.recipient
        stream.write(
            f"[notification → {recipient.get_username()} {recipient.phone or '-'}] "
            f"{notification.title}: {plain_text(notification)}\n"
        )
        stream.flush()
        return True


@lru_cache(maxsize=8)
def _load_channels(paths: tuple[str, ...]) -> tuple[Channel, ...]:
    loaded: list[Channel] = []
    for path in paths:
        try:
            channel_class = import_string(path)
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"QINGYI_NOTIFICATION_CHANNELS: cannot import {path!r}: {exc}"
            ) from exc
        if (
            not (isinstance(channel_class, type) and issubclass(channel_class, Channel))
            or not channel_class.name
        ):
            raise ImproperlyConfigured(
                f"QINGYI_NOTIFICATION_CHANNELS: {path!r} is not a subclass of "
                "qingyi.core.notifications.Channel with a name"
            )
        if any(c.name == channel_class.name for c in loaded):
            raise ImproperlyConfigured(
                f"QINGYI_NOTIFICATION_CHANNELS: two channels are named {channel_class.name!r}"
            )
        loaded.append(channel_class())
    return tuple(loaded)


def configured_channels() -> tuple[Channel, ...]:
    return _load_channels(tuple(getattr(settings, "QINGYI_NOTIFICATION_CHANNELS", ())))


def _channel_names(channels: Sequence[str] | None) -> list[str]:
    available = [c.name for c in configured_channels()]
    if channels is None:
        return available
    unknown = [name for name in channels if name not in available]
    if unknown:
        # Asking for a channel that is not configured is not an error: it is skipped, and said.
        logger.warning("Notification channels not configured, skipped: %s", ", ".join(unknown))
    return [name for name in channels if name in available]


# --- Writing ------------------------------------------------------------------------------


def notify(
    *,
    users: Iterable,
    title: str,
    body: str = "",
    link: str = "",
    category: str = "",
    channels: Sequence[str] | None = None,
    key: str = "",
) -> list[Notification]:
    """Store a notification for each active user and send it through the channels after commit.

    ``channels``: None for every configured channel, a sequence of channel names to restrict
    it, ``()`` for the platform only. ``key``: store at most one notification per user and
    key (reminders). Returns the notifications stored now (not those already stored under
    ``key``).
    """
    title = str(title).strip()
    if not title:
        raise ValueError("A notification needs a title.")
    recipients = {u.pk: u for u in users if u is not None and getattr(u, "is_active", True)}
    if not recipients:
        return []
    names = _channel_names(channels)
    with transaction.atomic():
        wanted = list(recipients)
        if key:
            already = set(
                Notification.objects.filter(key=key, recipient_id__in=wanted).values_list(
                    "recipient_id", flat=True
                )
            )
            wanted = [pk for pk in wanted if pk not in already]
        rows = [
            Notification(
                recipient_id=pk,
                title=title[:TITLE_MAX],
                body=str(body),
                link=str(link)[:LINK_MAX],
                category=category,
                key=key,
            )
            for pk in wanted
        ]
        try:
            with transaction.atomic():
                created = Notification.objects.bulk_create(rows)
        except IntegrityError:
            # Another run stored some of the same (recipient, key) meanwhile: keep the rest.
            created = []
            for row in rows:
                try:
                    with transaction.atomic():
                        row.save()
                except IntegrityError:
                    continue
                created.append(row)
        ids = [n.pk for n in created]
        if ids and names:
            transaction.on_commit(lambda: _enqueue_delivery(ids, names))
    return created


def _enqueue_delivery(ids: list[int], names: list[str]) -> None:
    try:
        deliver_notifications.enqueue(ids, names)
    except Exception:
        # The notifications are stored and shown in the platform; only sending them is lost.
        logger.exception("Could not enqueue delivery of notifications %s", ids)


@task()
def deliver_notifications(notification_ids: list[int], channel_names: list[str]) -> dict[str, int]:
    """Background task: send stored notifications through the channels (calls ``notifications_deliver``)."""
    return notifications_deliver(notification_ids=notification_ids, channel_names=channel_names)


def notifications_deliver(*, notification_ids: Sequence[int], channel_names: Sequence[str]) -> dict[str, int]:
    """Send each notification through each named channel; a failure is logged and skipped.

    Returns how many were sent per channel (and ``failed``).
    """
    channels = [c for c in configured_channels() if c.name in set(channel_names)]
    sent = {c.name: 0 for c in channels} | {"failed": 0}
    notifications = Notification.objects.filter(pk__in=list(notification_ids)).select_related("recipient")
    for notification in notifications:
        for channel in channels:
            try:
                if channel.send(notification):
                    sent[channel.name] += 1
            except Exception:
                sent["failed"] += 1
                logger.exception(
                    "Notification %s to user %s: channel %r failed",
                    notification.pk,
                    notification.recipient_id,
                    channel.name,
                )
    return sent


def notification_mark_read(*, notification: Notification, actor) -> Notification:
    """Mark one of the actor's own notifications read (idempotent)."""
    if notification.recipient_id != actor.pk:
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; returns how many."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Reading ------------------------------------------------------------------------------


def notifications_for(user) -> QuerySet[Notification]:
    """The user's own notifications, newest first; nobody sees anyone else's."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    """One indexed COUNT (recipient, read_at)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
