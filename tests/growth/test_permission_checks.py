"""The growth API's list endpoints refuse without the right (403), not an empty 200.

Written against the mutation check: the lists are scoped, so without the require_perm a
member would get an empty page instead of a refusal.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/growth/contests", "/growth/checklists", "/growth/inspections"])
def test_growth_lists_refuse_who_does_not_manage_growth(cadres, api_as, path):
    for user in (cadres.member, cadres.outsider, cadres.coordinator):
        assert api_as(user).get(path).status_code == 403
    assert api_as(cadres.admin_a).get(path).status_code == 200


# --- The services' own checks, called as the wrong actor (each would pass unnoticed behind a
# view that refuses first) ---------------------------------------------------------------


def _pending_training(cadres):
    from qingyi.growth import services
    from tests.growth.conftest import training_data

    return services.training_create(
        person=cadres.member_person, actor=cadres.member, data=training_data(), as_self=True
    )


def test_entering_a_result_for_someone_else_as_oneself_or_outside_ones_branch_is_refused(cadres):
    # services.contest_create: _check_can_enter(actor, person, as_self=...)
    from django.core.exceptions import PermissionDenied, ValidationError

    from qingyi.growth import services
    from qingyi.growth.models import ContestResult
    from tests.growth.conftest import contest_data

    with pytest.raises(PermissionDenied):
        services.contest_create(
            person=cadres.person_a, actor=cadres.member, data=contest_data(), as_self=True
        )
    with pytest.raises(ValidationError):
        services.contest_create(person=cadres.person_b, actor=cadres.admin_a, data=contest_data())
    assert not ContestResult.objects.exists()


def test_changing_another_branchs_records_is_refused(cadres):
    # services.training_delete / contest_update / contest_delete: _check_can_change(actor, record)
    from django.core.exceptions import PermissionDenied

    from qingyi.growth import services
    from qingyi.growth.models import ContestResult, TrainingRecord
    from tests.growth.conftest import contest_data, training_data

    training = services.training_create(person=cadres.person_b, actor=cadres.admin_b, data=training_data())
    contest = services.contest_create(person=cadres.person_b, actor=cadres.admin_b, data=contest_data())
    with pytest.raises(PermissionDenied):
        services.training_delete(record=training, actor=cadres.admin_a)
    with pytest.raises(PermissionDenied):
        services.contest_update(record=contest, actor=cadres.admin_a, data=contest_data(contest="改过的"))
    with pytest.raises(PermissionDenied):
        services.contest_delete(record=contest, actor=cadres.admin_a)
    assert TrainingRecord.objects.filter(pk=training.pk).exists()
    assert ContestResult.objects.get(pk=contest.pk).contest == "团干部大比武"


def test_only_an_admin_over_the_cadre_decides_a_submission(cadres):
    # services.record_decide: _manages(actor, record.person) → PermissionDenied
    from django.core.exceptions import PermissionDenied

    from qingyi.growth import services
    from qingyi.growth.models import RecordStatus

    record = _pending_training(cadres)
    for actor in (cadres.admin_b, cadres.member):
        with pytest.raises(PermissionDenied):
            services.record_decide(record=record, actor=actor, approve=True)
    record.refresh_from_db()
    assert record.status == RecordStatus.PENDING
    services.record_decide(record=record, actor=cadres.admin_a, approve=True)
    record.refresh_from_db()
    assert record.status != RecordStatus.PENDING
