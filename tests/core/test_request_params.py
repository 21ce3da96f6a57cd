"""One reading of ``?org=`` (``organizations.params.organization_from_request``) and of
``?period=`` (``core.params.period_from_request``) for every page, and one "top organisation"
(``organizations.selectors.top_organization``)."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from qingyi.core.params import period_and_error, period_from_request
from qingyi.core.periods import Period
from qingyi.organizations import scoping
from qingyi.organizations.params import organization_from_request
from qingyi.organizations.selectors import primary_organization, top_organization
from qingyi.organizations.views import dashboard as views_dashboard


def _request(user=None, **query):
    request = RequestFactory().get("/", query)
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_top_organization_is_the_highest_the_user_holds_the_permission_in(personas):
    tree = personas.tree
    assert top_organization(personas.committee_admin, scoping.PEOPLE_MANAGE) == tree.committee
    assert top_organization(personas.admin_a, scoping.PEOPLE_MANAGE) == tree.branch_a
    assert top_organization(personas.outsider, scoping.PEOPLE_MANAGE) is None
    assert primary_organization(personas.admin_a) == top_organization(personas.admin_a, scoping.ORG_VIEW)


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999", "²", "999999"])
def test_an_org_that_cannot_be_or_does_not_exist_is_a_404(personas, value):
    with pytest.raises(Http404):
        organization_from_request(_request(personas.admin_a, org=value), scoping.PEOPLE_VIEW)


def test_an_org_outside_the_scope_is_a_404_and_none_is_the_top_one(personas):
    tree = personas.tree
    with pytest.raises(Http404):
        organization_from_request(_request(personas.admin_a, org=tree.branch_b.pk), scoping.PEOPLE_VIEW)
    request = _request(personas.admin_a, org=tree.branch_a.pk)
    assert organization_from_request(request, scoping.PEOPLE_VIEW) == tree.branch_a
    assert organization_from_request(_request(personas.admin_a), scoping.PEOPLE_VIEW) == tree.branch_a
    assert organization_from_request(_request(personas.admin_a, org=""), scoping.PEOPLE_VIEW) == tree.branch_a
    assert organization_from_request(_request(personas.admin_a), scoping.PEOPLE_VIEW, default=False) is None


@pytest.mark.parametrize("text", ["2025-13", "99999", "junk", "2025-06-30..2025-01-01", "x" * 500])
def test_a_bad_period_is_a_message_and_the_default(db, text):
    request = _request(period=text)
    assert period_from_request(request) == Period.current_year()
    shown = [str(m) for m in get_messages(request)]
    assert len(shown) == 1 and "Showing this year instead." in shown[0]
    request = _request(period=text)
    assert period_from_request(request, optional=True) is None
    assert "Showing all periods instead." in str(next(iter(get_messages(request))))
    request = _request(period=text)
    assert period_from_request(request, optional=True, report=False) is None
    assert not list(get_messages(request))


def test_a_good_or_blank_period(db):
    assert period_from_request(_request(period=" 2025-Q2 ")) == Period.parse("2025-Q2")
    assert period_from_request(_request()) == Period.current_year()
    assert period_from_request(_request(period=""), optional=True) is None
    assert period_and_error(_request(), text="2024") == (Period.year(2024), "")


@pytest.mark.parametrize(
    ("name", "reads_period"),
    [
        ("activities:list", True),
        ("activities:publication_list", True),
        ("volunteering:figures", True),
        ("growth:roster", False),
        ("people:list", False),  # ?org=abc was a 500 (the ORM's ValueError)
    ],
)
def test_every_page_reads_them_alike(personas, login, name, reads_period):
    """An org that cannot be or is unknown is a 404, and a bad period a message saying what is
    shown instead."""
    client = login(personas.committee_admin)
    assert client.get(reverse(name), {"org": "abc"}).status_code == 404
    assert client.get(reverse(name), {"org": "99999999"}).status_code == 404
    assert client.get(reverse(name)).status_code == 200
    if reads_period:
        response = client.get(reverse(name), {"period": "2025-13"})
        assert response.status_code == 200
        assert "instead." in response.content.decode()


@pytest.mark.parametrize("name", ["core:home", "volunteering:hours_overview"])
def test_the_dashboard_and_the_hours_overview_read_the_period_as_every_page(personas, login, name):
    """A bad period is the same message and the same default (this year) as on every page."""
    response = login(personas.committee_admin).get(reverse(name), {"period": "2025-13"})
    assert response.status_code == 200
    assert "Showing this year instead." in response.content.decode()


@pytest.mark.parametrize("name", ["core:home", "core:metric_detail"])
def test_the_dashboard_reads_the_org_as_every_page(personas, login, name):
    """?org= on the dashboard and a figure's page: 404 when it cannot be an id, is unknown or
    lies outside the user's scope (another branch); the user's own branch, or none, is theirs."""
    args = ["people.active"] if name == "core:metric_detail" else []
    url = reverse(name, args=args)
    client = login(personas.admin_a)
    tree = personas.tree
    assert client.get(url, {"org": "abc"}).status_code == 404
    assert client.get(url, {"org": tree.branch_b.pk}).status_code == 404
    assert client.get(url, {"org": "99999999"}).status_code == 404
    for query in ({"org": tree.branch_a.pk}, {}):
        response = client.get(url, query)
        assert response.status_code == 200
        assert response.context["scope"].organization == tree.branch_a


def test_the_dashboard_asks_the_one_reader_for_its_org(personas, login, monkeypatch):
    asked = []

    def reader(request, perm, **kwargs):
        asked.append(perm)
        return organization_from_request(request, perm, **kwargs)

    monkeypatch.setattr(views_dashboard, "organization_from_request", reader)
    client = login(personas.admin_a)
    assert client.get(reverse("core:home"), {"org": personas.tree.branch_a.pk}).status_code == 200
    assert client.get(reverse("core:metric_detail", args=["people.active"])).status_code == 200
    assert asked == [scoping.METRICS_VIEW, scoping.METRICS_VIEW]
    # Without metrics.view anywhere: the member home, and no figure page.
    member = login(personas.member)
    assert member.get(reverse("core:metric_detail", args=["people.active"])).status_code == 403
