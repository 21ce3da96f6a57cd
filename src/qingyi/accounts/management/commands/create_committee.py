"""Set up a new installation: the hospital's league committee and its first admin."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qingyi.accounts.models import Role, RoleAssignment, User
from qingyi.accounts.services import temporary_password
from qingyi.organizations.models import Organization
from qingyi.organizations.services import organization_create_root


class Command(BaseCommand):
    help = "Create the committee at the top of the tree and its first admin (once per installation)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The committee's name, e.g. 某某医院团委")
        parser.add_argument("--admin", required=True, help="The first admin's login name (employee number)")
        parser.add_argument("--phone", default=None, help="The first admin's phone (also a login)")

    @transaction.atomic
    def handle(self, *args, name: str, admin: str, phone: str | None, **options):
        name, admin = name.strip(), admin.strip()
        if not name or not admin:
            raise CommandError("The committee's name and the admin's login name are required.")
        if Organization.objects.filter(depth=1).exists():
            raise CommandError("A committee already exists; this installation is set up.")
        if User.objects.filter(username=admin).exists():
            raise CommandError(f"A login named {admin!r} already exists.")
        committee = organization_create_root(name=name)
        password = temporary_password()
        user = User(username=admin, phone=phone or None, is_staff=True)
        user.set_password(password)
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.COMMITTEE_ADMIN, organization=committee)
        self.stdout.write(f"Created {committee.name}.")
        self.stdout.write(f"Committee admin: {admin}  one-time password: {password}")
        self.stdout.write("Change the password after logging in.")
