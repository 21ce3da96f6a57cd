"""Background tasks survive their worker's death: RQ jobs carry a Retry (so RQ's abandoned-job
handling requeues them), and database tasks left RUNNING are requeued before a worker starts."""

from __future__ import annotations

import pytest
import redis
from bench.tasks import slow_marker
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from qingyi.ops.rq import TASK_RETRIES, DurableQueue, DurableWorker

DB_TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}


def test_rq_jobs_are_retried_when_abandoned():
    # No command reaches Redis: creating a job only builds it.
    queue = DurableQueue("default", connection=redis.Redis(host="127.0.0.1", port=1))
    job = queue.create_job("bench.tasks.slow_marker", args=("x", 0))
    assert job.retries_left == TASK_RETRIES
    assert job.retry_intervals == [0]  # requeued at once, no scheduler needed
    # A task's own Retry is kept.
    from rq import Retry

    own = queue.create_job("bench.tasks.slow_marker", args=("x", 0), retry=Retry(max=1))
    assert own.retries_left == 1


def test_rq_worker_notices_abandoned_jobs_within_a_minute_or_so():
    from unittest import mock

    from rq.worker import Worker

    with mock.patch.object(Worker, "__init__", return_value=None) as init:
        DurableWorker(["default"])
    # RQ's default: maintenance every 10 minutes, so an abandoned job waited that long.
    assert init.call_args.kwargs["maintenance_interval"] <= 15
    assert init.call_args.kwargs["job_monitoring_interval"] <= 5
    # An idle worker checks between two waits on the queue: those are short too.
    worker = DurableWorker.__new__(DurableWorker)
    worker.worker_ttl, worker.maintenance_interval = 420, 15
    assert worker.dequeue_timeout == 15


def test_rq_queue_is_the_durable_one_with_redis():
    import importlib

    import qingyi.settings as project_settings

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
        reloaded = importlib.reload(project_settings)
        assert reloaded.RQ_QUEUES["default"]["QUEUE_CLASS"] == "qingyi.ops.rq.DurableQueue"
    importlib.reload(project_settings)


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DB_TASKS)
def test_a_task_left_running_by_a_dead_db_worker_runs_again():
    cache.clear()
    result = slow_marker.using(backend="db").enqueue("dead", 0)
    other = slow_marker.using(backend="db").enqueue("alive", 0)
    # Two workers claimed them; worker-1 is killed in the middle (its task stays RUNNING).
    DBTaskResult.objects.get(pk=result.id).claim("worker-1")
    DBTaskResult.objects.get(pk=other.id).claim("worker-2")

    call_command("requeue_stuck_tasks", worker_id="worker-1")
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=other.id).status == TaskResultStatus.RUNNING

    call_command("db_worker", "--batch", "--backend", "db", "--no-startup-delay", "--worker-id", "worker-1")
    done = DBTaskResult.objects.get(pk=result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.worker_ids == ["worker-1", "worker-1"]
    assert cache.get("bench:slow:dead:done") == 1


@pytest.mark.django_db
def test_requeue_by_age_and_needs_a_criterion():
    with override_settings(TASKS=DB_TASKS):
        recent = slow_marker.using(backend="db").enqueue("recent", 0)
    DBTaskResult.objects.get(pk=recent.id).claim("w")
    call_command("requeue_stuck_tasks", older_than=3600)
    assert DBTaskResult.objects.get(pk=recent.id).status == TaskResultStatus.RUNNING
    call_command("requeue_stuck_tasks", older_than=0)
    assert DBTaskResult.objects.get(pk=recent.id).status == TaskResultStatus.READY
    with pytest.raises(CommandError):
        call_command("requeue_stuck_tasks")
