"""The lookup code's pure rules: drawn at random, matched as typed, in constant time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.dossiers.rules import SECRET_ALPHABET, SECRET_LENGTH, new_lookup_secret, show_secret
from app.public.rules import secret_matches


def test_lookup_codes_are_drawn_from_the_unambiguous_alphabet() -> None:
    drawn = {new_lookup_secret() for _ in range(200)}
    assert len(drawn) == 200
    assert all(len(s) == SECRET_LENGTH and set(s) <= set(SECRET_ALPHABET) for s in drawn)
    assert not set("ILOU") & set(SECRET_ALPHABET)


@given(st.text(alphabet=SECRET_ALPHABET, min_size=SECRET_LENGTH, max_size=SECRET_LENGTH))
def test_a_code_matches_as_printed_and_as_typed(secret: str) -> None:
    printed = show_secret(secret)
    assert printed[5] == "-"
    for typed in (secret, printed, printed.lower(), printed.replace("-", " ")):
        assert secret_matches(secret, typed)
    misread = secret.replace("0", "O").replace("1", "l")
    assert secret_matches(secret, misread)
    other = ("1" if secret[0] != "1" else "2") + secret[1:]
    assert not secret_matches(secret, other)
    assert not secret_matches(None, secret)
    assert not secret_matches(secret, secret[:-1])
