"""The framework ceiling: the service's ingest routes with the same bodies, and no database.

Same FastAPI, same Pydantic request models (validation is part of the honest cost), sync
endpoints run in the thread pool as the service's are, and an answer of the same shape and
size. Whatever the service does beyond this is the price of its own work.

    python -m uvicorn bench.ceiling:app
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Annotated, Any

from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse

from app.dossiers.schemas import DossierIn, EventIn

app = FastAPI(title="framework ceiling")
_numbers = itertools.count(1)


def _dossier(code: str, received_at: datetime | None) -> dict[str, Any]:
    at = received_at.isoformat() if received_at else None
    return {
        "code": code, "status": "received", "procedure": "2.000001",
        "receiving_unit": "000.00.10.B01", "handling_unit": "000.00.10.B01",
        "channel": "direct", "client_ref": "r-1-1", "received_at": at, "due_at": at,
        "rescheduled_due_at": None, "timeliness": None, "overdue": False, "paused": False,
        "supplement_count": 0, "apology_count": 0, "resolved_at": None, "finished_at": None,
        "returned_at": None, "return_method": None, "rating": None,
        "applicant": {"kind": "person", "name": "Nguyễn Văn An", "id_number": "001090012345",
                      "phone": "0912345678", "address": "Số 1 Tràng Tiền, Hà Nội"},
        "timeline": None,
    }


@app.get("/health/live")
def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@app.post("/api/v1/dossiers", status_code=201)
def receive(body: DossierIn, x_api_key: Annotated[str, Header()]) -> JSONResponse:
    """Validate a receipt and answer like the service."""
    code = f"{body.receiving_unit}-000000-{next(_numbers):04d}"
    return JSONResponse(_dossier(code, body.received_at), status_code=201)


@app.post("/api/v1/dossiers/{code}/events", status_code=201)
def post_event(code: str, event: EventIn, x_api_key: Annotated[str, Header()]) -> JSONResponse:
    """Validate an event and answer like the service."""
    details = event.model_dump(mode="json", exclude={"id", "type", "at"}, exclude_unset=True)
    answer = {"event": {"id": event.id, "type": event.type, "at": event.at.isoformat(),
                        "recorded_at": event.at.isoformat(), "details": details, "flags": {}},
              "dossier": _dossier(code, event.at)}
    return JSONResponse(answer, status_code=201)
