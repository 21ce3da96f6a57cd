import datetime as dt

import pytest
from django.utils import timezone

from qingyi.core import checkin
from qingyi.core.models import Scan


def test_code_is_valid_for_its_window_and_the_next_only():
    now = timezone.now()
    code = checkin.rotating_code("shift:1", at=now)
    assert checkin.code_valid("shift:1", code, at=now)
    assert checkin.code_valid("shift:1", code, at=now + dt.timedelta(seconds=checkin.WINDOW_SECONDS))
    assert not checkin.code_valid("shift:1", code, at=now + dt.timedelta(seconds=3 * checkin.WINDOW_SECONDS))
    assert not checkin.code_valid("shift:2", code, at=now)  # another subject
    assert not checkin.code_valid("shift:1", code[:-1] + ("0" if code[-1] != "0" else "1"), at=now)  # forged
    assert not checkin.code_valid("shift:1", "garbage", at=now)


def test_scan_is_recorded_once_even_when_replayed(personas):
    calls = []

    def handler(at):
        calls.append(at)
        return Scan.Result.CHECKED_IN, "ok"

    code = checkin.rotating_code("activity:9")
    first = checkin.scan_accept(
        subject="activity:9",
        code=code,
        user=personas.member,
        client_id="abc",
        scanned_at=None,
        handler=handler,
    )
    second = checkin.scan_accept(
        subject="activity:9",
        code=code,
        user=personas.member,
        client_id="abc",
        scanned_at=None,
        handler=handler,
    )
    assert first.result == second.result == "checked_in"
    assert second.replayed and len(calls) == 1
    assert Scan.objects.count() == 1


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
