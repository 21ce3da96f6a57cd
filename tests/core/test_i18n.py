"""The Simplified Chinese catalogue: complete, faithful to its placeholders, compiled, and used.

The UI is written with English msgids and shows Simplified Chinese by default. A fresh
machine has no GNU gettext, so the compiled ``django.mo`` is committed beside ``django.po``;
these tests read both with polib (pure Python) and never call msgfmt or xgettext.

tests/conftest.py switches every test to English; the tests here ask for Chinese explicitly.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from qingyi.organizations import services as organization_services
from qingyi.organizations.models import Organization

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

# Python %-format placeholders (named or not, with flags, width and precision) and "%%".
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrs]|%%")
# HTML tags, compared by name and attributes; "<token>" in the API help is text, not a tag.
HTML_TAG = re.compile(r"</?(?!token>)[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


def _entries(po):
    return [entry for entry in po if not entry.obsolete]


def _translation(entry) -> str:
    return entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr


def _label(entry) -> str:
    return entry.msgid if len(entry.msgid) < 80 else entry.msgid[:77] + "..."


def test_catalogue_header_is_simplified_chinese(po):
    assert po.metadata.get("Language") == "zh_Hans"
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert not po.metadata_is_fuzzy


def test_every_entry_is_translated_and_not_fuzzy(po):
    entries = _entries(po)
    assert len(entries) > 1000  # the whole UI, not a stub
    untranslated = [_label(e) for e in entries if not _translation(e).strip()]
    fuzzy = [_label(e) for e in entries if "fuzzy" in e.flags]
    # A msgstr that merely repeats an English msgid is an untranslated entry in disguise.
    english = [
        _label(e)
        for e in entries
        if re.search(r"[A-Za-z]{3}", e.msgid) and _translation(e) in (e.msgid, e.msgid_plural)
    ]
    assert untranslated == [], f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"
    assert english == [], f"{len(english)} not in Chinese: {english[:20]}"


def test_plural_entries_fill_the_single_chinese_form(po):
    for entry in _entries(po):
        if entry.msgid_plural:
            assert set(entry.msgstr_plural) == {0}, _label(entry)


def test_every_translation_keeps_the_placeholders_of_its_msgid(po):
    problems = []
    for entry in _entries(po):
        if entry.msgid_plural:
            # Chinese has one form, built from the plural msgid (the one that names the count).
            expected = sorted(PLACEHOLDER.findall(entry.msgid_plural))
            singular = set(PLACEHOLDER.findall(entry.msgid))
            assert singular <= set(expected), _label(entry)
        else:
            expected = sorted(PLACEHOLDER.findall(entry.msgid))
        actual = sorted(PLACEHOLDER.findall(_translation(entry)))
        if "python-format" not in entry.flags and not expected:
            # A literal "%" in a string that is never formatted is only text.
            actual = [p for p in actual if p.startswith("%(")]
        if actual != expected:
            problems.append(f"{_label(entry)!r}: {expected} -> {actual}")
        if sorted(HTML_TAG.findall(entry.msgid_plural or entry.msgid)) != sorted(
            HTML_TAG.findall(_translation(entry))
        ):
            problems.append(f"{_label(entry)!r}: HTML tags differ")
    assert problems == [], "\n".join(problems)


def test_python_format_translations_format_with_the_msgid_arguments(po):
    for entry in _entries(po):
        if "python-format" not in entry.flags:
            continue
        names = re.findall(r"%\(([^)]+)\)", entry.msgid_plural or entry.msgid)
        if not names:
            continue
        args = dict.fromkeys(names, 1)
        (entry.msgid_plural or entry.msgid) % args  # the source itself formats
        _translation(entry) % args  # and so does its translation, without a KeyError or ValueError


def test_committed_mo_matches_the_po():
    assert MO_PATH.exists(), (
        "compile the catalogue: manage.py compilemessages -l zh_Hans, and commit django.mo"
    )
    po = polib.pofile(str(PO_PATH))
    mo = polib.mofile(str(MO_PATH))

    def table(catalogue):
        rows = {}
        for entry in catalogue:
            if getattr(entry, "obsolete", False) or "fuzzy" in getattr(entry, "flags", []):
                continue
            text = _translation(entry)
            if text:
                rows[(entry.msgctxt, entry.msgid, entry.msgid_plural or "")] = text
        return rows

    po_rows, mo_rows = table(po), table(mo)
    missing = sorted(k[1] for k in po_rows.keys() - mo_rows.keys())
    stale = sorted(k[1] for k in mo_rows.keys() - po_rows.keys())
    changed = sorted(k[1] for k in po_rows.keys() & mo_rows.keys() if po_rows[k] != mo_rows[k])
    assert (missing, stale, changed) == ([], [], []), (
        "django.mo is out of date with django.po; run manage.py compilemessages -l zh_Hans "
        f"(missing {missing[:5]}, stale {stale[:5]}, changed {changed[:5]})"
    )
    assert mo.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"


def test_django_reads_the_compiled_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("Save") == "保存"
        assert translation.gettext("Roster") == "花名册"
        assert translation.ngettext("%(counter)s person", "%(counter)s people", 1) % {"counter": 1} == "1 人"
        assert translation.ngettext("%(counter)s person", "%(counter)s people", 7) % {"counter": 7} == "7 人"
    with translation.override("en"):
        assert translation.gettext("Save") == "Save"


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录" in html
    assert "工号或手机号" in html
    assert "Log in" not in html
    assert response.headers.get("Content-Language") == "zh-hans"


@pytest.mark.django_db
def test_login_page_follows_the_browser_language(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_login_page_is_english_when_the_language_cookie_says_so(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert "Log in" in html
    assert "Employee number or phone" in html
    assert "工号或手机号" not in html
    assert response.headers.get("Content-Language") == "en"


def test_service_validation_error_comes_out_in_chinese(personas):
    tree = personas.tree
    with translation.override("zh-hans"), pytest.raises(ValidationError) as raised:
        organization_services.organization_create(
            parent=tree.branch_a,
            name="不该存在的团总支",
            kind=Organization.Kind.GENERAL_BRANCH,
            actor=personas.committee_admin,
        )
    assert raised.value.messages == ["团支部下不能设立团总支。"]
    assert not Organization.objects.filter(name="不该存在的团总支").exists()


def test_service_validation_error_stays_english_under_en(personas):
    tree = personas.tree
    with pytest.raises(ValidationError) as raised:
        organization_services.organization_create(
            parent=tree.branch_a,
            name="x",
            kind=Organization.Kind.GENERAL_BRANCH,
            actor=personas.committee_admin,
        )
    assert raised.value.messages == ["A Branch cannot contain a General branch."]
