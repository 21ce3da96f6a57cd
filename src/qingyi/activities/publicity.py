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
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from qingyi.activities.models import Publication
from qingyi.core import scoping, workbooks
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


def _choice(value: Any, choices: type, aliases: dict[str, str]) -> str | None:
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
    limit = workbooks.max_bytes()
    if len(content) > limit:
        raise ValidationError(_("The file is larger than %(mb).0f MB.") % {"mb": limit / 1048576})
    rows = _rows(content, filename, budget=budget)
    while rows and not any(str(c or "").strip() for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise ValidationError(_("The file is empty."))
    header = [_key(c) for c in rows[0]]
    columns: dict[str, int] = {}
    for field_name, names in HEADERS.items():
        for index, cell in enumerate(header):
            if cell in {_key(n) for n in names}:
                columns[field_name] = index
                break
    missing = [f for f in ("title", "published_on") if f not in columns]
    if missing:
        raise ValidationError(
            _("The first row must name the columns; “title” (标题) and “date” (发布日期) are required.")
        )
    max_rows = workbooks.max_rows()
    if len(rows) - 1 > max_rows:
        raise ValidationError(_("The file has more than %(n)s rows.") % {"n": max_rows})
    managed = {
        o.name: o
        for o in scoping.scope(
            Organization.objects.filter(archived_at__isnull=True),
            actor,
            scoping.ACTIVITIES_MANAGE,
            path_field="path",
        )
    }
    result = ImportResult()
    seen: set[tuple[str, str, dt.date]] = set()
    drafts: list[Publication] = []
    validate_url = URLValidator(schemes=["http", "https"])

    def cell(row: list[Any], name: str) -> Any:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else None

    for number, row in enumerate(rows[1:], start=2):
        if number % workbooks.CHECK_EVERY == 0:
            budget.check()
        if not any(str(c or "").strip() for c in row):
            continue
        result.total += 1
        problems = []
        title = str(cell(row, "title") or "").strip()
        if not title:
            problems.append(_("the title is empty"))
        elif len(title) > 200:
            problems.append(_("the title is longer than 200 characters"))
        day = parse_date(cell(row, "published_on"))
        if day is None:
            problems.append(
                _("“%(value)s” is not a date (use 2025-03-05)") % {"value": cell(row, "published_on") or ""}
            )
        row_channel = channel
        if cell(row, "channel") not in (None, ""):
            row_channel = _choice(cell(row, "channel"), Publication.Channel, CHANNEL_ALIASES)
            if row_channel is None:
                problems.append(_("unknown channel “%(value)s”") % {"value": cell(row, "channel")})
        row_category = category
        if cell(row, "category") not in (None, ""):
            row_category = _choice(cell(row, "category"), Publication.Category, CATEGORY_ALIASES)
            if row_category is None:
                problems.append(_("unknown category “%(value)s”") % {"value": cell(row, "category")})
        link = str(cell(row, "link") or "").strip()
        if link:
            try:
                validate_url(link)
            except ValidationError:
                problems.append(_("“%(value)s” is not a web link") % {"value": link[:80]})
        row_org = organization
        org_name = str(cell(row, "organization") or "").strip()
        if org_name:
            row_org = managed.get(org_name)
            if row_org is None:
                problems.append(_("“%(value)s” is not an organisation you manage") % {"value": org_name})
        if problems:
            result.errors.append((number, "; ".join(str(p) for p in problems)))
            continue
        key = (row_channel, title, day)
        if key in seen:
            result.skipped += 1
            continue
        seen.add(key)
        drafts.append(
            Publication(
                organization=row_org,
                channel=row_channel,
                title=title,
                published_on=day,
                link=link,
                category=row_category,
                created_by=actor,
            )
        )
    if result.errors:
        return result
    budget.check()  # the last moment to give up: nothing is written yet
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
    return result
