"""Background work of volunteer service (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from qingyi.volunteering import services


@task()
def send_shift_reminders() -> int:
    """Remind confirmed volunteers of their shifts in the coming hours (calls
    ``shift_reminders_send``; idempotent, so run it every few minutes)."""
    return services.shift_reminders_send()
