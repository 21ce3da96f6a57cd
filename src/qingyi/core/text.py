"""How typed text becomes the value we store: codes folded, names cleaned — one rule each.

Chinese keyboards type full-width digits and letters (U+FF10–U+FF19, U+FF38 "X") that look
the same as the ordinary ones but compare differently: an ID number or phone stored as typed
would slip past the duplicate checks and the phone login would not match it. ``fold_code`` is the rule the
roster import applies to its ID-number and code columns, and every form that takes an ID
number or phone uses it too.

Names keep their spaces (a foreign name has them) but lose the invisible characters that make
two equal-looking names differ or make a name display reversed: zero-width characters and
bidirectional overrides (``clean_name``).
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

# Zero-width spaces and joiners, direction marks, embeddings and overrides, invisible
# operators, isolates and the byte-order mark.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")


def fold_code(value: object) -> str:
    """A code as stored: NFKC (full-width digits and letters become ASCII), no spaces at all,
    no invisible characters."""
    text = unicodedata.normalize("NFKC", "" if value is None else str(value))
    return _SPACES.sub("", INVISIBLE.sub("", text))


def fold_id_number(value: object) -> str:
    """An ID number as stored: a folded code in capitals (the check character X)."""
    return fold_code(value).upper()


def clean_name(value: object) -> str:
    """A person's name as stored: invisible and direction-override characters removed, runs of
    spaces made one, no spaces at the ends."""
    text = INVISIBLE.sub("", "" if value is None else str(value))
    return _SPACES.sub(" ", text).strip()


# --- Phone numbers: the one rule ----------------------------------------------------------

# A mainland mobile number: 11 digits, 13x–19x. A landline: area code (0 and 2–3 digits), an
# optional hyphen, 7–8 digits. ASCII digits only: the value is folded first.
MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}", re.ASCII)


def fold_phone(value: object) -> str:
    """A phone as stored: folded like every code (``fold_code``: full-width digits, spaces),
    without brackets or the +86 prefix."""
    text = re.sub(r"[()]", "", fold_code(value))  # NFKC made full-width brackets ASCII
    if text.startswith("+86"):
        text = text[3:]
    return text


def phone_error(value: object, *, mobile_only: bool = False) -> str | None:
    """Why ``value`` (folded with ``fold_phone`` first) is not a phone number, or None if it is
    one. The one phone rule of every form, service, import and the API. ``mobile_only`` where
    the number is a login or the only contact (volunteers, their guardians): a landline is
    refused there."""
    phone = fold_phone(value)
    if MOBILE.fullmatch(phone):
        return None
    if mobile_only:
        return _("“%(phone)s” is not a mobile phone number: 11 digits starting with 13 to 19.") % {
            "phone": value
        }
    if LANDLINE.fullmatch(phone):
        return None
    return _(
        "“%(phone)s” is not a phone number: 11 digits starting with 1, or a landline such as 023-12345678."
    ) % {"phone": value}
