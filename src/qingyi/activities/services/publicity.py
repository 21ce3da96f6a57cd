"""Publicity posts (微信公众号推文 ...): logged by hand or imported from a channel's export list.

An import is all or nothing: every bad row is listed with its row number and nothing is
written unless every row is valid. Posts already logged (same channel, title and day) are
skipped, so importing the same export twice adds nothing. The file is read through
``qingyi.core.workbooks``, with the same guards as the roster import (format, XML, rows,
cells, strings, a CSV cleanly in one encoding, and a time budget).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from qingyi.activities.models import Publication
from qingyi.activities.selectors import managed_by_name
from qingyi.core import workbooks
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization

# Header names accepted for each column (compared without case and spaces).
HEADERS = {
    "title": ("title", "标题", "文章标题", "推文标题"),
    "published_on": ("date", "published on", "published_on", "发布日期", "日期", "发布时间", "发表时间"),
    "link": ("link", "url", "链接", "原文链接", "文章链接"),
    "channel": ("channel", "渠道", "平台", "发布平台"),
    "category": ("category", "类别", "分类", "栏目"),
    "organization": ("organisation", "organization", "组织", "单位", "发布组织", "所属组织"),
}
CHANNEL_ALIASES = {
    "微信公众号": "wechat",
    "公众号": "wechat",
    "微信": "wechat",
    "视频号": "video",
    "抖音": "video",
    "微博": "weibo",
    "网站": "website",
    "官网": "website",
    "医院官网": "website",
    "其他": "other",
}
CATEGORY_ALIASES = {
    "理论学习": "study",
    "学习": "study",
    "工作动态": "news",
    "团务动态": "news",
    "动态": "news",
    "志愿服务": "volunteering",
    "志愿": "volunteering",
    "典型": "role_models",
    "荣誉": "role_models",
    "先进典型": "role_models",
    "关爱": "care",
    "关爱青年": "care",
    "其他": "other",
}


def _key(text: Any) -> str:
    return re.sub(r"\s+", "", str(text or "")).lower()


def _choice(value: Any, choices: type[models.Choices], aliases: dict[str, str]) -> str | None:
    """A choice from its code, its label (in the current language or English) or an alias."""
    text = _key(value)
    if not text:
        return None
    for code, label in choices.choices:
        with override("en"):
            english = _key(label)
        if text in {_key(code), _key(label), english}:
            return code
    return aliases.get(text)


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    m = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})", text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


@transaction.atomic
def publication_create(*, organization: Organization, data: dict[str, Any], actor) -> Publication:
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, organization)
    title = (data.get("title") or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the post's title.")]
    if not data.get("published_on"):
        errors["published_on"] = [_("Give the day it was published.")]
    if errors:
        raise ValidationError(errors)
    channel = data.get("channel") or Publication.Channel.WECHAT
    if Publication.objects.filter(channel=channel, title=title, published_on=data["published_on"]).exists():
        raise ValidationError(_("This post is already logged (same channel, title and day)."))
    return Publication.objects.create(
        organization=organization,
        channel=channel,
        title=title,
        published_on=data["published_on"],
        link=(data.get("link") or "").strip(),
        category=data.get("category") or Publication.Category.NEWS,
        created_by=actor,
    )


@transaction.atomic
def publication_delete(*, publication: Publication, actor) -> None:
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, publication.organization)
    publication.delete()


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _rows(content: bytes, filename: str, *, budget: workbooks.Budget) -> list[list[Any]]:
    """The rows of the uploaded list, through the guards every import of a file shares."""
    name = filename.lower()
    if name.endswith(".csv"):
        return workbooks.read_csv(content, budget=budget)
    if name.endswith(".xlsx"):
        with workbooks.open_workbook(content, budget=budget, data_only=True) as (workbook, _scan):
            sheet = workbook.worksheets[0]
            return [list(row) for row in workbooks.iter_rows(sheet, budget=budget, values_only=True)]
    raise ValidationError(_("Upload the export list as .xlsx or .csv."))


_VALIDATE_URL = URLValidator(schemes=["http", "https"])


def _blank(row: list[Any]) -> bool:
    return not any(str(c or "").strip() for c in row)


def _read_list(content: bytes, filename: str, *, budget: workbooks.Budget) -> list[list[Any]]:
    """The rows of the upload from its first non-blank row (the header), within the size limit."""
    limit = workbooks.max_bytes()
    if len(content) > limit:
        raise ValidationError(_("The file is larger than %(mb).0f MB.") % {"mb": limit / 1048576})
    rows = _rows(content, filename, budget=budget)
    while rows and _blank(rows[0]):
        rows.pop(0)
    if not rows:
        raise ValidationError(_("The file is empty."))
    return rows


def _columns(header_row: list[Any]) -> dict[str, int]:
    """Each known field's column index, from the header row's names (the first match wins)."""
    header = [_key(c) for c in header_row]
    columns: dict[str, int] = {}
    for field_name, names in HEADERS.items():
        for index, cell in enumerate(header):
            if cell in {_key(n) for n in names}:
                columns[field_name] = index
                break
    if any(f not in columns for f in ("title", "published_on")):
        raise ValidationError(
            _("The first row must name the columns; “title” (标题) and “date” (发布日期) are required.")
        )
    return columns


@dataclass
class _Defaults:
    """What a row falls back to when it leaves a column empty, and what it may name."""

    channel: str
    category: str
    organization: Organization
    managed: dict[str, Organization]


class _Row:
    """One data row read through the header's columns."""

    def __init__(self, cells: list[Any], columns: dict[str, int]) -> None:
        self.cells, self.columns = cells, columns

    def get(self, name: str) -> Any:
        index = self.columns.get(name)
        return self.cells[index] if index is not None and index < len(self.cells) else None


def _title(row: _Row, problems: list[str]) -> str:
    title = str(row.get("title") or "").strip()
    if not title:
        problems.append(_("the title is empty"))
    elif len(title) > 200:
        problems.append(_("the title is longer than 200 characters"))
    return title


def _day(row: _Row, problems: list[str]) -> dt.date | None:
    day = parse_date(row.get("published_on"))
    if day is None:
        problems.append(
            _("“%(value)s” is not a date (use 2025-03-05)") % {"value": row.get("published_on") or ""}
        )
    return day


def _channel(row: _Row, default: str, problems: list[str]) -> str | None:
    if row.get("channel") in (None, ""):
        return default
    channel = _choice(row.get("channel"), Publication.Channel, CHANNEL_ALIASES)
    if channel is None:
        problems.append(_("unknown channel “%(value)s”") % {"value": row.get("channel")})
    return channel


def _category(row: _Row, default: str, problems: list[str]) -> str | None:
    if row.get("category") in (None, ""):
        return default
    category = _choice(row.get("category"), Publication.Category, CATEGORY_ALIASES)
    if category is None:
        problems.append(_("unknown category “%(value)s”") % {"value": row.get("category")})
    return category


def _link(row: _Row, problems: list[str]) -> str:
    link = str(row.get("link") or "").strip()
    if link:
        try:
            _VALIDATE_URL(link)
        except ValidationError:
            problems.append(_("“%(value)s” is not a web link") % {"value": link[:80]})
    return link


def _organization(row: _Row, defaults: _Defaults, problems: list[str]) -> Organization | None:
    name = str(row.get("organization") or "").strip()
    if not name:
        return defaults.organization
    organization = defaults.managed.get(name)
    if organization is None:
        problems.append(_("“%(value)s” is not an organisation you manage") % {"value": name})
    return organization


def _parse_row(row: _Row, defaults: _Defaults, actor) -> tuple[Publication | None, list[str]]:
    """The unsaved post of one row, or the row's problems (every one of them)."""
    problems: list[str] = []
    title = _title(row, problems)
    day = _day(row, problems)
    channel = _channel(row, defaults.channel, problems)
    category = _category(row, defaults.category, problems)
    link = _link(row, problems)
    organization = _organization(row, defaults, problems)
    if problems:
        return None, problems
    # Each of these is None only with a problem listed.
    assert day is not None and channel is not None and category is not None and organization is not None
    return (
        Publication(
            organization=organization,
            channel=channel,
            title=title,
            published_on=day,
            link=link,
            category=category,
            created_by=actor,
        ),
        [],
    )


def _drafts(
    rows: list[list[Any]], columns: dict[str, int], defaults: _Defaults, *, actor, budget: workbooks.Budget
) -> tuple[list[Publication], ImportResult]:
    """The posts to write (a post repeated in the file once) and the count of rows, skips and errors."""
    result = ImportResult()
    seen: set[tuple[str, str, dt.date]] = set()
    drafts: list[Publication] = []
    for number, cells in enumerate(rows, start=2):
        if number % workbooks.CHECK_EVERY == 0:
            budget.check()
        if _blank(cells):
            continue
        result.total += 1
        draft, problems = _parse_row(_Row(cells, columns), defaults, actor)
        if draft is None:
            result.errors.append((number, "; ".join(str(p) for p in problems)))
            continue
        key = (draft.channel, draft.title, draft.published_on)
        if key in seen:
            result.skipped += 1
            continue
        seen.add(key)
        drafts.append(draft)
    return drafts, result


def _write(drafts: list[Publication], result: ImportResult, *, actor) -> None:
    """Create the posts not logged yet (same channel, title and day), all in one transaction."""
    with transaction.atomic():
        days = {d.published_on for d in drafts}
        existing = set(
            Publication.objects.filter(published_on__in=days).values_list("channel", "title", "published_on")
        )
        new = [d for d in drafts if (d.channel, d.title, d.published_on) not in existing]
        result.skipped += len(drafts) - len(new)
        # Every row's organisation is ``organization`` (checked on entry) or one of ``managed``.
        Publication.objects.bulk_create(new, batch_size=500)
        result.created = len(new)


def publications_import(
    *,
    content: bytes,
    filename: str,
    organization: Organization,
    channel: str = Publication.Channel.WECHAT,
    category: str = Publication.Category.NEWS,
    actor,
) -> ImportResult:
    """Import an export list of posts; rows name their organisation or belong to ``organization``."""
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, organization)
    budget = workbooks.Budget()
    rows = _read_list(content, filename, budget=budget)
    columns = _columns(rows[0])
    max_rows = workbooks.max_rows()
    if len(rows) - 1 > max_rows:
        raise ValidationError(_("The file has more than %(n)s rows.") % {"n": max_rows})
    defaults = _Defaults(channel, category, organization, managed_by_name(actor))
    drafts, result = _drafts(rows[1:], columns, defaults, actor=actor, budget=budget)
    if result.errors:
        return result
    budget.check()  # the last moment to give up: nothing is written yet
    _write(drafts, result, actor=actor)
    return result
