"""Postal returns as pure decisions: the row's state after a dossier event."""

from __future__ import annotations

# The row's state after each dossier event; events not listed leave it alone.
# "ready" rows form the operator's feed; "collected" means the counter returned the result
# itself after all, so the post must not come for it.
_AFTER: dict[str, dict[str, str]] = {
    "requested": {"resolved": "ready", "returned_by_post": "handed_over",
                  "returned_at_counter": "collected"},
    "ready": {"returned_by_post": "handed_over", "returned_at_counter": "collected"},
    "handed_over": {"delivered": "delivered", "delivery_failed": "failed"},
    "failed": {"returned_by_post": "handed_over", "returned_at_counter": "collected"},
    "collected": {"returned_by_post": "handed_over"},
    "delivered": {},
}


def step_name(event_type: str, method: str | None) -> str:
    """The postal step an event stands for: 'returned' splits by how it was returned."""
    if event_type == "returned":
        return "returned_by_post" if method == "postal" else "returned_at_counter"
    return event_type


def state_after(current: str | None, step: str, dossier_status: str) -> str | None:
    """The row's next state, or None when the step does not concern it.

    A (re)quest for post lands in the feed at once if the result already exists.
    """
    if step == "return_by_post_requested":
        return "ready" if dossier_status == "resolved" else "requested"
    if current is None:
        # A result handed to the post without a prior request still gets tracked.
        return "handed_over" if step == "returned_by_post" else None
    return _AFTER[current].get(step)


def accepts_handover(state: str | None, waybill: str | None, presented: str) -> bool:
    """Whether the operator may report handing over a result: only one in its feed ("ready":
    return by post requested and the result ready), or a retry of the report it made.

    Anything else (no postal return, still requested, collected at the counter, back after a
    failed delivery and not asked for again) is not the post's to close.
    """
    return state == "ready" or (waybill is not None and waybill == presented)
