"""The reconciliation bench's headline: how much slower a 50-invoice push is while a run
goes on, from pairs of pushes measured in the same round."""

from __future__ import annotations

import math

from bench.reconcile import TARGET_RATIO, push_slowdown


def test_the_ratio_is_the_median_of_per_round_pairs() -> None:
    figure = push_slowdown([4.0, 10.0, 5.0], [5.0, 11.0, 8.0], [1.0, 1.0, 1.0])
    assert figure["ratios_per_round"] == [1.25, 1.1, 1.6]
    assert figure["ratio"] == 1.25 and figure["meets_target"] is True
    assert figure["target_ratio"] == TARGET_RATIO == 1.25
    assert figure["ratio_of_medians"] == 8.0 / 5.0


def test_a_slower_push_misses_the_target() -> None:
    figure = push_slowdown([4.0, 4.0], [5.2, 5.4], [1.0, 0.95])
    assert math.isclose(figure["ratio"], 1.325) and figure["meets_target"] is False


def test_rounds_where_the_run_did_not_cover_the_push_do_not_count() -> None:
    figure = push_slowdown([4.0, 4.0, 4.0], [4.4, 8.0, 4.8], [1.0, 0.3, 0.92])
    assert figure["rounds_counted"] == 2 and figure["rounds"] == 3
    assert math.isclose(figure["ratio"], 1.15)


def test_no_counted_round_gives_no_figure_and_no_pass() -> None:
    figure = push_slowdown([4.0], [4.1], [0.2])
    assert math.isnan(figure["ratio"]) and figure["meets_target"] is False
