import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qingyi.organizations.models import Position
from qingyi.people import services
from qingyi.people.models import ChangeRequest, Person, Transfer
from tests.factories import PersonFactory, form_payload, id_number_for, years_ago


def _data(**overrides):
    birth = years_ago(24, days=10)
    data = {
        "name": "新同志",
        "gender": "female",
        "birth_date": birth,
        "id_number": id_number_for(birth, 7),
        "political_status": "league_member",
        "league_joined_on": birth.replace(year=birth.year + 16),
        "development_number": f"{birth.year + 16}50010001",
        "employee_number": "N0001",
        "phone": "13912345678",
    }
    data.update(overrides)
    return data


def test_person_create_with_valid_data(personas):
    person = services.person_create(organization=personas.tree.branch_a, data=_data(), actor=personas.admin_a)
    assert person.pk and person.history.count() == 1
    assert person.history.first().history_user == personas.admin_a


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"birth_date": years_ago(8), "id_number": None}, "birth_date", "impossible"),
        ({"birth_date": dt.date.today() + dt.timedelta(days=2), "id_number": None}, "birth_date", "future"),
        ({"id_number": "500118199001011234"}, "id_number", "check digit"),
        ({"id_number": "12345"}, "id_number", "18 characters"),
        ({"development_number": "12345"}, "development_number", "12 digits"),
        ({"development_number": "199950010001"}, "development_number", "starts with 1999"),
        ({"development_number": ""}, "development_number", "required"),
        ({"league_joined_on": None}, "league_joined_on", "needs the date"),
        ({"phone": "12345"}, "phone", "not a phone number"),
    ],
)
def test_bad_values_are_refused_with_a_reason(personas, overrides, field, message):
    with pytest.raises(ValidationError) as info:
        services.person_create(
            organization=personas.tree.branch_a, data=_data(**overrides), actor=personas.admin_a
        )
    assert any(message in m for m in info.value.message_dict[field]), info.value.message_dict
    assert not Person.objects.filter(name="新同志").exists()


def test_joining_age_outside_14_to_28_is_refused(personas):
    birth = years_ago(40)
    data = _data(
        birth_date=birth,
        id_number=id_number_for(birth, 3),
        league_joined_on=birth.replace(year=birth.year + 30),
        development_number=f"{birth.year + 30}50010001",
    )
    with pytest.raises(ValidationError, match="between 14 and 28"):
        services.person_create(organization=personas.tree.branch_a, data=data, actor=personas.admin_a)


def test_birth_date_must_match_the_id_number(personas):
    data = _data(birth_date=years_ago(25, days=3))
    with pytest.raises(ValidationError, match="does not match the ID number"):
        services.person_create(organization=personas.tree.branch_a, data=data, actor=personas.admin_a)


def test_duplicate_numbers_name_the_holder(personas):
    data = _data(employee_number=personas.person_b.employee_number)
    with pytest.raises(ValidationError, match="乙支部人"):
        services.person_create(organization=personas.tree.branch_a, data=data, actor=personas.committee_admin)


def test_admin_of_a_cannot_create_in_b(personas):
    with pytest.raises(PermissionDenied):
        services.person_create(organization=personas.tree.branch_b, data=_data(), actor=personas.admin_a)


def test_two_admins_editing_the_same_person_do_not_overwrite_each_other(personas):
    person = personas.person_a
    version = person.version
    services.person_update(
        person=person, data={"phone": "13911111111"}, expected_version=version, actor=personas.admin_a
    )
    with pytest.raises(ValidationError, match="Someone else changed this record"):
        services.person_update(
            person=person,
            data={"phone": "13922222222"},
            expected_version=version,
            actor=personas.committee_admin,
        )
    person.refresh_from_db()
    assert person.phone == "13911111111"
    assert person.history.count() == 2


def test_edit_form_shows_the_conflict(personas, login):
    person = personas.person_a
    client = login(personas.admin_a)
    url = reverse("people:edit", args=[person.pk])
    form = client.get(url).context["form"]
    payload = form_payload(form)
    services.person_update(
        person=person,
        data={"ethnicity": "汉族"},
        expected_version=person.version,
        actor=personas.committee_admin,
    )
    payload["phone"] = "13933333333"
    response = client.post(url, payload)
    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    person.refresh_from_db()
    assert person.phone != "13933333333" and person.ethnicity == "汉族"


def test_age_out_only_when_due_and_keeps_the_date(personas):
    tree = personas.tree
    young = personas.person_a
    with pytest.raises(ValidationError, match="not due"):
        services.person_age_out(person=young, on=dt.date.today(), actor=personas.admin_a)
    old = PersonFactory(organization=tree.branch_a, birth_date=years_ago(29))
    holder = PersonFactory(organization=tree.branch_a, birth_date=years_ago(30))
    Position.objects.create(
        person=holder, organization=tree.branch_a, title="secretary", start_on=dt.date(2023, 1, 1)
    )
    with pytest.raises(ValidationError):
        services.person_age_out(person=holder, on=dt.date.today(), actor=personas.admin_a)
    services.person_age_out(person=old, on=dt.date.today(), actor=personas.admin_a)
    old.refresh_from_db()
    assert old.status == Person.Status.AGED_OUT and old.status_changed_on == dt.date.today()


def test_transfer_is_approved_by_the_receiver_only(personas):
    person = personas.person_a
    transfer = services.transfer_request(
        person=person, to_organization=personas.tree.branch_b, actor=personas.admin_a
    )
    with pytest.raises(PermissionDenied):
        services.transfer_approve(transfer=transfer, actor=personas.admin_a)
    services.transfer_approve(transfer=transfer, actor=personas.admin_b)
    person.refresh_from_db()
    assert person.organization == personas.tree.branch_b
    with pytest.raises(ValidationError, match="already been decided"):
        services.transfer_refuse(transfer=transfer, reason="late", actor=personas.admin_b)


def test_transfer_refusal_needs_a_reason(personas):
    transfer = services.transfer_request(
        person=personas.person_a, to_organization=personas.tree.branch_b, actor=personas.admin_a
    )
    with pytest.raises(ValidationError, match="reason"):
        services.transfer_refuse(transfer=transfer, reason=" ", actor=personas.admin_b)
    services.transfer_refuse(transfer=transfer, reason="名额已满", actor=personas.admin_b)
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REFUSED and transfer.reason == "名额已满"
    personas.person_a.refresh_from_db()
    assert personas.person_a.organization == personas.tree.branch_a


def test_transfer_to_an_archived_organisation_is_refused(personas):
    from qingyi.organizations.services import organization_archive, organization_create

    empty = organization_create(
        parent=personas.tree.general, name="空", kind="branch", actor=personas.committee_admin
    )
    organization_archive(organization=empty, actor=personas.committee_admin)
    with pytest.raises(ValidationError, match="archived"):
        services.transfer_request(person=personas.person_a, to_organization=empty, actor=personas.admin_a)
    assert not Transfer.objects.exists()


def test_one_pending_transfer_at_a_time(personas):
    services.transfer_request(
        person=personas.person_a, to_organization=personas.tree.branch_b, actor=personas.admin_a
    )
    with pytest.raises(ValidationError, match="already has a transfer"):
        services.transfer_request(
            person=personas.person_a, to_organization=personas.tree.admin_branch, actor=personas.admin_a
        )


def test_member_changes_wait_for_approval(personas):
    member = personas.member_person
    with pytest.raises(ValidationError, match="cannot be changed by members"):
        services.change_request_create(person=member, changes={"name": "改名"}, actor=personas.member)
    request = services.change_request_create(
        person=member, changes={"phone": "13800138000"}, actor=personas.member
    )
    member.refresh_from_db()
    assert member.phone != "13800138000"
    with pytest.raises(PermissionDenied):
        services.change_request_approve(request=request, actor=personas.admin_b)
    services.change_request_approve(request=request, actor=personas.admin_a)
    member.refresh_from_db()
    assert member.phone == "13800138000"
    assert ChangeRequest.objects.get(pk=request.pk).status == "approved"


def test_member_cannot_change_someone_else(personas):
    with pytest.raises(PermissionDenied):
        services.change_request_create(
            person=personas.person_a, changes={"phone": "13800138000"}, actor=personas.member
        )


def test_member_bad_phone_is_refused(personas):
    with pytest.raises(ValidationError, match="not a phone number"):
        services.change_request_create(
            person=personas.member_person, changes={"phone": "abc"}, actor=personas.member
        )
    assert not ChangeRequest.objects.exists()


def test_a_transfer_stays_within_one_hospital_whoever_calls_the_service(personas):
    """The rule lived in the page only (its list of targets); the API or a command calling the
    service could move a person into another hospital's tree."""
    from qingyi.organizations.models import Organization

    other = Organization.objects.add_root(
        create_kwargs={"name": "另一医院团委", "kind": Organization.Kind.COMMITTEE}
    )
    branch = Organization.objects.add_child(
        other, create_kwargs={"name": "另一医院团支部", "kind": Organization.Kind.BRANCH}
    )
    assert not branch.same_hospital(personas.tree.branch_a)
    assert personas.tree.branch_b.same_hospital(personas.tree.branch_a)
    with pytest.raises(ValidationError, match="another hospital"):
        services.transfer_request(person=personas.person_a, to_organization=branch, actor=personas.admin_a)
    with pytest.raises(ValidationError, match="another hospital"):
        services.transfer_request(
            person=personas.person_a, to_organization=branch, actor=personas.committee_admin
        )
    assert not Transfer.objects.exists()
