from __future__ import annotations

import json
import logging

import structlog

from services.platform.logging import configure_logging, scrub_text


def test_scrub_text_hides_bearer_tokens_and_url_passwords() -> None:
    text = "Authorization: Bearer abc.def-123 to postgresql://app:hunter2@db/x"
    scrubbed = scrub_text(text)
    assert "abc.def-123" not in scrubbed
    assert "hunter2" not in scrubbed
    assert "postgresql://app:***@db/x" in scrubbed


def test_secret_keys_are_never_rendered(capsys) -> None:  # type: ignore[no-untyped-def]
    configure_logging("test", "INFO", "json")
    structlog.contextvars.clear_contextvars()
    structlog.get_logger().info(
        "connected", refresh_token="rt-SECRET-1", nested={"access_token": "at-SECRET-2"}
    )
    line = capsys.readouterr().out.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["refresh_token"] == "***"
    assert record["nested"]["access_token"] == "***"
    assert "SECRET" not in line


def test_library_logs_are_json_with_secrets_scrubbed(capsys) -> None:  # type: ignore[no-untyped-def]
    configure_logging("test", "INFO", "json")
    logging.getLogger("aiokafka").warning("lost %s with Bearer tok-SECRET-3", "broker 1")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("asyncio").exception("task failed")
    lines = capsys.readouterr().out.strip().splitlines()
    kafka, failed = json.loads(lines[-2]), json.loads(lines[-1])
    assert (kafka["logger"], kafka["level"], kafka["service"]) == ("aiokafka", "warning", "test")
    assert kafka["event"] == "lost broker 1 with Bearer ***"
    assert (failed["logger"], failed["event"]) == ("asyncio", "task failed")
    assert "RuntimeError: boom" in failed["exception"]
