"""Durable background tasks on Redis (RQ through django-tasks-rq).

A job whose worker dies in the middle (SIGKILL, OOM, power loss) stays in RQ's
StartedJobRegistry until its heartbeat lapses; RQ's registry maintenance then treats it as
abandoned and *retries it if it has retries left* (rq >= 2), otherwise moves it to the failed
registry. django-tasks-rq creates its jobs without a ``Retry``, so an abandoned task was lost.

- ``DurableQueue`` (``RQ_QUEUES[...]["QUEUE_CLASS"]``) gives every job that does not set its own
  a ``Retry(max=TASK_RETRIES)``, requeued at once (no interval, so no scheduler is needed).
  Tasks must therefore be idempotent (ours are: reminders and exports check what they did).
- ``DurableWorker`` (``rqworker --worker-class qingyi.ops.rq.DurableWorker``) runs the registry
  maintenance every 15 s instead of 10 minutes (an idle worker also waits on the queue at most
  15 s, not worker_ttl - 15 = 405 s, between two checks) and beats every 5 s, so an abandoned
  job is requeued about 65–80 s after its worker died (the heartbeat's TTL is the beat + 60 s).
"""

from __future__ import annotations

from django_rq.queues import DjangoRQ
from rq import Retry
from rq.worker import Worker

TASK_RETRIES = 3


class DurableQueue(DjangoRQ):
    def create_job(self, *args, **kwargs):
        if kwargs.get("retry") is None:
            kwargs["retry"] = Retry(max=TASK_RETRIES)
        return super().create_job(*args, **kwargs)


class DurableWorker(Worker):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("maintenance_interval", 15)
        kwargs.setdefault("job_monitoring_interval", 5)
        super().__init__(*args, **kwargs)

    @property
    def dequeue_timeout(self) -> int:
        return max(1, min(super().dequeue_timeout, self.maintenance_interval))
