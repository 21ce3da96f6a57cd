"""Backup and restore of a whole instance: the database and the uploaded files, one archive.

The archive (``.tar.gz``) holds ``manifest.json``, the database and ``media/``:

- SQLite: ``database.sqlite3``, a copy made with SQLite's online backup API
  (``sqlite3.Connection.backup``), consistent while the app writes (WAL);
- PostgreSQL: ``database.dump``, ``pg_dump`` custom format (``-Fc``), run inside a
  REPEATABLE READ transaction whose snapshot it shares (``pg_export_snapshot`` and
  ``pg_dump --snapshot``), so the dump and the row counts of the manifest see one moment.
  ``dumpdata`` is not used: it is neither one snapshot nor exact (sequences, history rows);
  the PostgreSQL client tools come with any PostgreSQL installation.

The manifest records the format, the Qingyi version, the time, the database engine, the
migrations applied, the row count of every table, and the SHA-256 and size of every file.
Restoring refuses a database or a media folder that is not empty (unless forced), checks the
archive's checksums before touching anything, and afterwards checks the row counts, the
migrations and every file's checksum against the manifest.

Uploaded files are copied after the database snapshot: a file uploaded meanwhile may be in the
archive without its row (harmless), a file deleted meanwhile is missing from it (reported).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.dump"
MEDIA = "media"
# Tables `migrate` fills by itself: an instance holding rows only there is empty.
FILLED_BY_MIGRATE = frozenset({"django_migrations", "django_content_type", "auth_permission"})
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Backing up or restoring cannot go on; the message says why."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    manifest: dict[str, Any]
    seconds: float


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path) -> dict[str, dict[str, Any]]:
    """Every regular file under ``root``: relative POSIX path → sha256 and size."""
    files: dict[str, dict[str, Any]] = {}
    if not root.is_dir():
        return files
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            files[path.relative_to(root).as_posix()] = {
                "sha256": sha256_file(path),
                "size": path.stat().st_size,
            }
    return files


def _version() -> str:
    try:
        return metadata.version("qingyi")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- the database, engine by engine ---------------------------------------------------------


def _sqlite_state(db: sqlite3.Connection) -> tuple[dict[str, int], list[list[str]]]:
    tables = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {table: db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}  # noqa: S608
    migrations = (
        [list(row) for row in db.execute("SELECT app, name FROM django_migrations ORDER BY app, name")]
        if "django_migrations" in counts
        else []
    )
    return counts, migrations


def _run_pg_tool(command: list[str]) -> None:
    """Run pg_dump or pg_restore with the database's credentials; a failure is a BackupError."""
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    env["PGDATABASE"] = str(db["NAME"])
    return env


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools (Debian: postgresql-client) "
            "of the server's major version or newer."
        )
    return tool


def _pg_state(cursor) -> tuple[dict[str, int], list[list[str]]]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    migrations: list[list[str]] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [list(row) for row in cursor.fetchall()]
    return counts, migrations


def _dump_sqlite(target: Path) -> dict[str, Any]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        counts, migrations = _sqlite_state(copy)
    finally:
        copy.close()
    return {"method": "sqlite3 online backup API", "row_counts": counts, "migrations": migrations}


def _dump_postgresql(target: Path) -> dict[str, Any]:
    pg_dump = _pg_tool("pg_dump")
    # A connection of its own, outside Django's: one REPEATABLE READ read-only transaction
    # whose snapshot pg_dump shares, so the counts and the dump are of one moment.
    import psycopg

    db = connection.settings_dict
    params = {"dbname": db["NAME"], "user": db.get("USER"), "password": db.get("PASSWORD")}
    params |= {"host": db.get("HOST"), "port": db.get("PORT")}
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as snapshot_connection:
        cursor = snapshot_connection.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        row = cursor.fetchone()
        assert row is not None
        snapshot, server_version = row
        _run_pg_tool([pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-owner", "-f", str(target)])
        counts, migrations = _pg_state(cursor)
        cursor.execute("COMMIT")
    return {
        "method": "pg_dump --format=custom --snapshot (one REPEATABLE READ snapshot)",
        "server_version": server_version,
        "row_counts": counts,
        "migrations": migrations,
    }


def database_state() -> tuple[dict[str, int], list[list[str]]]:
    """Row counts of every table and the migrations applied, on the configured database."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return _sqlite_state(connection.connection)
    with connection.cursor() as cursor:
        return _pg_state(cursor)


def database_is_empty() -> bool:
    counts, _ = database_state()
    return not any(n for table, n in counts.items() if table not in FILLED_BY_MIGRATE)


# --- backup ----------------------------------------------------------------------------------


def backup(path: Path) -> Outcome:
    """Write the archive to ``path`` (through a temporary name, renamed when complete)."""
    started = dt.datetime.now(dt.UTC)
    clock = _clock()
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backing up a {vendor} database is not supported.")
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="qingyi-backup-", dir=path.parent) as scratch:
        database_file = Path(scratch) / (SQLITE_FILE if vendor == "sqlite" else PG_FILE)
        dumped = _dump_sqlite(database_file) if vendor == "sqlite" else _dump_postgresql(database_file)
        root = media_root()
        files = media_files(root)
        manifest = {
            "format": FORMAT,
            "qingyi_version": _version(),
            "created_at": started.isoformat(),
            "engine": vendor,
            "database": {
                "file": database_file.name,
                "sha256": sha256_file(database_file),
                "size": database_file.stat().st_size,
                **{k: v for k, v in dumped.items() if k not in {"row_counts", "migrations"}},
            },
            "migrations": dumped["migrations"],
            "row_counts": dumped["row_counts"],
            "files": files,
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
            data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(started.timestamp())
            archive.addfile(info, io.BytesIO(data))
            archive.add(database_file, arcname=database_file.name)
            for relative in files:
                archive.add(root / relative, arcname=f"{MEDIA}/{relative}", recursive=False)
        os.replace(partial, path)
    return Outcome(path=path, manifest=manifest, seconds=clock())


# --- restore ---------------------------------------------------------------------------------


def _clock():
    import time

    start = time.monotonic()
    return lambda: round(time.monotonic() - start, 3)


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in archive.getmembers():
        name = PurePosixPath(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"The archive holds an unsafe entry: {member.name!r}")
        members.append(member)
    return members


def read_archive(path: Path, scratch: Path) -> dict[str, Any]:
    """Unpack ``path`` into ``scratch`` and check it against its manifest; return the manifest."""
    if not path.is_file():
        raise BackupError(f"No archive at {path}")
    try:
        with tarfile.open(path, "r:*") as archive:
            members = _safe_members(archive)
            for member in members:
                archive.extract(member, scratch, set_attrs=False)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}") from exc
    try:
        manifest = json.loads((scratch / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path} has no readable {MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Archive format {manifest.get('format')!r}; this Qingyi reads format {FORMAT}.")
    database_file = scratch / manifest["database"]["file"]
    if not database_file.is_file() or sha256_file(database_file) != manifest["database"]["sha256"]:
        raise BackupError("The database in the archive does not match its checksum: the archive is damaged.")
    found = media_files(scratch / MEDIA)
    if found != manifest["files"]:
        damaged = _differences(found, manifest["files"])
        raise BackupError(f"Files in the archive do not match the manifest: {', '.join(damaged[:10])}")
    return manifest


def _differences(found: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    return sorted(name for name in set(found) | set(expected) if found.get(name) != expected.get(name))


def _restore_sqlite(database_file: Path) -> None:
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(database_file)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_postgresql(database_file: Path) -> None:
    pg_restore = _pg_tool("pg_restore")
    connection.close()
    _run_pg_tool(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            str(connection.settings_dict["NAME"]),
            str(database_file),
        ]
    )


def restore(path: Path, *, force: bool = False) -> Outcome:
    """Restore the archive at ``path`` into this instance, then check it against the manifest."""
    clock = _clock()
    vendor = connection.vendor
    root = media_root()
    with tempfile.TemporaryDirectory(prefix="qingyi-restore-") as scratch_name:
        scratch = Path(scratch_name)
        manifest = read_archive(path.resolve(), scratch)
        if manifest["engine"] != vendor:
            raise BackupError(
                f"The archive is of a {manifest['engine']} database and this instance uses {vendor}: "
                "restore it into an instance of the same engine."
            )
        refusals = []
        if not database_is_empty():
            refusals.append("the database holds data")
        if root.is_dir() and any(root.iterdir()):
            refusals.append(f"the media folder {root} is not empty")
        if refusals and not force:
            raise BackupError(
                "Refusing to restore into a non-empty instance: "
                + "; ".join(refusals)
                + ". Restore into an empty instance, or give --force to replace what is there."
            )
        database_file = scratch / manifest["database"]["file"]
        if vendor == "sqlite":
            _restore_sqlite(database_file)
        else:
            _restore_postgresql(database_file)
        if root.is_dir() and any(root.iterdir()):
            # Forced: the files that were there are set aside beside the media folder, not deleted.
            aside = root.with_name(f"{root.name}.before-restore-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}")
            root.rename(aside)
        root.mkdir(parents=True, exist_ok=True)
        for relative in manifest["files"]:
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(scratch / MEDIA / relative, target)
    verify(manifest)
    return Outcome(path=path, manifest=manifest, seconds=clock())


def verify(manifest: dict[str, Any]) -> None:
    """Check this instance against a manifest: row counts, migrations, files."""
    counts, migrations = database_state()
    problems = []
    if counts != manifest["row_counts"]:
        differing = _differences(counts, manifest["row_counts"])
        problems.append("row counts differ in " + ", ".join(differing[:10]))
    if migrations != manifest["migrations"]:
        problems.append("the migrations applied differ")
    files = media_files(media_root())
    if files != manifest["files"]:
        problems.append("files differ: " + ", ".join(_differences(files, manifest["files"])[:10]))
    if problems:
        raise BackupError("The restored instance does not match the archive: " + "; ".join(problems))
