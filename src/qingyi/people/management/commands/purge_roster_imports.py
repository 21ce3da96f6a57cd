"""Delete roster imports (and their uploaded files) past ``QINGYI_IMPORT_RETENTION_DAYS``.

Every upload purges too; run this daily (cron or a scheduler) so that files are not kept
when nobody imports: ``manage.py purge_roster_imports``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from qingyi.people.importing import roster_imports_purge


class Command(BaseCommand):
    help = "Delete roster imports older than the retention period (QINGYI_IMPORT_RETENTION_DAYS)."

    def handle(self, *args, **options):
        deleted = roster_imports_purge()
        days = settings.QINGYI_IMPORT_RETENTION_DAYS
        self.stdout.write(self.style.SUCCESS(f"Deleted {deleted} roster import(s) older than {days} days."))
