import datetime as dt

from qingyi.callups.models import Response
from qingyi.core import metrics
from qingyi.core.periods import Period
from tests.callups.conftest import respond, send_all


def _scope(org):
    return metrics.Scope(organization=org, period=Period.year(dt.date.today().year))


def test_call_up_figures_and_their_records(callups):
    c = callups
    send_all(c)
    respond(c, c.young_a)
    respond(c, c.old_a, "declined")
    # Answered 10 and 30 minutes after sending: the median of the two is 20.
    for volunteer, minutes in ((c.young_a, 10), (c.old_a, 30)):
        r = Response.objects.get(volunteer=volunteer)
        r.responded_at = r.sent_at + dt.timedelta(minutes=minutes)
        r.save()
    scope = _scope(c.tree.committee)
    assert metrics.get("callups.opened").value(scope) == 1
    assert metrics.get("callups.responders").value(scope) == 2
    assert metrics.get("callups.acceptance_rate").value(scope) == 50.0
    assert list(metrics.get("callups.acceptance_rate").records(scope)) == [
        Response.objects.get(volunteer=c.young_a)
    ]
    assert metrics.get("callups.youth_share").value(scope) == 50.0
    assert [r.volunteer for r in metrics.get("callups.youth_share").records(scope)] == [c.young_a]
    assert metrics.get("callups.median_response_minutes").aggregate == "median"
    assert metrics.get("callups.median_response_minutes").value(scope) == 20.0


def test_figures_follow_the_call_ups_organisation(callups):
    c = callups
    send_all(c)
    respond(c, c.young_b)
    assert metrics.get("callups.responders").value(_scope(c.tree.committee)) == 1
    # The call-up belongs to the committee, not to branch B, though its responder does.
    assert metrics.get("callups.responders").value(_scope(c.tree.branch_b)) == 0
    assert metrics.get("callups.opened").value(_scope(c.tree.branch_b)) == 0


def test_no_answers_give_zero_not_an_error(callups):
    scope = _scope(callups.tree.committee)
    assert metrics.get("callups.median_response_minutes").value(scope) == 0.0
    assert metrics.get("callups.youth_share").value(scope) == 0.0
