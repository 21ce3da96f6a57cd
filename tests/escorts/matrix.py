"""Branch B's escort objects for the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations


def objects_of_b(personas) -> dict:
    from tests.escorts.conftest import file_request

    escort, _token = file_request(name="乙支部人", organization=personas.tree.branch_b, ip="10.9.9.9")
    return {
        "escort_pk": escort.pk,
        # The patient's link is its own capability (anyone holding it sees the masked request):
        # the matrix checks that a guessed token gives nothing.
        "token": "guessed-token-0000000000000000",
        "api_ids": {"escorts": escort.pk},
    }


# The public form and the patient's link need no login (a wrong token is still a 404).
PUBLIC_ROUTES = ("escorts/request/",)
# Dispatching (assign, start, complete, cancel) is the coordinator's work; tests/escorts proves
# who may do it.
COORDINATOR_ROUTES = (
    "escorts/<id:escort_pk>/assign/",
    "escorts/<id:escort_pk>/start/",
    "escorts/<id:escort_pk>/complete/",
    "escorts/<id:escort_pk>/cancel/",
)
# The stand-in token is a guessed one: nobody's.
FOREIGN_KWARGS = ("token",)
