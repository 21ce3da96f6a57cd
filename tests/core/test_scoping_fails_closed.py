"""Scoping fails closed: during a request, a query of a person's data that bypasses the scoping
helpers raises ScopeError (tests run with QINGYI_SCOPES_STRICT on), see core/scoping.py."""

from __future__ import annotations

import logging

import pytest
from django.db.models import Count
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from qingyi.core.middleware import ScopeMiddleware
from qingyi.escorts.models import EscortRequest
from qingyi.organizations import scoping
from qingyi.people.models import Person
from qingyi.people.selectors import people_for
from qingyi.volunteering.models import Volunteer


def leaky_view(request):
    """What a careless view would do: every person of the hospital, whoever asks."""
    return HttpResponse(", ".join(Person.objects.values_list("name", flat=True)))


def scoped_view(request):
    return HttpResponse(", ".join(people_for(request.user).values_list("name", flat=True)))


urlpatterns = [path("leak/", leaky_view), path("scoped/", scoped_view)]


@pytest.mark.urls(__name__)
def test_an_unscoped_query_in_a_view_raises(personas, login):
    client = login(personas.admin_a)
    with pytest.raises(scoping.ScopeError, match="Person queried outside the scoping helpers"):
        client.get("/leak/")
    body = client.get("/scoped/").content.decode()
    assert "甲支部人" in body and "乙支部人" not in body


@pytest.mark.urls(__name__)
def test_a_token_bearing_request_is_checked_too(personas, client):
    """API tokens are read inside the view, after the middleware: the header marks the request."""
    with pytest.raises(scoping.ScopeError):
        client.get("/leak/", HTTP_AUTHORIZATION="Bearer x")


@pytest.mark.urls(__name__)
def test_an_anonymous_request_is_not_marked(personas, client):
    """Public forms and capability links run anonymously; they read what they need by design."""
    assert "乙支部人" in client.get("/leak/").content.decode()


def _in_request(user, read):
    request = RequestFactory().get("/")
    request.user = user
    results = []
    ScopeMiddleware(lambda r: results.append(read(r)) or HttpResponse())(request)
    return results[0]


@pytest.mark.parametrize("model", [Person, Volunteer, EscortRequest])
@pytest.mark.parametrize(
    "read",
    [
        lambda qs: list(qs),
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.first(),
        lambda qs: list(qs.filter(pk=1).values_list("pk")),
        lambda qs: list(qs.iterator()),
        lambda qs: qs.aggregate(n=Count("pk")),
    ],
    ids=["list", "count", "exists", "first", "values_list", "iterator", "aggregate"],
)
def test_every_way_of_reading_a_scoped_model_is_checked(personas, model, read):
    with pytest.raises(scoping.ScopeError):
        _in_request(personas.admin_a, lambda request: read(model.objects.all()))


def test_the_helpers_and_explicit_reasons_pass(personas):
    admin_a = personas.admin_a

    def reads(request):
        return {
            "scope": sorted(people_for(admin_a).values_list("name", flat=True)),
            "get_object_for_user": scoping.get_object_for_user(
                Person.objects.all(),
                admin_a,
                view_perm=scoping.PEOPLE_VIEW,
                path_field="organization__path",
                pk=personas.person_a.pk,
            ).name,
            "unscoped block": _count_unscoped(),
            "unscoped queryset": Person.objects.unscoped("a test").count(),
            # A related manager of an object already held (its organisation was checked).
            "related manager": personas.tree.branch_b.people.count(),
            "none": list(Person.objects.none()),
        }

    result = _in_request(admin_a, reads)
    assert "乙支部人" not in result["scope"] and "甲支部人" in result["scope"]
    assert result["get_object_for_user"] == "甲支部人"
    assert result["unscoped block"] == result["unscoped queryset"] == Person.objects.count()
    assert result["related manager"] == 1
    assert result["none"] == []


def _count_unscoped() -> int:
    with scoping.unscoped("a duplicate check across the hospital"):
        return Person.objects.count()


def test_a_reason_is_required():
    with pytest.raises(ValueError):
        Person.objects.unscoped("")
    with pytest.raises(ValueError), scoping.unscoped(""):
        pass


def test_outside_a_request_nothing_is_checked(personas):
    """Commands, tasks and tests calling services directly read freely."""
    assert Person.objects.count() == 3


def test_without_the_strict_setting_a_warning_is_logged(personas, settings, caplog):
    settings.QINGYI_SCOPES_STRICT = False
    with caplog.at_level(logging.WARNING, logger="qingyi.core.scoping"):
        count = _in_request(personas.admin_a, lambda request: Person.objects.count())
    assert count == 3
    assert "Person queried outside the scoping helpers" in caplog.text
