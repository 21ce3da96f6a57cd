"""The pages where logins meet the roster: the member's profile (their record, positions, roles
and API tokens, a change request), a person's login (create, reset) and an organisation's roles
(granting one to a person with a login). The rules are accounts.services'; these pages read
people, so they stand on the people floor. Their routes keep their names in the ``accounts``
namespace (``accounts:profile`` ...), assembled by the project's URLconf.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.accounts import services
from qingyi.accounts.forms import RoleForm, TokenForm
from qingyi.accounts.models import Role, RoleAssignment, User
from qingyi.organizations import scoping
from qingyi.organizations.scoping import subtree_ids
from qingyi.organizations.selectors import organization_for_user, positions_of
from qingyi.people.forms import ChangeRequestForm
from qingyi.people.models import Person
from qingyi.people.selectors import people_for
from qingyi.people.services import change_request_create


@login_required
@require_GET
def profile(request):
    person = getattr(request.user, "person", None)
    context = {
        "person": person,
        "positions": positions_of(person) if person else [],
        "tokens": request.user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at"),
        "token_form": TokenForm(),
        "new_token": request.session.pop("new_token", None),
        "roles": sorted(
            {(g.role, str(dict(scoping.Role.choices)[g.role])) for g in scoping.grants(request.user)}
        ),
        "change_form": ChangeRequestForm(person=person) if person else None,
        "pending_change": person.change_requests.filter(status="pending").first() if person else None,
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def change_request_new(request):
    person = getattr(request.user, "person", None)
    if person is None:
        messages.error(request, _("Your account is not linked to a roster record."))
        return redirect("accounts:profile")
    form = ChangeRequestForm(request.POST, person=person)
    if form.is_valid():
        try:
            change_request_create(person=person, changes=form.changes(), actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your change is waiting for your organisation admin's approval."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("accounts:profile")


def _person_to_manage(user, person_pk: int):
    return scoping.get_object_for_user(
        Person.objects.select_related("organization", "user"),
        user,
        view_perm=scoping.PEOPLE_VIEW,
        path_field="organization__path",
        need=scoping.PEOPLE_MANAGE,
        pk=person_pk,
    )


def _show_password(request, person, password: str, title: str):
    """The one-time password page: shown once, never stored in clear."""
    response = render(
        request, "accounts/one_time_password.html", {"person": person, "password": password, "title": title}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def person_login_create(request, person_pk: int):
    person = _person_to_manage(request.user, person_pk)
    try:
        _user, password = services.account_create_for_person(person=person, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("people:detail", person.pk)
    return _show_password(request, person, password, _("Login created for %(name)s") % {"name": person.name})


@login_required
@require_POST
def person_password_reset(request, person_pk: int):
    person = _person_to_manage(request.user, person_pk)
    try:
        password = services.account_reset_password(person=person, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("people:detail", person.pk)
    return _show_password(request, person, password, _("New password for %(name)s") % {"name": person.name})


def _grantable_roles(user, organization):
    roles = [(r, Role(r).label) for r in services.GRANTABLE_BY_ORG_ADMIN]
    if scoping.has_perm(user, scoping.SETTINGS_MANAGE, organization):
        roles.insert(0, (Role.COMMITTEE_ADMIN, Role.COMMITTEE_ADMIN.label))
    return roles


@login_required
@require_http_methods(["GET", "POST"])
def role_list(request, org_pk: int):
    organization = organization_for_user(request.user, org_pk, need=scoping.ORG_MANAGE)
    # Only people whose login the admin may act on (accounts.services.logins_within_reach).
    reachable = services.logins_within_reach(request.user, User.objects.all(), perm=scoping.ORG_MANAGE)
    people = (
        people_for(request.user)
        .filter(organization__in=subtree_ids(organization.path), user__in=reachable, status="active")
        .select_related("organization")
        .order_by("name")
    )
    form = RoleForm(request.POST or None, people=people, roles=_grantable_roles(request.user, organization))
    if request.method == "POST" and form.is_valid():
        try:
            services.role_grant(
                user=form.cleaned_data["person"].user,
                role=form.cleaned_data["role"],
                organization=organization,
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Role granted."))
            return redirect("accounts:role_list", organization.pk)
    assignments = list(
        RoleAssignment.objects.filter(organization=organization)
        .select_related("user", "user__person")
        .order_by("role", "user__username")
    )
    # The Remove button only where the rule lets this admin act on the login.
    within_reach = set(
        services.logins_within_reach(
            request.user,
            User.objects.filter(pk__in={a.user_id for a in assignments}),
            perm=scoping.ORG_MANAGE,
        ).values_list("pk", flat=True)
    )
    for assignment in assignments:
        assignment.can_remove = assignment.user_id in within_reach
    return render(
        request,
        "accounts/role_list.html",
        {"organization": organization, "assignments": assignments, "form": form},
    )
