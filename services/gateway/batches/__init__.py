"""Push batches: recording them, their per-invoice results, progress and ETA."""
