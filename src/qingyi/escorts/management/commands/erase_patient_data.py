"""Erase escort patients' details past the committee's retention period.

Run it daily (cron or a scheduler): ``manage.py erase_patient_data``. It is idempotent: a
request already erased is left alone. ``--enqueue`` hands the work to the task worker
instead; ``--dry-run`` only counts.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from qingyi.escorts import services
from qingyi.escorts.tasks import erase_patient_data


class Command(BaseCommand):
    help = "Erase escort patients' names, phones and needs past the retention period (keeps the counts)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be erased.")
        parser.add_argument("--enqueue", action="store_true", help="Run it in the background task worker.")

    def handle(self, *args, dry_run: bool = False, enqueue: bool = False, **options):
        days = services.retention_days()
        if dry_run:
            n = services.erasable().count()
            self.stdout.write(f"{n} escort request(s) would be erased (retention {days} days).")
            return
        if enqueue:
            result = erase_patient_data.enqueue()
            self.stdout.write(f"Erasure enqueued (task {result.id}).")
            return
        n = services.escorts_erase_patient_data()
        self.stdout.write(
            self.style.SUCCESS(
                f"Erased the patient details of {n} escort request(s) (retention {days} days)."
            )
        )
