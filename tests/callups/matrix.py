"""Branch B's call-up for the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations


def objects_of_b(personas) -> dict:
    from qingyi.callups import services
    from tests.callups.conftest import make_volunteer, open_callup

    tree = personas.tree
    make_volunteer(tree.branch_b, name="乙支部志愿者")
    callup = open_callup(personas.admin_b, tree.branch_b, title="乙支部动员")
    services.callup_post_add(callup=callup, name="采样", needed=2, actor=personas.admin_b)
    services.callup_send(
        callup=callup, targeting=services.Targeting(organization=tree.branch_b), actor=personas.admin_b
    )
    return {"callup_pk": callup.pk, "api_ids": {"callups": callup.pk}}


# Opening, sending, filling and closing a call-up are the coordinator's work; tests/callups
# proves who may do it. (The volunteer's answer page is theirs only: 404 for a coordinator.)
COORDINATOR_ROUTES = ("callups/<id:callup_pk>/*",)
# The answer page is for the call-up's recipients only (neither persona is one).
EXPECTED_FOR_B = {"callups/<id:callup_pk>/answer/": 404}
