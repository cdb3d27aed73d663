"""The lookup code's pure rules: drawn at random, matched as typed, in constant time."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dossiers.rules import SECRET_ALPHABET, SECRET_LENGTH, new_lookup_secret, show_secret
from app.public.rules import (
    TokenBucket,
    client_address,
    phone_matches,
    secret_matches,
    trusted_networks,
)


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


def test_the_phone_factor_is_the_last_four_digits_of_the_slip() -> None:
    assert phone_matches("0912 345 678", "5678")
    assert phone_matches("+84.912.345.678", "5678")
    assert not phone_matches("0912 345 678", "4567")
    assert not phone_matches("0912345678", "0912")
    # Exactly four digits are enough; fewer, or none on file, match nothing.
    assert phone_matches("5678", "5678")
    assert not phone_matches("678", "0678")
    assert not phone_matches("678", "678")
    # No phone on file and no digits given (a lookup by its code alone) is no match either.
    assert not phone_matches(None, "")
    assert not phone_matches(None, "0000")
    assert not phone_matches("", "0000")


def test_client_address_reads_forwarded_for_only_from_trusted_proxies() -> None:
    trusted = trusted_networks([" 10.0.0.0/8 ", "2001:db8::1"])
    assert client_address("198.51.100.1", ["203.0.113.5"], trusted) == "198.51.100.1"
    assert client_address("10.0.0.1", [], trusted) == "10.0.0.1"
    assert client_address("10.0.0.1", ["203.0.113.5"], trusted) == "203.0.113.5"
    # Read from the right: proxies of ours are skipped, the client's own claims are not read.
    assert client_address("10.0.0.1", ["1.2.3.4, 203.0.113.5, 10.2.2.2"], trusted) \
        == "203.0.113.5"
    assert client_address("10.0.0.1", ["1.2.3.4", "203.0.113.5"], trusted) == "203.0.113.5"
    assert client_address("2001:db8::1", ["2001:db8::99"], trusted) == "2001:db8::99"
    # Only our own proxies on the list: the farthest of them stands for the client.
    assert client_address("10.0.0.1", ["10.2.2.2, 10.3.3.3"], trusted) == "10.2.2.2"
    # A garbled hop: the last proxy that wrote a readable address stands for the client.
    assert client_address("10.0.0.1", ["garbage, 10.3.3.3"], trusted) == "10.3.3.3"
    assert client_address("10.0.0.1", ["garbage"], trusted) == "10.0.0.1"
    assert client_address("testclient", ["203.0.113.5"], trusted) == "testclient"
    # A network written with its host bits set is the network (as a setting is typed).
    assert trusted_networks(["10.0.0.1/8"]) == (ipaddress.ip_network("10.0.0.0/8"),)
    with pytest.raises(ValueError):
        trusted_networks(["not-an-address"])


def test_the_failure_budget_refills_at_its_rate_up_to_the_burst() -> None:
    bucket = TokenBucket(tokens=0.0, updated=100.0)
    bucket.refill(102.0, burst=5, rate=0.5)
    assert (bucket.tokens, bucket.updated) == (1.0, 102.0)
    bucket.refill(1000.0, burst=5, rate=0.5)
    assert bucket.tokens == 5.0
    # A clock that steps back refills nothing (and takes nothing).
    bucket.tokens = 2.0
    bucket.refill(990.0, burst=5, rate=0.5)
    assert (bucket.tokens, bucket.updated) == (2.0, 990.0)
    bucket.refill(990.5, burst=5, rate=0.5)
    assert bucket.tokens == 2.25


def test_a_caller_waits_whole_seconds_until_one_token_is_back() -> None:
    assert TokenBucket(tokens=1.0, updated=0.0).retry_after(0.5) == 0
    assert TokenBucket(tokens=1.5, updated=0.0).retry_after(0.5) == 0
    # 0.75 token missing at 0.25 a second: 3 seconds, then the one that gives it back.
    assert TokenBucket(tokens=0.25, updated=0.0).retry_after(0.25) == 4
    assert TokenBucket(tokens=0.0, updated=0.0).retry_after(0.5) == 3
