from __future__ import annotations

import statistics

import pytest

from bench.workload import (
    DEFAULT_SYMBOLS,
    DISTRIBUTIONS,
    LatencyModel,
    Scenario,
    check_symbols,
    symbols_for,
)


def test_same_seed_same_plan_for_every_distribution() -> None:
    for dist in DISTRIBUTIONS:
        a = Scenario(symbols_for(50), LatencyModel(dist, 1.0), seed=7).plan()
        b = Scenario(symbols_for(50), LatencyModel(dist, 1.0), seed=7).plan()
        assert a == b


def test_different_seed_different_plan() -> None:
    a = Scenario(symbols_for(20), LatencyModel("exponential", 1.0), seed=1).plan()
    b = Scenario(symbols_for(20), LatencyModel("exponential", 1.0), seed=2).plan()
    assert [t.latency_ns for t in a] != [t.latency_ns for t in b]


def test_constant_default_is_the_classic_scenario() -> None:
    plan = Scenario(symbols_for(6), LatencyModel()).plan()
    assert [t.symbol for t in plan] == list(DEFAULT_SYMBOLS)
    assert {t.latency_ns for t in plan} == {2_000_000_000}


def test_scale_shrinks_every_latency_keeping_the_shape() -> None:
    full = Scenario(symbols_for(30), LatencyModel("lognormal", 2.0), seed=3).plan()
    small = Scenario(symbols_for(30), LatencyModel("lognormal", 2.0, scale=0.01), seed=3).plan()
    for big, little in zip(full, small, strict=True):
        assert little.latency_ns == pytest.approx(big.latency_ns / 100, abs=1)


@pytest.mark.parametrize("dist", ["uniform", "normal", "lognormal", "exponential"])
def test_distributions_have_the_asked_mean_and_no_negative_values(dist: str) -> None:
    plan = Scenario(symbols_for(4000), LatencyModel(dist, 1.0), seed=11).plan()
    values = [t.latency_ns / 1e9 for t in plan]
    assert min(values) >= 0
    assert statistics.fmean(values) == pytest.approx(1.0, rel=0.06)


def test_uniform_respects_its_spread() -> None:
    plan = Scenario(symbols_for(500), LatencyModel("uniform", 1.0, spread=0.25)).plan()
    assert all(0.75e9 <= t.latency_ns <= 1.25e9 for t in plan)


def test_symbols_extend_with_real_then_synthetic_tickers() -> None:
    names = symbols_for(200)
    assert names[:6] == DEFAULT_SYMBOLS
    assert names[6] == "NVDA"
    assert names[-1] == "SYN00134"
    assert len(set(names)) == 200
    assert symbols_for(2) == ("AAPL", "GOOGL")


@pytest.mark.parametrize(
    ("symbols", "message"),
    [
        ([], "empty"),
        (["AAPL", ""], "symbol 2 is empty"),
        (["A\x00B"], "NUL or control"),
        (["AAPL", "AAPL"], "more than once"),
        (["X" * 1001], "longer than"),
    ],
)
def test_bad_symbol_lists_are_rejected(symbols: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_symbols(symbols)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dist": "poisson"}, "unknown distribution"),
        ({"mean_s": -1.0}, "finite number >= 0"),
        ({"mean_s": float("nan")}, "finite number >= 0"),
        ({"scale": 0.0}, "scale must be"),
        ({"dist": "constant", "spread": 1.0}, "takes no spread"),
        ({"dist": "uniform", "mean_s": 1.0, "spread": 2.0}, "must not exceed"),
    ],
)
def test_bad_latency_models_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LatencyModel(**kwargs)  # type: ignore[arg-type]
