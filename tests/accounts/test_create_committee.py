import pytest
from django.core.management import CommandError, call_command

from qingyi.accounts.models import Role, RoleAssignment
from qingyi.organizations.models import Organization


def test_create_committee_sets_up_root_and_admin(db, capsys):
    call_command("create_committee", "示例医院团委", admin="A0001")
    out = capsys.readouterr().out
    committee = Organization.objects.get(depth=1)
    assert committee.name == "示例医院团委" and committee.kind == "committee"
    assignment = RoleAssignment.objects.get(role=Role.COMMITTEE_ADMIN)
    password = out.split("one-time password: ")[1].split()[0]
    assert assignment.user.check_password(password)


def test_create_committee_refuses_a_second_time(db):
    call_command("create_committee", "示例医院团委", admin="A0001")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_committee", "另一个", admin="A0002")
    assert Organization.objects.count() == 1
