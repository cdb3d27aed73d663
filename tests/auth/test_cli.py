"""`python -m app keys create|list|revoke` on a real database, checked through the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.__main__ import main, serve_banner
from tests.factories import PROVINCE, Api


def test_create_shows_a_working_secret_once_then_revoke_refuses_it(
    api: Api, client: TestClient, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    api.province()
    unit = PROVINCE
    assert main(["keys", "create", "--name", "Lãnh đạo tỉnh", "--role", "dashboard",
                 "--unit", unit]) == 0
    out = capsys.readouterr()
    secret = out.out.strip()
    assert "shown this once" in out.err
    me = {"X-API-Key": secret}
    assert client.get("/api/v1/stats/on-time", params={"unit": unit, "period": "2026"},
                      headers=me).status_code == 200

    assert main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Lãnh đạo tỉnh" in listed and "dashboard" in listed and unit in listed
    assert secret not in listed
    key_id = client.get("/api/v1/keys").json()[0]["id"]
    assert listed.startswith(f"{key_id}\t")

    assert main(["keys", "revoke", str(key_id)]) == 0
    assert client.get("/api/v1/stats/on-time", params={"unit": unit, "period": "2026"},
                      headers=me).status_code == 401
    assert "\trevoked 20" in (main(["keys", "list"]), capsys.readouterr().out)[1]
    audit = client.get("/api/v1/audit").json()
    assert {"create", "revoke"} <= {row["action"] for row in audit["items"]}


@pytest.mark.parametrize(("args", "message"), [
    (["create", "--name", "x", "--role", "counter"], "must be scoped to a unit"),
    (["create", "--name", "x", "--role", "counter", "--unit", "999.99.99.X99"], "999.99.99.X99"),
    (["create", "--name", "x", "--role", "postal", "--expires-at", "2030-01-01T00:00:00"],
     "timezone"),
    (["revoke", "424242"], "No key 424242"),
])
def test_refusals_say_why_and_change_nothing(
    client: TestClient, cli_env: None, capsys: pytest.CaptureFixture[str],
    args: list[str], message: str,
) -> None:
    assert main(["keys", *args]) == 1
    assert message in capsys.readouterr().err
    assert client.get("/api/v1/keys").json() == []


def test_serve_banner_gives_full_addresses_and_how_to_get_a_key() -> None:
    banner = serve_banner("127.0.0.1", 8000, "sqlite:///./motcua.db")
    assert "http://127.0.0.1:8000/docs" in banner
    assert "http://127.0.0.1:8000/dashboard" in banner
    assert "-m app keys create --role dashboard --unit UNIT_CODE" in banner
