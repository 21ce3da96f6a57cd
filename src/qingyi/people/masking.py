"""What a user sees of a person's ID number and phone: the one rule, and the masks.

The rule (pages, change history, pending change requests, exports, searches and the API all
ask here; nobody decides it again):

- **ID number in full**: holders of ``people.sensitive`` over the person's organisation, and
  on the person's page only when they ask for it (``?reveal=1``).
- **Phone in full**: those who manage the person's organisation (``people.manage``: they call
  their members) and hold ``people.sensitive`` there. Volunteers' phones follow the same rule
  over the volunteer's organisation (a coordinator holds neither).
- **Searching by an exact ID number or phone** matches only people whose number the user may
  see in full (``identifier_search_q``): anyone else searches by name and employee or
  development number, so a search cannot confirm a guess at a masked number.
- Everyone else sees the masks below, also in the old → new values of the change history and
  in a member's pending change request.

The masks leave thousands of candidates even beside what the pages show in the clear
(birth date, gender, age):

- **ID number** (18 characters: region AABBCC — province AA, prefecture BB, county CC —,
  birth date YYYYMMDD, sequence SSS whose last digit's parity is the gender, check digit C
  computed from the other 17). The mask keeps the province **AA only**. With the birth date
  and gender shown, the unknowns are BBCC and the sequence's 500 values of the right parity;
  C follows from the rest. Nominally 10⁴ × 500 = 5,000,000 candidates; counting only region
  codes that exist, at least 16 × 500 = 8,000 (Beijing, Tianjin and Shanghai have 16
  county-level codes each; a typical province has about 100: 50,000). The former mask (first
  four and last four characters: province, prefecture, the whole sequence and the check
  digit) left only CC, 100 values of which the check digit keeps one in eleven: nine
  candidates. (Someone who already knows the county from elsewhere still faces 500; no mask
  of the ID number alone can do better while the birth date is shown.) 15-character IDs of
  the old format (no check digit, two-digit year) are masked the same way.
- **Phone** (11-digit mobile 1PP HHHH SSSS: carrier prefix, a regionally allotted block,
  subscriber number). The mask keeps the first three and last two digits, hiding six:
  10⁶ candidates nominally; a city uses no fewer than dozens of blocks per prefix, so at
  least ~50 × 100 = 5,000 remain for a local number. The former mask (first three and last
  four) hid exactly the block, which for a local number leaves tens to hundreds.
  Other numbers (landlines) of nine or more characters keep the same three and two; shorter
  ones are starred entirely.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from qingyi.organizations import scoping

ID_NUMBER_FIELDS = frozenset({"id_number"})
PHONE_FIELDS = frozenset({"phone", "guardian_phone"})


def mask_id_number(value: str) -> str:
    """The province (first two characters) and stars; anything shorter than an ID: all stars."""
    value = value or ""
    if len(value) < 15:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 2)


def mask_phone(value: str) -> str:
    """The first three and last two digits, the rest starred; short numbers: all stars."""
    value = value or ""
    if len(value) < 9:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 5) + value[-2:]


def _both(first: list[str], second: list[str]) -> list[str]:
    """The subtrees lying inside one of ``first`` and inside one of ``second``."""
    both = {a if a.startswith(b) else b for a in first for b in second if a.startswith(b) or b.startswith(a)}
    return [p for p in sorted(both) if not any(p != q and p.startswith(q) for q in both)]


def id_number_paths(user) -> list[str]:
    """The subtrees where the user may see ID numbers in full (on request)."""
    return scoping.scope_paths(user, scoping.PEOPLE_SENSITIVE)


def phone_paths(user) -> list[str]:
    """The subtrees where the user may see phone numbers in full."""
    return _both(
        scoping.scope_paths(user, scoping.PEOPLE_SENSITIVE), scoping.scope_paths(user, scoping.PEOPLE_MANAGE)
    )


def _inside(organization, paths: list[str]) -> bool:
    return organization is not None and any(organization.path.startswith(p) for p in paths)


@dataclass(frozen=True)
class Disclosure:
    """What one user sees in full of the people (or volunteers) of one organisation."""

    id_number: bool = False
    phone: bool = False

    def shown(self, field_name: str, value: Any) -> Any:
        """``value`` of ``field_name`` as this user may see it (other fields unchanged)."""
        if value in (None, ""):
            return value
        if field_name in ID_NUMBER_FIELDS and not self.id_number:
            return mask_id_number(str(value))
        if field_name in PHONE_FIELDS and not self.phone:
            return mask_phone(str(value))
        return value

    def id_number_of(self, value: str | None) -> str:
        return self.shown("id_number", value or "")

    def phone_of(self, value: str | None) -> str:
        return self.shown("phone", value or "")


def disclosure_for(user, organization, *, reveal_id_number: bool = False) -> Disclosure:
    """The rule (see the module's docstring) for one user and one organisation."""
    return Disclosure(
        id_number=reveal_id_number and _inside(organization, id_number_paths(user)),
        phone=_inside(organization, phone_paths(user)),
    )


def may_reveal_id_number(user, organization) -> bool:
    return _inside(organization, id_number_paths(user))


def identifier_search_q(
    user,
    term: str,
    *,
    id_field: str | None = "id_number",
    phone_field: str | None = "phone",
    path_field: str = "organization__path",
) -> Q:
    """An exact match on the ID number or the phone, only where the user may see it in full.

    Outside those subtrees the term matches nothing here (a search cannot confirm a guess at
    a masked number); combine with ``|`` and the name search.
    """
    term = (term or "").strip()
    q = Q(pk__in=[])
    if not term:
        return q
    if id_field:
        paths = id_number_paths(user)
        if paths:
            q |= Q(**{id_field: term.upper()}) & scoping.path_q(paths, path_field)
    if phone_field:
        paths = phone_paths(user)
        if paths:
            q |= Q(**{phone_field: term}) & scoping.path_q(paths, path_field)
    return q
