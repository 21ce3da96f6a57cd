"""Branch B's objects of core for the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations


def objects_of_b(personas) -> dict:
    from qingyi.core.notifications import notify

    # A notification of branch B's admin: nobody else may read or mark it.
    (notification,) = notify(users=[personas.admin_b], title="乙支部人", channels=())
    return {"notification_pk": notification.pk}
