"""manage.py backup / restore: the round trip into an empty instance keeps every record, every
file and every figure; a non-empty instance and a damaged archive are refused.

Runs on whichever database the suite uses (DATABASE_URL): on SQLite the empty instance is a
fresh DATA_DIR; on PostgreSQL a scratch database named after the xdist worker, dropped after.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from qingyi.demo.hospital import build
from qingyi.ops import backup
from tests.ops.fingerprint import fingerprint

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)

FILES = {
    "activities/2025/签到表.pdf": b"%PDF-1.4 fictional\n" + bytes(range(256)) * 40,
    "people/imports/roster.xlsx": b"PK\x03\x04" + os.urandom(5000),
    "growth/photos/合影.jpg": b"\xff\xd8\xff" + os.urandom(20000),
}


@pytest.fixture
def instance(tmp_path, settings):
    """The source instance: the demo hospital and a few uploaded files in a scratch MEDIA_ROOT."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    build(people=100, seed=11)
    for name, content in FILES.items():
        default_storage.save(name, ContentFile(content))
    return tmp_path


@pytest.fixture
def empty_instance(tmp_path):
    """The environment of an empty instance in another process: SQLite in a fresh DATA_DIR, or a
    scratch PostgreSQL database."""
    data_dir = tmp_path / "restored"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MEDIA_ROOT", "DATA_DIR"}}
    env |= {
        "QINGYI_TESTING": "true",
        "DATA_DIR": str(data_dir),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "qingyi.settings",
    }
    scratch = None
    if connection.vendor == "postgresql":
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        scratch = f"qingyi_restore_{worker}_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(scratch)}")
        db = connection.settings_dict
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{scratch}"
    yield env, data_dir
    if scratch:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(scratch)} WITH (FORCE)")


def _run(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False, timeout=600
    )


def test_round_trip_keeps_every_record_file_and_figure(instance, empty_instance):
    env, data_dir = empty_instance
    year = timezone.localdate().year
    before = fingerprint(year)
    assert len(before["files"]) == len(FILES)
    assert sum(count for count, _ in before["tables"].values()) > 10_000
    assert any(value not in {"0", "0.0", "[]"} for value in before["figures"].values())

    archive = instance / "backup.tar.gz"
    call_command("backup", str(archive))
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile(backup.MANIFEST))
    assert manifest["engine"] == connection.vendor
    assert manifest["row_counts"] == {table: count for table, (count, _) in before["tables"].items()}
    assert manifest["files"] == before["files"]
    assert ["ops", "0001_initial"] not in manifest["migrations"] and manifest["migrations"]

    restored = _run(env, "manage.py", "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "all checked against the manifest" in restored.stdout
    after = _run(env, "-m", "tests.ops.fingerprint", str(year))
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout.strip().splitlines()[-1]) == before
    assert sorted(p.name for p in (data_dir / "media").rglob("*") if p.is_file()) == sorted(
        Path(name).name for name in FILES
    )

    # Restoring again into the instance that now holds data is refused, and changes nothing.
    again = _run(env, "manage.py", "restore", str(archive))
    assert again.returncode != 0
    assert "Refusing to restore into a non-empty instance" in again.stderr


def test_restore_refuses_a_non_empty_instance(instance):
    archive = instance / "backup.tar.gz"
    call_command("backup", str(archive))
    with pytest.raises(CommandError, match="non-empty instance: the database holds data; the media folder"):
        call_command("restore", str(archive))


def test_restore_refuses_a_damaged_archive_before_touching_anything(instance, tmp_path):
    archive = instance / "backup.tar.gz"
    call_command("backup", str(archive))
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith("roster.xlsx"):
                data = data[:-1] + bytes([data[-1] ^ 0xFF])  # always a different byte
            target.addfile(member, io.BytesIO(data))
    counts_before, _ = backup.database_state()
    message = re.escape("do not match the manifest: people/imports/roster.xlsx")
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(damaged), force=True)
    assert backup.database_state()[0] == counts_before
