"""The one cursor codec: round trips, and every forged cursor is a 422 before any query."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from app.core.cursor import BY_CODE, BY_ID, RowId, decode_cursor, encode_cursor
from app.core.problems import Unprocessable

PAIR: TypeAdapter[tuple[int, int]] = TypeAdapter(tuple[RowId, RowId])


def raw(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


@given(st.integers(0, 2**63 - 1), st.integers(0, 2**63 - 1))
def test_positions_round_trip(first: int, second: int) -> None:
    assert decode_cursor(encode_cursor(first, second), PAIR) == (first, second)


@given(st.text(min_size=1, max_size=64))
def test_codes_round_trip(code: str) -> None:
    assert decode_cursor(encode_cursor(code), BY_CODE) == (code,)


@pytest.mark.parametrize("bad", [
    "", "x", "!!!", "khóa", raw("12"), raw("[2,1]"), raw(f"[{2**63}]"), raw("[-1]"),
    raw('["7"]'), raw("[true]"), raw("[1.5]"), raw("{}"), "A" * 300,
])
def test_forged_cursor_is_refused(bad: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        decode_cursor(bad, BY_ID)
    assert caught.value.code == "invalid_cursor"


@pytest.mark.parametrize("bad", [raw(f"[{2**63}, 1]"), raw("[1, -1]"), raw("[1]")])
def test_forged_feed_position_is_refused(bad: str) -> None:
    with pytest.raises(Unprocessable):
        decode_cursor(bad, PAIR)
