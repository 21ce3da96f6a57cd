import datetime as dt

import pytest
from django.utils import timezone

from qingyi.core import checkin
from qingyi.core.models import Notification, Scan


def test_code_is_valid_for_its_window_and_the_next_only():
    now = timezone.now()
    code = checkin.rotating_code("shift:1", at=now)
    assert checkin.code_valid("shift:1", code, at=now)
    assert checkin.code_valid("shift:1", code, at=now + dt.timedelta(seconds=checkin.WINDOW_SECONDS))
    assert not checkin.code_valid("shift:1", code, at=now + dt.timedelta(seconds=3 * checkin.WINDOW_SECONDS))
    assert not checkin.code_valid("shift:2", code, at=now)  # another subject
    assert not checkin.code_valid("shift:1", code[:-1] + ("0" if code[-1] != "0" else "1"), at=now)  # forged
    assert not checkin.code_valid("shift:1", "garbage", at=now)


def _accept(
    personas, handler, *, client_id="abc", subject="activity:9", code=None, scanned_at=None, user=None
):
    return checkin.scan_accept(
        subject=subject,
        code=code or checkin.rotating_code(subject),
        user=user or personas.member,
        client_id=client_id,
        scanned_at=scanned_at,
        handler=handler,
    )


def _writing_handler(personas, calls):
    """A handler that writes (a notification) each time it runs, as a domain's handler does."""

    def handler(at):
        calls.append(at)
        Notification.objects.create(recipient=personas.member, title="checked in")
        return Scan.Result.CHECKED_IN, f"ok {len(calls)}"

    return handler


def test_scan_is_recorded_once_even_when_replayed(personas):
    calls: list[dt.datetime] = []
    handler = _writing_handler(personas, calls)
    first = _accept(personas, handler)
    second = _accept(personas, handler)
    assert first.result == second.result == "checked_in"
    assert second.replayed and not first.replayed
    assert second.message == first.message == "ok 1"  # the first answer, not the handler's new one
    # The handler may run again for a replay, but what it wrote then is rolled back.
    assert Scan.objects.count() == 1
    assert Notification.objects.count() == 1


def test_replay_after_the_code_expired_returns_the_first_answer(personas):
    calls: list[dt.datetime] = []
    shown = timezone.now() - dt.timedelta(minutes=10)
    code = checkin.rotating_code("activity:9", at=shown)
    # Accepted as an offline scan with its own time, replayed now
    # without a time: the code has expired, the first answer stands.
    _accept(personas, _writing_handler(personas, calls), code=code, scanned_at=shown)
    replay = _accept(personas, lambda at: pytest.fail("an expired code reaches no handler"), code=code)
    assert replay.replayed and replay.message == "ok 1"
    assert Scan.objects.count() == Notification.objects.count() == 1


def test_replay_the_handler_now_refuses_returns_the_first_answer(personas):
    calls: list[dt.datetime] = []
    _accept(personas, _writing_handler(personas, calls))

    def refuse(at):
        raise checkin.ScanRefused("you are already checked in")

    replay = _accept(personas, refuse)
    assert replay.replayed and replay.result == "checked_in" and replay.message == "ok 1"


def test_scan_id_of_another_user_or_subject_is_refused_and_writes_nothing(personas):
    calls: list[dt.datetime] = []
    handler = _writing_handler(personas, calls)
    _accept(personas, handler)
    with pytest.raises(checkin.ScanRefused, match="already used"):
        _accept(personas, handler, user=personas.outsider)
    with pytest.raises(checkin.ScanRefused, match="already used"):
        _accept(personas, handler, subject="activity:10")
    assert Scan.objects.count() == Notification.objects.count() == 1


def test_refused_scan_without_earlier_scan_stays_refused(personas):
    def refuse(at):
        raise checkin.ScanRefused("not signed up")

    with pytest.raises(checkin.ScanRefused, match="not signed up"):
        _accept(personas, refuse, client_id="fresh")
    assert not Scan.objects.exists()


def test_offline_scan_keeps_its_original_time(personas):
    scanned = timezone.now() - dt.timedelta(hours=3)
    code = checkin.rotating_code("shift:5", at=scanned)
    seen = []
    outcome = checkin.scan_accept(
        subject="shift:5",
        code=code,
        user=personas.member,
        client_id="off-1",
        scanned_at=scanned,
        handler=lambda at: seen.append(at) or (Scan.Result.CHECKED_IN, "ok"),
    )
    assert seen == [scanned]
    assert Scan.objects.get(client_id="off-1").offline
    assert outcome.result == "checked_in"


@pytest.mark.parametrize(
    ("delta", "message"),
    [(dt.timedelta(hours=-1), "future"), (dt.timedelta(hours=30), "more than a day")],
)
def test_scans_too_old_or_from_the_future_are_refused(personas, delta, message):
    at = timezone.now() - delta
    code = checkin.rotating_code("shift:5", at=at)
    with pytest.raises(checkin.ScanRefused, match=message):
        checkin.scan_accept(
            subject="shift:5",
            code=code,
            user=personas.member,
            client_id="x",
            scanned_at=at,
            handler=lambda at: (Scan.Result.CHECKED_IN, ""),
        )
    assert not Scan.objects.exists()


def test_expired_code_is_refused_and_handler_not_called(personas):
    old = timezone.now() - dt.timedelta(minutes=10)
    code = checkin.rotating_code("shift:5", at=old)
    with pytest.raises(checkin.ScanRefused, match="expired"):
        checkin.scan_accept(
            subject="shift:5",
            code=code,
            user=personas.member,
            client_id="y",
            scanned_at=None,
            handler=lambda at: pytest.fail("handler must not run"),
        )


def test_handler_refusal_records_nothing(personas):
    def refuse(at):
        raise checkin.ScanRefused("not signed up")

    with pytest.raises(checkin.ScanRefused):
        checkin.scan_accept(
            subject="shift:5",
            code=checkin.rotating_code("shift:5"),
            user=personas.member,
            client_id="z",
            scanned_at=None,
            handler=refuse,
        )
    assert not Scan.objects.exists()


def test_qr_svg_is_inline_svg():
    assert checkin.qr_svg("https://example.invalid/x").startswith("<svg")
