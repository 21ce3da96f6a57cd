"""``manage.py restore PATH``: restore a backup archive into an empty instance (see qingyi.ops.backup)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingyi.ops import backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into this instance, which must be empty "
        "(unless --force); then check every table's row count and every file's checksum. Stop the "
        "web servers and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive written by manage.py backup.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that holds data; the media folder present is set aside "
            "(renamed media.before-restore-TIME), not deleted.",
        )

    def handle(self, *args, path: str, force: bool, **options):
        try:
            outcome = backup.restore(Path(path), force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = outcome.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {outcome.path} (made {manifest['created_at']}) in {outcome.seconds:.1f} s: "
                f"{sum(manifest['row_counts'].values())} rows in {len(manifest['row_counts'])} tables and "
                f"{len(manifest['files'])} files, all checked against the manifest."
            )
        )
