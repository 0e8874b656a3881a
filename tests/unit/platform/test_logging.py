from __future__ import annotations

import json

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
