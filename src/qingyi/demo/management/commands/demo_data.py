"""``manage.py demo_data``: the fictional demo hospital, with one login per role.

Run by ``make run`` right after ``migrate``. If the demo committee is already there it only
prints the logins; ``--reset`` empties the database and builds it again.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from qingyi.demo import hospital as demo


class Command(BaseCommand):
    help = (
        f"Load the fictional demo hospital ({demo.COMMITTEE_NAME}): organisations, party branches, "
        "departments, people, cadres, elections and one login per role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--people",
            type=int,
            default=demo.HOSPITAL_PEOPLE,
            help="Size of the roster (default %(default)s).",
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help="Random seed (default %(default)s)."
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the WHOLE database (manage.py flush) first, then build the demo again.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run with DEBUG off. The demo logins have a published password: never on a real database.",
        )

    def handle(self, *args, people: int, seed: int, reset: bool, force: bool, **options):
        if not (settings.DEBUG or settings.TESTING or force):
            raise CommandError(
                "The demo has logins with a published password; it runs only with DEBUG=true "
                "(or --force, on a database that will never hold real people)."
            )
        if people < demo.MIN_PEOPLE_PER_HOSPITAL:
            raise CommandError(f"--people must be at least {demo.MIN_PEOPLE_PER_HOSPITAL}.")
        if reset:
            call_command("flush", interactive=False, verbosity=0)
            self.stdout.write("Database emptied.")
        elif demo.demo_exists():
            self.stdout.write(f"The demo hospital {demo.COMMITTEE_NAME} is already there; nothing added.")
            self._print_accounts(demo.demo_accounts())
            return
        report = demo.build(people=people, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Built {demo.COMMITTEE_NAME} in {report.seconds:.1f} s: "
                f"{report.organizations} organisations, "
                f"{report.party_branches} party branches, {report.departments} departments, "
                f"{report.people:,} people, {report.elections} elections, {report.positions} positions."
            )
        )
        if report.domains:
            self.stdout.write(
                "Domains: "
                + ", ".join(f"{count:,} {kind.replace('_', ' ')}" for kind, count in report.domains.items())
            )
        self._print_accounts(report.accounts)

    def _print_accounts(self, accounts: list[demo.DemoAccount]) -> None:
        if not accounts:
            self.stdout.write("No demo logins found.")
            return
        self.stdout.write("Demo logins (log in at /accounts/login/ with the username or the member's phone):")
        width = max(len(a.username) for a in accounts)
        for a in accounts:
            self.stdout.write(
                f"  {a.username:<{width}}  {a.password:<12}  {a.role} · {a.organization} · {a.person}"
            )
