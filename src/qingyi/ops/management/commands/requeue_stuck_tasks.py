"""Put back in the queue the database tasks (django-tasks-db) left RUNNING by a dead worker.

django-tasks-db marks a task RUNNING when a ``db_worker`` claims it and has no option to take
it back if that worker dies (SIGKILL, OOM, power loss): the task stays RUNNING for ever. Run
this before the worker starts (systemd ``ExecStartPre``):

- ``--worker-id ID``: the tasks whose last claim was by the worker of that id (start the worker
  with the same fixed ``db_worker --worker-id ID``): it is restarting, so its old claims are dead;
- ``--older-than SECONDS``: the tasks claimed longer ago than any task may run.

Tasks run again must be idempotent (ours are). Prints how many were requeued.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "Requeue the database tasks left RUNNING by a dead db_worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--worker-id", default="", help="the restarting worker's fixed id")
        parser.add_argument("--older-than", type=float, default=None, help="seconds since the claim")

    def handle(self, *, worker_id: str, older_than: float | None, **options) -> None:
        if not worker_id and older_than is None:
            raise CommandError("Name the dead worker (--worker-id) or an age (--older-than).")
        with transaction.atomic():
            running = DBTaskResult.objects.select_for_update().filter(status=TaskResultStatus.RUNNING)
            if older_than is not None:
                running = running.filter(started_at__lt=timezone.now() - dt.timedelta(seconds=older_than))
            stuck = [
                task.pk
                for task in running
                if not worker_id or (task.worker_ids and task.worker_ids[-1] == worker_id)
            ]
            DBTaskResult.objects.filter(pk__in=stuck).update(status=TaskResultStatus.READY, started_at=None)
        self.stdout.write(f"requeued {len(stuck)} stuck task(s)")
