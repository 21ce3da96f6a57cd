"""``manage.py backup PATH``: the database and the uploaded files in one archive (see qingyi.ops.backup)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qingyi.ops import backup


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files (MEDIA_ROOT) into one .tar.gz archive with a "
        "manifest; safe while Qingyi runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive to write, e.g. /backup/qingyi-$(date +%%F).tar.gz")

    def handle(self, *args, path: str, **options):
        try:
            outcome = backup.backup(Path(path))
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = outcome.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up to {outcome.path} in {outcome.seconds:.1f} s: "
                f"{outcome.path.stat().st_size / 1e6:.1f} MB, {manifest['engine']} "
                f"({manifest['database']['method']}), {sum(manifest['row_counts'].values())} rows in "
                f"{len(manifest['row_counts'])} tables, {len(manifest['files'])} files."
            )
        )
