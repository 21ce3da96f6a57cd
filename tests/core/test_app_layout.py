"""Every app has the same rooms (issue 8, point 2), so a newcomer opening any app finds them and
a new app that skips one fails here.

A domain app (one that owns records and figures) has ``models``, ``services``, ``selectors`` and
``metrics``, each a module or a package, and its pages in a ``views/`` package (one module per
area, ``common`` for what they share). ``accounts`` and ``core`` are infrastructure: they own no
figures and few reads (core's reads are the scoping rule and the registry themselves), so only
their pages must be in a ``views/`` package. No app keeps a flat ``views.py`` or ``views_*.py``
beside or instead of the package.
"""

from __future__ import annotations

from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "qingyi"

DOMAIN_APPS = ("organizations", "people", "activities", "growth", "volunteering", "escorts", "callups")
INFRASTRUCTURE_APPS = ("accounts", "core")
DOMAIN_ROOMS = ("models", "services", "selectors", "metrics")


def _has_room(app: Path, room: str) -> bool:
    """``room`` is a module (``room.py``) or a package (``room/__init__.py``) of ``app``."""
    return (app / f"{room}.py").is_file() or (app / room / "__init__.py").is_file()


def missing_rooms(app: Path, rooms: tuple[str, ...]) -> list[str]:
    """What ``app`` lacks of ``rooms`` and of a ``views/`` package, and any flat views module."""
    missing = [room for room in rooms if not _has_room(app, room)]
    if not (app / "views" / "__init__.py").is_file():
        missing.append("views/ (a package)")
    missing += [f"{flat.name} (move it into views/)" for flat in sorted(app.glob("views*.py"))]
    return missing


@pytest.mark.parametrize("name", DOMAIN_APPS)
def test_every_domain_app_has_models_services_selectors_metrics_and_a_views_package(name):
    assert missing_rooms(SRC / name, DOMAIN_ROOMS) == []


@pytest.mark.parametrize("name", INFRASTRUCTURE_APPS)
def test_accounts_and_core_have_their_pages_in_a_views_package(name):
    assert missing_rooms(SRC / name, ()) == []


def test_the_domain_apps_listed_are_every_app_with_models_and_pages():
    """A new app with records and pages joins one of the lists above (and so the checks)."""
    apps = {
        app.name
        for app in SRC.iterdir()
        if _has_room(app, "models") and (_has_room(app, "views") or (app / "urls.py").is_file())
    }
    assert apps == {*DOMAIN_APPS, *INFRASTRUCTURE_APPS}


def test_an_app_that_skips_a_room_is_refused(tmp_path):
    app = tmp_path / "newapp"
    (app / "selectors").mkdir(parents=True)
    (app / "selectors" / "__init__.py").write_text("")
    (app / "models.py").write_text("")
    (app / "views.py").write_text("")
    (app / "views_extra.py").write_text("")
    (app / "metrics").mkdir()  # a folder without __init__.py is no package
    assert missing_rooms(app, DOMAIN_ROOMS) == [
        "services",
        "metrics",
        "views/ (a package)",
        "views.py (move it into views/)",
        "views_extra.py (move it into views/)",
    ]
    (app / "services.py").write_text("")
    (app / "metrics" / "__init__.py").write_text("")
    (app / "views").mkdir()
    (app / "views" / "__init__.py").write_text("")
    (app / "views.py").unlink()
    (app / "views_extra.py").unlink()
    assert missing_rooms(app, DOMAIN_ROOMS) == []
