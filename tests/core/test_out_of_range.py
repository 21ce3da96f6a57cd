"""Out-of-range numbers in URLs and query strings: a 404 or a 400 with a message, never a 500.

An id of 2**63 does not fit the database's BIGINT (SQLite raised OverflowError, PostgreSQL
"value out of range"), a page number of 2**63 or a year of 99999 overflowed the paginator and
the date arithmetic. Every URL pattern joins this walk automatically (``all_patterns`` of the
permission matrix).
"""

from __future__ import annotations

import pytest

from tests.test_permission_matrix import all_patterns, fill

HUGE = (2**63, 10**30)
LOGIN = "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"


def _server_errors(client, paths, method="get"):
    client.raise_request_exception = False
    errors = []
    for path in paths:
        response = getattr(client, method)(path)
        if response.status_code >= 500:
            errors.append(f"{method.upper()} {path} -> {response.status_code}")
    return errors


@pytest.mark.parametrize("persona", ["committee_admin", "member"])
def test_every_url_pattern_with_a_huge_id_is_never_a_server_error(personas, client, persona):
    client.force_login(getattr(personas, persona), backend=LOGIN)
    paths = [
        fill(route, dict.fromkeys(keys, huge)) for route, keys in all_patterns() if keys for huge in HUGE
    ]
    assert paths
    errors = _server_errors(client, paths) + _server_errors(client, paths, "post")
    assert not errors, "\n".join(errors)


NASTY_QUERIES = {
    "page": str(2**63),
    "page_size": str(10**30),
    "year": "99999",
    "period": "99999-01",
    "org": str(10**30),
    "department": str(2**63),
    "person": "²",  # "²".isdigit() is true, int("²") fails
    "key": str(10**30),
    "month": "99999-01",
}


def _nasty_paths():
    paths = []
    for route, keys in all_patterns():
        if keys:
            continue
        base = fill(route, {})
        paths.extend(f"{base}?{name}={value}" for name, value in NASTY_QUERIES.items())
    return paths


@pytest.mark.parametrize("persona", ["committee_admin", "member"])
def test_out_of_range_query_parameters_on_every_list_export_and_api_are_never_a_server_error(
    personas, client, persona
):
    client.force_login(getattr(personas, persona), backend=LOGIN)
    errors = _server_errors(client, _nasty_paths())
    assert not errors, "\n".join(errors)


def test_the_answers_say_what_was_wrong(personas, client):
    """Not only "no 500": a 404 for an id that cannot exist, a 422 naming the field in the API,
    the period's message on a page."""
    client.force_login(personas.committee_admin, backend=LOGIN)
    assert client.get(f"/people/{2**63}/").status_code == 404
    assert client.get(f"/?org={10**30}").status_code == 404
    api = client.get(f"/api/v1/people?page={2**63}")
    assert api.status_code == 422 and "page" in api.content.decode()
    api = client.get("/api/v1/growth/trainings?year=99999")
    assert api.status_code == 422 and "year" in api.content.decode()
    api = client.get("/api/v1/metrics/people.active?period=3000")
    assert api.status_code == 422 and "3000" in api.json()["detail"]
    page = client.get("/?period=3000").content.decode()
    assert "The year 3000 is out of range" in page


def test_ids_and_years_are_parsed_once_with_bounds():
    from qingyi.core.params import MAX_ID, parse_id
    from qingyi.core.periods import Period, PeriodError

    assert parse_id(str(MAX_ID)) == MAX_ID and parse_id(str(MAX_ID + 1)) is None
    assert parse_id("²") is None and parse_id("-1") is None and parse_id("0") is None
    assert parse_id("1" * 5000) is None  # never handed to int()
    for text in ("3000", "1899-Q1", "99999", "9999-12", "2025-01-01..3000-01-01"):
        with pytest.raises(PeriodError):
            Period.parse(text)
    with pytest.raises(PeriodError):
        Period.year(99999)
    assert Period.parse("2999-Q4").label == "2999-Q4"
