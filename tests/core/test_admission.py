"""The byte budget for large bodies, and the middleware that makes them wait their turn."""

from __future__ import annotations

import asyncio

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.core.admission import BodyAdmission, ByteBudget


def test_reservations_are_granted_in_arrival_order() -> None:
    async def scenario() -> list[str]:
        budget = ByteBudget(100)
        order: list[str] = []
        assert await budget.reserve(80, wait=1)

        async def take(name: str, size: int) -> None:
            assert await budget.reserve(size, wait=1)
            order.append(name)

        first = asyncio.create_task(take("big", 60))
        await asyncio.sleep(0)
        # 10 bytes would fit now, but it arrived after "big": no overtaking, no starvation.
        second = asyncio.create_task(take("small", 10))
        await asyncio.sleep(0.01)
        assert order == []
        budget.release(80)
        await asyncio.gather(first, second)
        assert budget.free == 30
        return order

    assert asyncio.run(scenario()) == ["big", "small"]


def test_a_wait_that_runs_out_gives_up_its_place() -> None:
    async def scenario() -> None:
        budget = ByteBudget(100)
        assert await budget.reserve(90, wait=1)
        assert not await budget.reserve(50, wait=0.01)
        # The one that gave up no longer blocks a smaller one that fits.
        assert await budget.reserve(10, wait=0.01)
        assert budget.free == 0
        budget.release(90)
        budget.release(10)
        assert budget.free == 100

    asyncio.run(scenario())


def test_a_size_over_the_capacity_takes_the_whole_budget() -> None:
    async def scenario() -> None:
        budget = ByteBudget(100)
        assert await budget.reserve(500, wait=0.01)
        assert budget.free == 0
        budget.release(500)
        assert budget.free == 100

    asyncio.run(scenario())


def _app(gate: asyncio.Event) -> BodyAdmission:
    async def echo(request: Request) -> JSONResponse:
        body = await request.body()
        await gate.wait()
        return JSONResponse({"bytes": len(body)})

    inner = Starlette(routes=[Route("/", echo, methods=["POST"])])
    return BodyAdmission(inner, budget_bytes=1000, small_body_bytes=100, max_body_bytes=1000,
                         wait_seconds=0.2)


def test_large_bodies_past_the_budget_get_503_with_retry_after_small_ones_pass() -> None:
    async def scenario() -> None:
        gate = asyncio.Event()
        app = _app(gate)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            held = asyncio.create_task(c.post("/", content=b"x" * 800))
            await asyncio.sleep(0.05)
            # A second large body cannot be admitted while the first holds the budget.
            refused = await c.post("/", content=b"y" * 800)
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "1"
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["code"] == "busy"
            # A small body never waits behind a batch.
            small = asyncio.create_task(c.post("/", content=b"z" * 50))
            await asyncio.sleep(0.05)
            gate.set()
            assert (await held).json() == {"bytes": 800}
            assert (await small).json() == {"bytes": 50}
            # Released: the next large body is admitted.
            assert (await c.post("/", content=b"y" * 800)).status_code == 200

    asyncio.run(scenario())
