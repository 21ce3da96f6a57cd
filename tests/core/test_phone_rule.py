"""One phone rule (``core.text.phone_error`` after ``fold_phone``) for the roster, escorts,
volunteers and the public application. The cases below used to get different answers: the
roster and escorts took 1[3-9] mobiles and landlines, the volunteer service any 11 "digits"
starting with 1 (``str.isdigit``: superscripts too), the application ``1\\d{10}``; only
escorts understood +86 and brackets."""

import datetime as dt

import pytest

from qingyi.core.text import fold_phone, phone_error
from qingyi.escorts.services import RequestData, escort_request_errors
from qingyi.people.validation import person_errors
from qingyi.volunteering.services.applications import application_errors, clean_data
from qingyi.volunteering.services.volunteers import _clean_volunteer_data, _volunteer_errors


def wide(text: str) -> str:
    """``text`` in full-width digits and plus sign, as Chinese keyboards type it."""
    return text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789+"})


# value, a phone?, a mobile?
CASES = [
    ("13812345678", True, True),
    ("12345678901", False, False),  # 12x is no mobile prefix: the volunteer rules took it
    ("10000000000", False, False),
    (wide("13812345678"), True, True),
    ("+86 138 1234 5678", True, True),  # only escorts took it
    ("(023)12345678", True, False),
    ("023-12345678", True, False),  # a landline: the roster and escorts, not a volunteer's login
    ("1381234567", False, False),
    ("138123456789", False, False),
    ("1381234567x", False, False),
]


@pytest.mark.parametrize(("value", "phone", "mobile"), CASES)
def test_the_rule(value, phone, mobile):
    assert (phone_error(value) is None) is phone
    assert (phone_error(value, mobile_only=True) is None) is mobile


@pytest.mark.parametrize(("value", "phone", "mobile"), CASES)
def test_every_caller_gives_the_rules_answer(value, phone, mobile):
    today = dt.date(2026, 6, 1)
    assert ("phone" not in person_errors({"phone": value}, today=today)) is phone
    wanted = dt.datetime(2026, 6, 2, 9, tzinfo=dt.UTC)
    escort = escort_request_errors(
        RequestData(patient_name="王五", phone=value, wanted_at=wanted, department=None, needs=""),
        now=wanted - dt.timedelta(days=1),
    )
    assert ("phone" not in escort) is phone


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "phone", "mobile"), CASES)
def test_volunteer_callers_take_mobiles_only(value, phone, mobile):
    assert ("phone" not in _volunteer_errors(_clean_volunteer_data({"phone": value}))) is mobile
    assert ("phone" not in application_errors(clean_data({"phone": value}))) is mobile


def test_stored_phones_are_folded():
    assert fold_phone(wide("+86") + " (138) 1234 5678") == "13812345678"
    assert clean_data({"phone": wide("138") + " 1234 5678"})["phone"] == "13812345678"
