"""The heading a unit prints on what it issues: its line of authority and its place name.

Pure, from the unit and the units above it (Nghị định 30/2020/NĐ-CP on the form of
administrative documents). The forms and the II.06a report both print it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

LEVELS_WITH_COUNCILS = frozenset({"province", "district", "commune"})
"""Levels whose unit is a people's committee (Ủy ban nhân dân) issuing in its own name."""

# The administrative word a unit's name starts with, longest first; the rest is its proper
# name, which the place line prints (Nghị định 30/2020/NĐ-CP, Phụ lục I).
_ADMIN_WORDS = ("thành phố", "đặc khu", "thị trấn", "thị xã", "phường", "huyện", "quận",
                "tỉnh", "xã")
_COMMITTEE_PREFIXES = ("ủy ban nhân dân ", "uỷ ban nhân dân ", "ubnd ")


@dataclass(frozen=True)
class UnitLine:
    """A unit of the tree as the heading needs it: its level and its name."""

    level: str
    name: str


@dataclass(frozen=True)
class Heading:
    """The top-left block and the place of a form.

    `authority` is the line above the issuer (the body it belongs to, e.g. "UBND TỈNH QUẢNG
    NINH"), None when the issuer is itself a people's committee; `issuer` is the bold line;
    `place` the proper name printed before the date ("Quảng Ninh, ngày ...").
    """

    authority: str | None
    issuer: str
    place: str | None


def _upper(text: str) -> str:
    return unicodedata.normalize("NFC", text).upper()


def _is_committee_name(name: str) -> bool:
    return unicodedata.normalize("NFC", name).casefold().startswith(_COMMITTEE_PREFIXES)


def committee(unit: UnitLine, short: bool) -> str:
    """The people's committee of a province, district or commune, in capitals.

    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH" when it issues, "UBND TỈNH QUẢNG NINH" as the line of
    the body a department or a desk belongs to (the abbreviation the decree allows there).
    """
    name = unicodedata.normalize("NFC", unit.name)
    folded = name.casefold()
    for prefix in _COMMITTEE_PREFIXES:
        if folded.startswith(prefix):
            name = name[len(prefix):]
            break
    return _upper(("UBND " if short else "ỦY BAN NHÂN DÂN ") + name)


def proper_name(name: str) -> str:
    """A unit's proper name for the place line: "Tỉnh Quảng Ninh" -> "Quảng Ninh".

    A name that is only a number keeps its word ("Phường 1"), and so does Thành phố Hồ Chí
    Minh, as the decree writes them.
    """
    name = unicodedata.normalize("NFC", name).strip()
    folded = name.casefold()
    for prefix in _COMMITTEE_PREFIXES:
        if folded.startswith(prefix):
            name, folded = name[len(prefix):].strip(), folded[len(prefix):].strip()
            break
    if folded == "thành phố hồ chí minh":
        return name[:1].upper() + name[1:]
    for word in _ADMIN_WORDS:
        if folded.startswith(word + " "):
            rest = name[len(word):].strip()
            return name if rest.isdigit() else rest
    return name


def heading(chain: list[UnitLine]) -> Heading:
    """The heading of a form issued by chain[0], whose ancestors follow it up to the root.

    A people's committee (province, district, commune) issues in its own name, with no line
    above it. A department, centre or desk prints the body it belongs to above its own name:
    the committee of the nearest province, district or commune above it ("UBND TỈNH QUẢNG
    NINH" over "SỞ TƯ PHÁP"), or the agency it is part of. The place is the proper name of
    the nearest province, district or commune, the unit itself included.
    """
    if not chain:
        raise ValueError("a heading needs the issuing unit")
    unit, above = chain[0], chain[1:]
    place = next((proper_name(u.name) for u in chain if u.level in LEVELS_WITH_COUNCILS), None)
    if unit.level in LEVELS_WITH_COUNCILS:
        return Heading(None, committee(unit, short=False), place)
    if _is_committee_name(unit.name):
        return Heading(None, _upper(unit.name), place)
    authority = None
    if above:
        parent = above[0]
        authority = (committee(parent, short=True) if parent.level in LEVELS_WITH_COUNCILS
                     else _upper(parent.name))
    return Heading(authority, _upper(unit.name), place)


# --- The form numbers of the circulars -------------------------------------------------------
