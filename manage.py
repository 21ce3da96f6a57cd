#!/usr/bin/env python
"""Django's command-line utility for Qingyi."""

import os
import sys
from pathlib import Path

CONFIGURATION = ("DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "QINGYI_TESTING")

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyi.settings")
    # A checkout with no configuration at all is a developer's: use the development settings
    # and say so. A deployment always sets SECRET_KEY, so this never turns DEBUG on there.
    if not any(name in os.environ for name in CONFIGURATION):
        os.environ["DEBUG"] = "true"
        note = "manage.py: no DEBUG or SECRET_KEY set; using development settings (DEBUG=true)."
        print(note, file=sys.stderr)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
