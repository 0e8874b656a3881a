"""A bounded run of a batch's latest changes, already in SSE wire form (pure).

Each change is formatted once for every stream of the replica. A stream asks for what
follows the last sequence it sent; a stream further back than the buffer reaches must
read the change log itself (`behind`).
"""

from __future__ import annotations

from bisect import bisect_right


class ChangeBuffer:
    def __init__(self, capacity: int, base_seq: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._seqs: list[int] = []
        self._texts: list[str] = []
        self._start = 0  # entries before it are evicted (compacted now and then)
        # Every change with a sequence above base_seq that was read is held here.
        self.base_seq = base_seq

    @property
    def last_seq(self) -> int:
        return self._seqs[-1] if len(self._seqs) > self._start else self.base_seq

    def __len__(self) -> int:
        return len(self._seqs) - self._start

    def append(self, seq: int, text: str) -> None:
        if seq <= self.last_seq:
            raise ValueError(f"change {seq} is not after {self.last_seq}")
        self._seqs.append(seq)
        self._texts.append(text)
        while len(self) > self._capacity:
            self.base_seq = self._seqs[self._start]
            self._start += 1
        if self._start > self._capacity:
            del self._seqs[: self._start], self._texts[: self._start]
            self._start = 0

    def behind(self, sent: int) -> bool:
        """True if changes after `sent` were evicted (or never read into the buffer)."""
        return sent < self.base_seq

    def since(self, sent: int) -> tuple[str, int]:
        """The wire text of every held change after `sent`, and the sequence it ends at."""
        if self.behind(sent):
            raise ValueError(f"change {sent} is older than the buffer ({self.base_seq})")
        at = max(bisect_right(self._seqs, sent, lo=self._start), self._start)
        if at == len(self._seqs):
            return "", sent
        return "".join(self._texts[at:]), self._seqs[-1]
