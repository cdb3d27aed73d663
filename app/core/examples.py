"""Codes as the national catalogue writes them, for the API's examples.

Plain values, importable by pure rules and request bodies alike (no web framework).
"""

from __future__ import annotations

from typing import Final

UNIT_EXAMPLE: Final = "000.00.20.H12"
PROCEDURE_EXAMPLE: Final = "1.001193"
FIELD_EXAMPLE: Final = "HT"
DOSSIER_EXAMPLE: Final = "000.00.20.H12-260302-0007"
