"""Readiness: any failing check, an exception included, is "not ready" with its reason."""

from __future__ import annotations

from services.platform.readiness import check_readiness


async def _kafka_raises() -> bool:
    raise RuntimeError("client not started")


async def _kafka_connected() -> bool:
    return True


async def test_a_check_that_raises_is_a_failed_check_not_an_error() -> None:
    readiness = await check_readiness(None, _kafka_raises)
    assert not readiness.ready
    assert readiness.checks == {
        "postgres": "failed: RuntimeError",
        "kafka": "failed: RuntimeError",
    }
    assert readiness.body()["details"]["topics"]["status"] == "not_checked"


async def test_kafka_alone_is_not_enough() -> None:
    readiness = await check_readiness(None, _kafka_connected)
    assert not readiness.ready
    assert readiness.checks["kafka"] == "ok"
