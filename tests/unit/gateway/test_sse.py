"""The event-stream wire format, both ways (pure)."""

from __future__ import annotations

from services.gateway.cli.sse_client import ServerSentEvent, SseParser
from services.gateway.events.sse import parse_last_event_id, sse_comment, sse_event, sse_retry


def _parse(text: str) -> tuple[list[ServerSentEvent], SseParser]:
    parser = SseParser()
    events = [e for line in text.split("\n") if (e := parser.feed(line)) is not None]
    return events, parser


def test_events_are_formatted_per_the_spec() -> None:
    assert sse_event('{"a":1}', event="invoice", event_id=7) == (
        'event: invoice\nid: 7\ndata: {"a":1}\n\n'
    )
    assert sse_event("one\ntwo") == "data: one\ndata: two\n\n"
    assert sse_event("") == "data: \n\n"
    assert sse_comment("keepalive") == ": keepalive\n\n"
    assert sse_retry(2000) == "retry: 2000\n\n"


def test_the_client_parser_reads_what_the_server_writes() -> None:
    stream = (
        sse_retry(2000)
        + sse_event("snap", event="snapshot", event_id=0)
        + sse_comment("keepalive")
        + sse_event("multi\nline", event="invoice", event_id=1)
        + sse_event("done", event="end")
    )
    events, parser = _parse(stream)
    assert events == [
        ServerSentEvent("snapshot", "snap", "0"),
        ServerSentEvent("invoice", "multi\nline", "1"),
        ServerSentEvent("end", "done", None),
    ]
    assert parser.last_event_id == "1"


def test_last_event_id_must_be_a_plain_sequence_number() -> None:
    assert parse_last_event_id("42") == 42
    assert parse_last_event_id(" 7 ") == 7
    for bad in (None, "", "-1", "4.2", "abc", "١٢", "9" * 30):
        assert parse_last_event_id(bad) is None
