"""Remind confirmed volunteers of shifts starting within the committee's reminder window.

Run it every few minutes (cron or a scheduler): ``manage.py send_shift_reminders``. Each
sign-up is reminded once, however often it runs. ``--enqueue`` hands the work to the task
worker instead; ``--hours`` overrides the window (setting ``volunteer_reminder_hours``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from qingyi.volunteering import services
from qingyi.volunteering.tasks import send_shift_reminders


class Command(BaseCommand):
    help = "Remind confirmed volunteers of their shifts starting soon (once per sign-up)."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=None, help="Window in hours (default: the setting).")
        parser.add_argument("--enqueue", action="store_true", help="Run it in the background task worker.")

    def handle(self, *args, hours: int | None = None, enqueue: bool = False, **options):
        if enqueue:
            result = send_shift_reminders.enqueue()
            self.stdout.write(f"Reminders enqueued (task {result.id}).")
            return
        n = services.shift_reminders_send(hours=hours)
        self.stdout.write(self.style.SUCCESS(f"Sent {n} shift reminder(s)."))
