from tests.factories import COMMUNE, Api


def test_receive_and_read(api: Api) -> None:
    api.province()
    d = api.receive("2026-03-02 08:00")
    assert d["code"] == f"{COMMUNE}-260302-0001"
    assert d["due_at"] == "2026-03-06T17:00:00+07:00"
    assert api.dossier(d["code"])["timeline"][0]["type"] == "received"
