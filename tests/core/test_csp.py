"""The Content-Security-Policy (issue 7, hole 8): every page carries the header, and no page
holds code the policy would block — an inline <script>, an on*= handler, a style= attribute,
a <style> element, a javascript: URL or an htmx hx-on attribute.

The pages are every GET route of the URLconf (the permission matrix's walk), as the committee
admin (with branch B's objects, which the committee admin may open), as a member and as an
anonymous visitor; each page also as an htmx request, which answers with a fragment.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.test_permission_matrix import all_patterns, fill
from tests.test_permission_matrix import world as world  # a fixture: branch B's objects

BACKEND = "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"
EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "connect-src": "'self'",
}


class InlineCode(HTMLParser):
    """Collects what a strict policy (no 'unsafe-inline') blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self.found.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> element at line {self.getpos()[0]}")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'style="{value}" on <{tag}> at line {self.getpos()[0]}')
            elif name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"{name}= on <{tag}> at line {self.getpos()[0]}")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{name}=javascript: on <{tag}> at line {self.getpos()[0]}")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def policy(response) -> dict[str, str]:
    header = response.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


def test_the_policy_is_strict(client, db):
    directives = policy(client.get("/accounts/login/"))
    for name, value in EXPECTED.items():
        assert directives.get(name) == value, f"{name}: {directives.get(name)!r}"
    assert "unsafe-inline" not in str(directives) and "unsafe-eval" not in str(directives)
    assert "nonce-" not in str(directives)


def test_the_parser_finds_what_the_policy_blocks():
    html = (
        '<script src="/static/a.js"></script><script type="application/json" id="d">{}</script>'
        '<script>alert(1)</script><div style="color:red" onclick="x()"></div><style>p{}</style>'
        '<a href="javascript:void(0)">x</a><button hx-on:click="x()"></button><svg style="width:1px"/>'
    )
    found = inline_code(html)
    assert len(found) == 7, found


def _html_pages(client, routes, values, *, htmx=False):
    """(path, response) of each route that answers a GET with an HTML page."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for route, kwargs in routes:
        if route.startswith("api/") and not route.startswith("api/v1/docs"):
            continue  # JSON
        if any(k not in values for k in kwargs):
            continue
        path = fill(route, values)
        response = client.get(path, **headers)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            yield path, response


def _check(client, routes, values, who):
    problems = []
    pages = 0
    for htmx in (False, True):
        for path, response in _html_pages(client, routes, values, htmx=htmx):
            pages += 1
            label = f"{who} GET {path}{' (htmx)' if htmx else ''}"
            if "Content-Security-Policy" not in response:
                problems.append(f"{label}: no Content-Security-Policy header")
            body = b"".join(response.streaming_content) if response.streaming else response.content
            problems += [f"{label}: {item}" for item in inline_code(body.decode("utf-8", "replace"))]
    return pages, problems


def test_no_page_of_the_committee_admin_holds_inline_code(world, client):
    personas, objects_of_b = world
    client.force_login(personas.committee_admin, backend=BACKEND)
    values = dict(objects_of_b, id=personas.tree.branch_b.pk)
    pages, problems = _check(client, all_patterns(), values, "committee admin")
    assert not problems, "\n".join(problems)
    assert pages > 80, pages  # the walk reached the pages (with and without htmx)


@pytest.mark.parametrize("persona", ["member", None])
def test_no_page_of_a_member_or_a_visitor_holds_inline_code(world, client, persona):
    personas, _objects = world
    if persona:
        client.force_login(getattr(personas, persona), backend=BACKEND)
    routes = [(route, kwargs) for route, kwargs in all_patterns() if not kwargs]
    pages, problems = _check(client, routes, {}, persona or "anonymous")
    assert not problems, "\n".join(problems)
    assert pages > (15 if persona else 3), pages


def test_no_django_admin_page_holds_inline_code(client, db):
    """The Django admin (/django-admin/, for superusers) runs under the same policy."""
    from django.contrib import admin

    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True), backend=BACKEND)
    paths = ["/django-admin/"] + [
        f"/django-admin/{model._meta.app_label}/{model._meta.model_name}/" for model in admin.site._registry
    ]
    problems = []
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Content-Security-Policy" in response, path
        problems += [f"GET {path}: {item}" for item in inline_code(response.content.decode())]
    assert not problems, "\n".join(problems)
    assert len(paths) > 5
