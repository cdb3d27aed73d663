"""Background passes inside the app's lifespan: one step every interval, until cancelled."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


async def every(seconds: float, step: Callable[[], object], what: str) -> None:
    """Run `step` in a worker thread every `seconds`; a failed pass is logged, not fatal, so a
    database or network hiccup never stops the work for good."""
    while True:
        started = time.monotonic()
        try:
            await asyncio.to_thread(step)
        except Exception:
            log.exception("%s pass failed", what)
        await asyncio.sleep(max(0.0, seconds - (time.monotonic() - started)))
