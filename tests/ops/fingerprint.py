"""What must survive a backup and restore, in one comparable value: every table's rows, every
figure of the metrics registry for each top-level organisation over this year, every file.

Imported by tests/ops/test_backup.py for the source instance and run as
``python -m tests.ops.fingerprint`` (printing JSON) inside the restored one.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path


def fingerprint(year: int) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils import translation

    from qingyi.core import metrics
    from qingyi.core.metrics import Scope
    from qingyi.core.periods import Period
    from qingyi.ops.backup import media_files
    from qingyi.organizations.models import Organization

    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            tables[table] = [len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()]
    period = Period.year(year)
    figures = {}
    with translation.override("en"):  # the labels of breakdowns, in one language on both sides
        for root in Organization.objects.get_root_nodes():
            scope = Scope(organization=root, period=period)
            for name in sorted(metrics.REGISTRY):
                figures[f"{root.pk}:{name}"] = repr(metrics.REGISTRY[name].value(scope))
    return {"tables": tables, "figures": figures, "files": media_files(Path(settings.MEDIA_ROOT))}


if __name__ == "__main__":
    import sys

    import django

    django.setup()
    print(json.dumps(fingerprint(int(sys.argv[1]))))
