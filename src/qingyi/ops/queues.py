"""The task queue as the operator sees it: reachable or not, and how many tasks wait.

Reads whichever tasks backend is configured: the database worker's table (django-tasks-db,
the embedded default), RQ on Redis (django-tasks-rq, when REDIS_URL is set), or the immediate
backend of tests and development, which has no queue.
"""

from __future__ import annotations

from django_tasks import task_backends


def _backend():
    return task_backends["default"]


def backend_kind() -> str:
    """``database``, ``redis`` or ``immediate`` (any other backend: its class name)."""
    name = type(_backend()).__name__
    return {"DatabaseBackend": "database", "RQBackend": "redis", "ImmediateBackend": "immediate"}.get(
        name, name
    )


def queue_depths() -> dict[str, int]:
    """Tasks waiting to run, per queue name. Raises if the queue cannot be reached."""
    backend = _backend()
    kind = backend_kind()
    if kind == "database":
        from django.db.models import Count
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        rows = (
            DBTaskResult.objects.filter(status=TaskResultStatus.READY)
            .values("queue_name")
            .annotate(n=Count("id"))
            .order_by()
        )
        depths = dict.fromkeys(backend.queues, 0) if backend.queues else {"default": 0}
        depths.update({row["queue_name"]: row["n"] for row in rows})
        return depths
    if kind == "redis":
        import django_rq

        return {name: django_rq.get_queue(name).count for name in sorted(backend.queues)}
    return {}


def queue_ping() -> None:
    """Raise if the task queue cannot be reached (the database's table, or Redis)."""
    kind = backend_kind()
    if kind == "redis":
        import django_rq

        for name in _backend().queues:
            django_rq.get_queue(name).connection.ping()
    elif kind == "database":
        queue_depths()
