"""Typed changes that one capability publishes and others handle, in the same transaction.

A package must not call up into a package above it, yet a change it makes may concern them:
a unit moved in the tree moves the figures of its dossiers. The lower package publishes the
change as a frozen value; the handlers subscribed to its type (wired once per process, in
app/wiring.py) run in the publisher's session, so the change and its consequences commit or
roll back together. A change that nothing handles is an error, never skipped: a consequence
silently left out (figures kept under a unit's former ancestors) is worse than a failed write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

C = TypeVar("C")


class Unhandled(RuntimeError):
    """A change was published that no handler subscribes to: the process was not wired."""


class Subscribers:
    """Handlers by the exact type of change they handle, run in the order they subscribed."""

    def __init__(self) -> None:
        self._handlers: dict[type[Any], list[Callable[[Session, Any], object]]] = {}

    def subscribe(self, kind: type[C], handler: Callable[[Session, C], object]) -> None:
        """Run `handler` for every published change of type `kind`; subscribing again is a
        no-op, so wiring twice runs nothing twice."""
        handlers = self._handlers.setdefault(kind, [])
        if handler not in handlers:
            handlers.append(handler)

    def handles(self, kind: type[Any]) -> bool:
        """True if some handler subscribes to changes of type `kind`."""
        return bool(self._handlers.get(kind))

    def publish(self, session: Session, change: object) -> list[object]:
        """Hand `change` to each of its handlers, in `session`, and give back what each
        answered (e.g. how many dossiers it moved); Unhandled if there is none."""
        handlers = self._handlers.get(type(change))
        if not handlers:
            raise Unhandled(f"No handler subscribes to {type(change).__qualname__}: the "
                            "process must be wired before it writes (app.wiring.wire).")
        return [handler(session, change) for handler in handlers]


# The process's subscribers: the application and the command line wire them at start.
SUBSCRIBERS = Subscribers()


def publish(session: Session, change: object) -> list[object]:
    """Hand a change to the process's subscribers, in the caller's transaction; their answers."""
    return SUBSCRIBERS.publish(session, change)
