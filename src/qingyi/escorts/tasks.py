"""Background work of the escorts domain (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from qingyi.escorts import services


@task()
def erase_patient_data() -> int:
    """Erase the patient details past the retention period (calls ``escorts_erase_patient_data``)."""
    return services.escorts_erase_patient_data()
