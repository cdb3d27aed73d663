"""The catalogue of problem codes: every `code` a problem+json answer of the API carries, the
HTTP status it comes with and what it means to the integrator who receives it.

Plain strings, so core names the codes of every capability without importing any. Each code
has one status. COMMON_PROBLEMS may come from any operation and are listed once, in the 4XX
and 5XX responses of the OpenAPI document; an operation names its own codes with
`app.core.openapi.problems`. docs/errors.md is generated from this module.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProblemCode:
    """The status a code comes with, and what it means."""

    status: int
    meaning: str


TO_BEFORE_FROM = "`to` is before `from`."


def _steps(meaning: str) -> ProblemCode:
    """A fault of a procedure version's internal process (quy trình nội bộ)."""
    return ProblemCode(422, meaning + " (`invalid_params` names every failing step).")


COMMON_PROBLEMS: dict[str, ProblemCode] = {
    "http_error": ProblemCode(
        400, "The body could not be read at all, for example bytes that are not UTF-8 text; "
             "nothing was applied."),
    "missing_key": ProblemCode(
        401, "No API key was sent: send it in the `X-API-Key` header (every operation but "
             "the public lookup and the health probes needs one)."),
    "invalid_key": ProblemCode(401, "The API key is unknown, revoked or expired."),
    "role_not_allowed": ProblemCode(
        403, "The key's role (admin, counter, dashboard, postal) may not call this "
             "operation; the detail names the roles that may."),
    "not_found": ProblemCode(
        404, "No operation is served at this path: check the address and the `/api/v1` "
             "prefix."),
    "method_not_allowed": ProblemCode(
        405, "The path exists, but not with this HTTP method; the `Allow` header lists the "
             "methods it serves."),
    "payload_too_large": ProblemCode(
        413, "The body is larger than the server accepts (`MAX_BODY_BYTES`, declared or "
             "streamed); nothing of it was applied."),
    "validation_failed": ProblemCode(
        422, "A parameter or body field is missing, of the wrong type or out of its bounds, "
             "or the body is not JSON or not sent as `application/json`; `invalid_params` "
             "names each field."),
    "nul_character": ProblemCode(422, "The URL holds a NUL character (`%00`)."),
    "internal_error": ProblemCode(
        500, "An unexpected failure, logged on the server; report it with the time of the "
             "request."),
    "database_unavailable": ProblemCode(
        503, "The database could not be reached. Nothing was committed, so the same request "
             "is safe to retry after `Retry-After`."),
    "transaction_conflict": ProblemCode(
        503, "PostgreSQL rolled the transaction back to resolve a deadlock or a "
             "serialization conflict with a concurrent request. Nothing was committed: "
             "retry after `Retry-After`."),
    "busy": ProblemCode(
        503, "Too many large bodies are being processed at once; nothing of this request "
             "was applied: retry after `Retry-After`."),
}

OPERATION_PROBLEMS: dict[str, ProblemCode] = {
    # Scope of the key.
    "outside_unit_scope": ProblemCode(
        403, "The unit or dossier asked for is outside the key's unit and the units below "
             "it."),
    "outside_province": ProblemCode(
        403, "The key may hand dossiers only to units of its own province; `invalid_params` "
             "names the field."),
    # Things that do not exist.
    "unit_not_found": ProblemCode(404, "No unit has this code (mã đơn vị)."),
    "procedure_not_found": ProblemCode(404, "No procedure has this code (mã thủ tục)."),
    "dossier_not_found": ProblemCode(
        404, "No dossier has this code (mã hồ sơ). The public lookup gives the same answer "
             "when the second factor does not match, so that it tells nothing to a stranger."),
    "override_not_found": ProblemCode(
        404, "No calendar override was declared on this day for this unit (or nationally)."),
    "key_not_found": ProblemCode(404, "No API key has this id."),
    "webhook_not_found": ProblemCode(404, "No webhook has this id."),
    # The catalogue (units and procedures).
    "unit_exists": ProblemCode(409, "A unit with this code exists already."),
    "unit_in_use": ProblemCode(
        409, "Sub-units, merged units, dossiers or keys refer to the unit, so it cannot be "
             "deleted: close it with `valid_to` instead."),
    "procedure_exists": ProblemCode(409, "A procedure with this code exists already."),
    "procedure_in_use": ProblemCode(
        409, "Dossiers were received under the procedure, so it cannot be deleted."),
    "unknown_unit": ProblemCode(
        422, "A body field names a unit that does not exist; `invalid_params` names the "
             "field."),
    "invalid_validity": ProblemCode(422, "`valid_to` is before `valid_from`."),
    "unit_cycle": ProblemCode(422, "A unit cannot be placed under itself or a unit below it."),
    "merge_cycle": ProblemCode(
        422, "`merged_into` would make a chain of mergers that comes back to this unit."),
    "null_field": ProblemCode(
        422, "A change sets to null a field that must keep a value; `invalid_params` names "
             "it."),
    "overlapping_effective_date": ProblemCode(
        422, "A new version's `effective_from` (ngày hiệu lực) must come after the date of "
             "every existing version."),
    "step_name_empty": _steps("A step has an empty name"),
    "step_name_duplicated": _steps("Two steps have the same name"),
    "step_performer_missing": _steps("A step names neither the unit nor the role performing "
                                     "it"),
    "step_allotment_not_positive": _steps("A step's allotment is not more than 0"),
    "step_allotment_kind_mismatch": _steps(
        "A step's allotment is in working days where the legal time is in working hours, or "
        "the reverse"),
    "steps_need_working_time": _steps(
        "The legal time is in calendar days or same-day, which cannot be divided into step "
        "allotments"),
    "step_allotments_exceed_legal_time": _steps(
        "The steps' allotments add up to more than the legal processing time"),
    # Receipts (tiếp nhận) and events.
    "unknown_procedure": ProblemCode(422, "The body names a procedure that does not exist."),
    "channel_not_offered": ProblemCode(422, "The procedure cannot be filed online."),
    "received_in_future": ProblemCode(
        422, "`received_at` is later than the server's clock, beyond the allowed skew."),
    "unit_not_valid": ProblemCode(
        422, "The unit does not exist on that day: the day is outside its `valid_from` to "
             "`valid_to`."),
    "postal_not_offered": ProblemCode(
        422, "The procedure does not offer the return of results by post."),
    "delivery_address_missing": ProblemCode(
        422, "A return by post needs a delivery address, and neither the request nor the "
             "applicant on file has one."),
    # Online pre-receipt (kiểm tra, tiếp nhận hồ sơ trực tuyến).
    "submitted_in_future": ProblemCode(
        422, "`submitted_at` is later than the server's clock, beyond the allowed skew."),
    "submission_not_found": ProblemCode(404, "No online submission has this id."),
    "submission_decided": ProblemCode(
        409, "The submission was already accepted or not accepted: it is decided once; "
             "nothing changed."),
    "decided_before_submission": ProblemCode(
        422, "The decision's `at` is before the submission was filed."),
    "decided_in_future": ProblemCode(
        422, "The decision's `at` is later than the server's clock, beyond the allowed skew."),
    "idempotency_key_reused": ProblemCode(
        409, "The id (a receipt's `client_ref`, an event's `id`, a waybill) was used before "
             "for a different request; the first one stands and nothing changed."),
    "event_in_future": ProblemCode(
        422, "The event's `at` is later than the server's clock, beyond the allowed skew."),
    "event_out_of_order": ProblemCode(
        409, "The event is earlier than the dossier's last event; nothing changed."),
    "illegal_transition": ProblemCode(
        409, "The event is not allowed in the dossier's current status; nothing changed."),
    "no_internal_steps": ProblemCode(
        409, "`step_completed` on a dossier whose procedure version has no internal steps; "
             "nothing changed."),
    "last_step_ends_with_result": ProblemCode(
        409, "`step_completed` at the last step before the return, which ends with the "
             "result (post `resolved`); nothing changed."),
    "same_unit": ProblemCode(422, "A transfer names the unit already handling the dossier."),
    "new_due_not_later": ProblemCode(
        422, "An apology's new appointment (`new_due_at`, hẹn lại) must be later than the "
             "current one."),
    "waybill_missing": ProblemCode(
        422, "A result returned by post needs the post's waybill (mã vận đơn)."),
    "not_awaiting_delivery": ProblemCode(
        409, "A delivery outcome is reported for a result not handed to the post, or whose "
             "outcome is already recorded."),
    "batch_too_large": ProblemCode(
        413, "The batch holds more items than `BATCH_MAX_ITEMS`; split it. Nothing was "
             "applied."),
    # The post.
    "not_in_postal_feed": ProblemCode(
        409, "The result is not in the postal feed: return by post was not requested, the "
             "result is not ready, or it was handed over under another waybill."),
    "not_handed_over": ProblemCode(
        409, "A delivery is reported for a result never handed to the post."),
    # Forms, registers, figures and the scorecard.
    "document_not_applicable": ProblemCode(
        409, "The dossier has not reached the step the form records yet (no refusal form "
             "before a refusal)."),
    "unit_required": ProblemCode(
        422, "A unit must be named: a national key names the unit (`unit`) of figures, "
             "reports and registers, and counter and dashboard keys are created for a unit."),
    "register_too_large": ProblemCode(
        422, "The register of this unit and period holds more dossiers than one file may "
             "(the detail gives the limit); ask for a shorter period."),
    "invalid_period": ProblemCode(
        422, "The period is malformed or inconsistent: give `period` (2026, 2026-Q3, "
             "2026-H1 or 2026-09) or both `from` and `to`, with `to` not before `from` and "
             "at most 20 years after it."),
    "then_by_without_group_by": ProblemCode(
        422, "`then_by` splits the groups of `group_by=unit`, `field` or `procedure` only."),
    "no_scorecard_weights": ProblemCode(
        422, "No scorecard weights were in force at the end of the period."),
    "invalid_cursor": ProblemCode(
        422, "The cursor is not one this listing handed out; pass back `next_cursor` as "
             "given."),
    # The working calendar.
    "one_time_unit": ProblemCode(422, "Give exactly one of `working_days` and `working_hours`."),
    "range_reversed": ProblemCode(422, TO_BEFORE_FROM),
    "range_too_long": ProblemCode(
        422, "The range holds more days than one request lists; the detail gives the limit."),
    # Keys, the portal sync, the public lookup and the probes.
    "admin_key_is_national": ProblemCode(
        422, "Admin keys are national: scope a counter, dashboard or postal key instead."),
    "expired": ProblemCode(422, "`expires_at` is not in the future."),
    "already_revoked": ProblemCode(409, "The key was revoked already."),
    "replay_scope": ProblemCode(
        422, "Name either one `dossier` or a day range (`from` and `to`), not both."),
    "invalid_range": ProblemCode(422, TO_BEFORE_FROM),
    "too_many_lookups": ProblemCode(
        429, "Too many failed lookups from this address (or, with phone digits, for this "
             "code); retry after `Retry-After`."),
    "not_ready": ProblemCode(
        503, "The database does not answer: send this process no traffic yet."),
}

PROBLEM_CODES: dict[str, ProblemCode] = {**COMMON_PROBLEMS, **OPERATION_PROBLEMS}
COMMON_CODES: frozenset[str] = frozenset(COMMON_PROBLEMS)
ROUTING_CODES = frozenset({"not_found", "method_not_allowed"})
"""The common codes answered when no operation matched the request: the 4XX range lists them,
an operation's own statuses do not."""
