"""200 volunteers sign up for a shift of 20 places at the same moment: exactly 20 get a
place, 180 wait, nobody gets an error — on SQLite (IMMEDIATE transactions, busy timeout)
and on PostgreSQL (the shift's row locked with SELECT ... FOR UPDATE)."""

import threading

import pytest
from django.db import connection, connections

from qingyi.accounts.models import Role, User
from qingyi.volunteering import services
from qingyi.volunteering.models import Project, Signup, Volunteer
from tests.concurrency import file_database_for_threads
from tests.factories import grant, make_tree
from tests.volunteering.conftest import make_shift

N = 200


PLACES = 20
# Connections open at once on PostgreSQL (its max_connections is shared with other users).
POSTGRES_POOL = 20


@pytest.mark.django_db(transaction=True)
def test_two_hundred_simultaneous_signups_fill_exactly_twenty_places(tmp_path):
    committee, _g, branch_a, _b, _admin = make_tree()
    project = Project.objects.create(organization=committee, name="陪诊")
    shift = make_shift(project, capacity=PLACES)
    users = User.objects.bulk_create([User(username=f"v{i}") for i in range(N)])
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(kind=Volunteer.Kind.SOCIAL, organization=branch_a, user=u, name=f"志愿者{i}")
            for i, u in enumerate(users)
        ]
    )
    grant(users[0], Role.MEMBER, branch_a)
    barrier = threading.Barrier(N)
    errors: list[BaseException] = []

    # PostgreSQL serves a bounded number of connections (a server's pool); requests queue for
    # one, as behind gunicorn. SQLite opens one per thread.
    pool = threading.BoundedSemaphore(POSTGRES_POOL if connection.vendor == "postgresql" else N)

    def sign_up(volunteer):
        try:
            barrier.wait(timeout=60)
            with pool:
                try:
                    services.signup_create(shift=shift, volunteer=volunteer, actor=volunteer.user)
                finally:
                    connections.close_all()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    counts = {}

    def count():
        counts["confirmed"] = Signup.objects.filter(shift=shift, status=Signup.Status.CONFIRMED).count()
        counts["waiting"] = Signup.objects.filter(shift=shift, status=Signup.Status.WAITING).count()
        connections.close_all()

    with file_database_for_threads(tmp_path):
        threads = [threading.Thread(target=sign_up, args=(v,)) for v in volunteers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        counter = threading.Thread(target=count)
        counter.start()
        counter.join()
    assert errors == []
    assert counts == {"confirmed": PLACES, "waiting": N - PLACES}
