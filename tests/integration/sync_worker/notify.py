"""The check both wake-up channels need: LISTEN hears a writer's NOTIFY at commit, not before."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg


async def assert_notified_at_commit(
    pool: asyncpg.Pool, channel: str, write: Callable[[asyncpg.Connection], Awaitable[object]]
) -> None:
    """Runs `write` in a transaction while another session listens on `channel`: the
    writer's notification must not arrive before the commit, and must arrive after it."""
    woken = asyncio.Event()
    notifier: list[int] = []

    def wake(_conn: object, pid: int, _channel: str, _payload: str) -> None:
        if pid in notifier:  # other sessions may notify the same channel
            woken.set()

    async with pool.acquire() as listener:
        await listener.add_listener(channel, wake)
        try:
            async with pool.acquire() as conn:
                notifier.append(conn.get_server_pid())
                async with conn.transaction():
                    await write(conn)
                    await asyncio.sleep(0.2)
                    assert not woken.is_set(), "NOTIFY is delivered at commit, not before"
                await asyncio.wait_for(woken.wait(), timeout=30)
        finally:
            await listener.remove_listener(channel, wake)
