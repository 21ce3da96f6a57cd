import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from qingyi.activities import services
from qingyi.activities.models import Publication
from qingyi.core import metrics
from qingyi.core.periods import Period


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_admin_logs_a_post_by_hand(personas, login):
    response = login(personas.admin_a).post(
        reverse("activities:publication_create"),
        {
            "organization": personas.tree.branch_a.pk,
            "channel": "wechat",
            "title": "学习二十大精神",
            "published_on": "2025-03-05",
            "link": "https://mp.weixin.qq.com/s/abc",
            "category": "study",
        },
    )
    assert response.status_code == 302
    post = Publication.objects.get()
    assert (post.title, post.category, post.organization) == (
        "学习二十大精神",
        "study",
        personas.tree.branch_a,
    )


def test_post_form_with_bad_input_says_so(personas, login):
    response = login(personas.admin_a).post(
        reverse("activities:publication_create"),
        {
            "organization": personas.tree.branch_a.pk,
            "channel": "wechat",
            "title": "",
            "published_on": "3月5日",
            "link": "not a link",
            "category": "study",
        },
    )
    assert response.status_code == 200 and not Publication.objects.exists()
    assert "Enter a valid date." in response.content.decode()


def test_import_of_a_wechat_export_list(personas, login):
    content = _xlsx(
        [
            ["标题", "发布日期", "链接", "类别"],
            [
                "青年理论学习第一期",
                dt.datetime(2025, 3, 1, 9, 30),
                "https://mp.weixin.qq.com/s/1",
                "理论学习",
            ],
            ["志愿服务进社区", "2025/3/12", "", "志愿服务"],
            ["团课预告", "2025年4月1日", "", ""],
        ]
    )
    response = login(personas.admin_a).post(
        reverse("activities:publication_import"),
        {
            "file": SimpleUploadedFile("export.xlsx", content),
            "organization": personas.tree.branch_a.pk,
            "channel": "wechat",
            "category": "news",
        },
    )
    assert response.status_code == 302
    assert dict(Publication.objects.values_list("title", "category")) == {
        "青年理论学习第一期": "study",
        "志愿服务进社区": "volunteering",
        "团课预告": "news",
    }


def test_import_with_bad_rows_lists_them_and_writes_nothing(personas, login):
    content = (
        "title,date,organisation,channel\n好推文,2025-03-01,,\n,2025-03-02,,\n坏日期,明天,,\n"
        "别人的,2025-03-03,护理二支部,\n怪渠道,2025-03-03,,飞鸽\n"
    )
    response = login(personas.admin_a).post(
        reverse("activities:publication_import"),
        {
            "file": SimpleUploadedFile("list.csv", content.encode("utf-8")),
            "organization": personas.tree.branch_a.pk,
            "channel": "wechat",
            "category": "news",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400 and 'id="import-errors"' in body
    for number in (3, 4, 5, 6):
        assert f"<td>{number}</td>" in body
    assert "not an organisation you manage" in body and "unknown channel" in body
    assert not Publication.objects.exists()


def test_reimporting_the_same_list_adds_nothing(personas):
    content = "标题,发布日期\n推文一,2025-03-01\n推文二,2025-03-02\n".encode("gb18030")
    kwargs = {
        "content": content,
        "filename": "l.csv",
        "organization": personas.tree.branch_a,
        "actor": personas.admin_a,
    }
    assert services.publications_import(**kwargs).created == 2
    again = services.publications_import(**kwargs)
    assert (again.created, again.skipped) == (0, 2)
    assert Publication.objects.count() == 2


def test_import_without_the_required_columns_is_refused(personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="required"):
        services.publications_import(
            content=b"foo,bar\n1,2\n",
            filename="l.csv",
            organization=personas.tree.branch_a,
            actor=personas.admin_a,
        )


def test_posts_are_counted_by_category_and_organisation(personas):
    tree = personas.tree
    for org, category, day in (
        (tree.branch_a, "study", 1),
        (tree.branch_a, "study", 2),
        (tree.branch_b, "care", 3),
        (tree.branch_b, "study", 4),
    ):
        Publication.objects.create(
            organization=org,
            title=f"p{day}",
            category=category,
            published_on=dt.date(2025, 3, day),
            created_by=personas.admin_a,
        )
    scope = metrics.Scope(organization=tree.committee, period=Period.year(2025))
    by_category = {b.key: b.value for b in metrics.get("activities.publications_by_category").value(scope)}
    assert by_category["study"] == 3 and by_category["care"] == 1
    by_org = {b.label: b.value for b in metrics.get("activities.publications_by_organization").value(scope)}
    assert by_org == {tree.branch_a.name: 2, tree.branch_b.name: 2}
    scope_a = metrics.Scope(organization=tree.branch_a, period=Period.year(2025))
    assert metrics.get("activities.publications").value(scope_a) == 2
    assert metrics.get("activities.publications").records(scope_a).count() == 2


def test_admin_sees_only_their_posts(personas, login):
    Publication.objects.create(
        organization=personas.tree.branch_b,
        title="乙的推文",
        published_on=dt.date.today(),
        created_by=personas.admin_b,
    )
    body = login(personas.admin_a).get(reverse("activities:publication_list")).content.decode()
    assert "乙的推文" not in body
