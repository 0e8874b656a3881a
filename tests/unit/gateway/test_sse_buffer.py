"""The feed's buffer of pre-formatted changes: cursor, eviction, the point a stream is behind."""

from __future__ import annotations

import pytest

from services.gateway.events.buffer import ChangeBuffer


def _filled(capacity: int, base: int, seqs: range) -> ChangeBuffer:
    buffer = ChangeBuffer(capacity, base)
    for seq in seqs:
        buffer.append(seq, f"<{seq}>")
    return buffer


def test_since_returns_every_held_change_after_the_cursor_in_order() -> None:
    buffer = _filled(10, 3, range(4, 9))
    assert buffer.since(3) == ("<4><5><6><7><8>", 8)
    assert buffer.since(6) == ("<7><8>", 8)
    assert buffer.since(8) == ("", 8)
    # A cursor past the end (a snapshot newer than what the buffer read so far) waits.
    assert buffer.since(12) == ("", 12)
    buffer.append(13, "<13>")
    assert buffer.since(12) == ("<13>", 13)


def test_an_empty_buffer_starts_at_its_base() -> None:
    buffer = ChangeBuffer(5, 7)
    assert buffer.last_seq == 7 and len(buffer) == 0
    assert not buffer.behind(7) and buffer.behind(6)
    assert buffer.since(7) == ("", 7)


def test_eviction_moves_the_base_and_a_stream_before_it_is_behind() -> None:
    buffer = _filled(3, 0, range(1, 6))
    assert len(buffer) == 3 and buffer.base_seq == 2
    assert buffer.since(2) == ("<3><4><5>", 5)
    assert buffer.behind(1)
    with pytest.raises(ValueError, match="older than the buffer"):
        buffer.since(1)


def test_long_runs_compact_and_keep_answering() -> None:
    buffer = _filled(4, 0, range(1, 1001))
    assert len(buffer) == 4 and buffer.base_seq == 996 and buffer.last_seq == 1000
    assert buffer.since(997) == ("<998><999><1000>", 1000)


def test_gaps_in_sequences_are_followed() -> None:
    buffer = ChangeBuffer(10, 0)
    for seq in (2, 5, 9):
        buffer.append(seq, f"<{seq}>")
    assert buffer.since(3) == ("<5><9>", 9)


def test_changes_must_move_forward_and_capacity_must_hold_one() -> None:
    buffer = _filled(3, 0, range(1, 3))
    with pytest.raises(ValueError, match="not after"):
        buffer.append(2, "<again>")
    with pytest.raises(ValueError):
        ChangeBuffer(0, 0)
