"""One rule for typed codes and names (core.text), used by the public and the internal forms."""

from __future__ import annotations

import pytest

from qingyi.core.forms import PersonNameField
from qingyi.core.text import clean_name, fold_code, fold_id_number
from qingyi.escorts.forms import EscortRequestForm
from qingyi.people.forms import PersonCreateForm, PersonForm
from qingyi.people.importing import cells
from qingyi.volunteering.forms import ApplicationForm, VolunteerForm

OVERRIDES = "".join(
    chr(c)
    for c in [
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2065),
        *range(0x2066, 0x206A),
        0xFEFF,
    ]
)
ID_TYPED = "500118 19900101001x"


def wide(text: str) -> str:
    """As typed on a full-width keyboard: digits and letters U+FF10…, spaces U+3000."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) for c in text)


def test_full_width_digits_and_letters_fold_to_ascii_without_spaces():
    assert fold_code(wide("138 0013 8000")) == "13800138000"
    assert fold_id_number(wide(ID_TYPED)) == "50011819900101001X"


def test_every_invisible_and_direction_override_character_leaves_a_name():
    assert clean_name(f"  张{OVERRIDES}三  ") == "张三"
    assert clean_name("\u202eJohn   Smith") == "John Smith"  # a foreign name keeps one space


@pytest.mark.parametrize(
    "form, fields",
    [
        (PersonForm, ["name"]),
        (PersonCreateForm, ["name"]),
        (VolunteerForm, ["name", "guardian_name"]),
        (ApplicationForm, ["name", "guardian_name"]),
        (EscortRequestForm, ["patient_name"]),
    ],
)
def test_every_form_that_takes_a_persons_name_cleans_it(db, form, fields):
    declared = form.base_fields
    for name in fields:
        assert isinstance(declared[name], PersonNameField), (form.__name__, name)
        assert declared[name].clean("\u202e王\u200b五") == "王五"


def test_the_roster_import_folds_id_numbers_with_the_same_rule():
    column = cells.COLUMN_BY_FIELD["id_number"]
    folded = cells._convert(wide(ID_TYPED), column, epoch=None, choices={})
    assert folded == fold_id_number(wide(ID_TYPED)) == "50011819900101001X"
