"""The ranking maths on hand-computed examples (apps/projects/scoring.py)."""

import pytest

from apps.projects import scoring

# Weights A=2, B=1, C=1. Jurors 1 (harsh), 2 (lenient), 3; projects X, Y, Z.
WEIGHTS = {"A": 2, "B": 1, "C": 1}
SCORES = {
    1: {"X": {"A": 60, "B": 40, "C": 40}, "Y": dict.fromkeys("ABC", 40),
        "Z": {"A": 70, "B": 50, "C": 30}},
    2: {"X": dict.fromkeys("ABC", 90), "Y": dict.fromkeys("ABC", 80),
        "Z": dict.fromkeys("ABC", 100)},
    3: {"X": dict.fromkeys("ABC", 70), "Y": dict.fromkeys("ABC", 100),
        "Z": dict.fromkeys("ABC", 40)},
}  # fmt: skip
# Totals by hand: X = 50, 90, 70; Y = 40, 80, 100; Z = (140+50+30)/4 = 55, 100, 40.
TOTALS = {"X": {1: 50, 2: 90, 3: 70}, "Y": {1: 40, 2: 80, 3: 100}, "Z": {1: 55, 2: 100, 3: 40}}


def test_weighted_totals_per_juror():
    assert scoring.juror_totals(SCORES, WEIGHTS) == TOTALS


def test_an_incomplete_set_gives_no_total():
    partial = {1: {"X": {"A": 60, "B": 40}}}
    assert scoring.juror_totals(partial, WEIGHTS) == {}


def test_mean():
    got = scoring.aggregate(TOTALS, scoring.MEAN)
    assert got == pytest.approx({"X": 70, "Y": 220 / 3, "Z": 65})
    assert [r.project for r in scoring.rank(TOTALS, scoring.MEAN)] == ["Y", "X", "Z"]


def test_trimmed_mean_drops_each_projects_highest_and_lowest():
    # Three totals each: what is left is the middle one.
    got = scoring.aggregate(TOTALS, scoring.TRIMMED)
    assert got == pytest.approx({"X": 70, "Y": 80, "Z": 55})
    assert [r.project for r in scoring.rank(TOTALS, scoring.TRIMMED)] == ["Y", "X", "Z"]


def test_trimmed_mean_with_two_totals_is_the_mean():
    assert scoring.aggregate({"X": {1: 50, 2: 70}}, scoring.TRIMMED) == {"X": 60}


def test_normalisation_counts_a_harsh_and_a_lenient_juror_alike():
    # Juror 1: mean 48.333, sd sqrt(116.667/3) = 6.2361 → z X 0.26726, Y -1.33631, Z 1.06904
    # Juror 2: mean 90, sd 8.16497 → z X 0, Y -1.22474, Z 1.22474
    # Juror 3: mean 70, sd 24.4949 → z X 0, Y 1.22474, Z -1.22474
    # mean z: X 0.08909, Y -0.44544, Z 0.35635 → 50 + 10 z
    got = scoring.aggregate(TOTALS, scoring.NORMALISED)
    assert got == pytest.approx({"X": 50.8909, "Y": 45.5456, "Z": 53.5635}, abs=1e-3)
    assert [r.project for r in scoring.rank(TOTALS, scoring.NORMALISED)] == ["Z", "X", "Y"]


def test_a_juror_giving_everything_the_same_total_has_z_zero():
    totals = {"X": {1: 80, 2: 90}, "Y": {1: 80, 2: 70}}
    got = scoring.aggregate(totals, scoring.NORMALISED)
    assert got == pytest.approx({"X": 55, "Y": 45})


def test_ties_broken_by_mean_then_lowest_total_then_shared():
    # Trimmed: X and Y both 70; plain means 70 and 70; lowest totals 60 and 70: Y first.
    # W equals X in every key: they share a rank, and the next rank is skipped.
    totals = {
        "X": {1: 60, 2: 70, 3: 80},
        "Y": {1: 70, 2: 70, 3: 70},
        "W": {1: 60, 2: 70, 3: 80},
        "V": {1: 10, 2: 10, 3: 10},
    }
    ranked = [(r.project, r.rank) for r in scoring.rank(totals, scoring.TRIMMED)]
    assert ranked == [("Y", 1), ("W", 2), ("X", 2), ("V", 4)]


def test_the_mean_breaks_a_normalised_tie():
    # Both jurors rank X and Y alike (z equal), but X's plain mean is higher.
    totals = {"X": {1: 90, 2: 60}, "Y": {1: 60, 2: 90}, "Z": {1: 30, 2: 30}}
    agg = scoring.aggregate(totals, scoring.NORMALISED)
    assert agg["X"] == pytest.approx(agg["Y"])
    ranked = [(r.project, r.rank) for r in scoring.rank(totals, scoring.NORMALISED)]
    assert ranked[-1] == ("Z", 3) and {p for p, rank in ranked[:2]} == {"X", "Y"}


def test_divergent_juror():
    # Jurors 1-3 agree; juror 4 reverses them: mean distance 30 from the others.
    totals = {"X": {1: 80, 2: 80, 3: 80, 4: 50}, "Y": {1: 50, 2: 50, 3: 50, 4: 80}}
    gaps = scoring.divergence(totals)
    assert gaps[4] == pytest.approx(30)
    assert gaps[1] == pytest.approx(10)
