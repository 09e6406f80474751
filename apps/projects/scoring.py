"""The ranking of a review session, as pure functions of the scores (no database).

1. A juror's total for a project is the weighted mean of their criterion scores,
   sum(w_c * s_c) / sum(w_c), on the 0–100 scale. Only complete sets count: a juror who
   left a criterion of a project unscored gives that project no total.
2. The aggregate per project (the session's `method`):
   - mean: the mean of the jurors' totals;
   - trimmed: the same after dropping the single highest and the single lowest total
     (with fewer than three totals nothing is dropped);
   - normalised: each juror's totals are standardised over the projects that juror scored,
     z = (total - juror mean) / juror standard deviation (population; 0 when a juror gave
     every project the same total), the z's are averaged per project and shown as
     50 + 10 * mean z, so that a harsh and a lenient juror weigh alike.
3. Ranking by aggregate, higher first; ties broken by the higher plain mean of totals, then
   by the higher lowest total (fewer weak marks); still equal: the same rank ("1, 1, 3").
4. A juror is flagged as divergent when the mean absolute distance between their totals and
   the other jurors' mean for the same projects exceeds the threshold.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import fmean, pstdev

MEAN, TRIMMED, NORMALISED = "mean", "trimmed", "normalised"


@dataclass(frozen=True)
class Ranked:
    project: int
    rank: int
    aggregate: float
    mean_total: float
    jurors: int


def juror_totals(
    scores: Mapping[int, Mapping[int, Mapping[int, float]]], weights: Mapping[int, float]
) -> dict[int, dict[int, float]]:
    """{project: {juror: total}} from {juror: {project: {criterion: score}}}."""
    weight_sum = sum(weights.values())
    totals: dict[int, dict[int, float]] = {}
    for juror, projects in scores.items():
        for project, given in projects.items():
            if set(given) >= set(weights) and weight_sum:
                total = sum(weights[c] * given[c] for c in weights) / weight_sum
                totals.setdefault(project, {})[juror] = total
    return totals


def _trimmed(values: list[float]) -> float:
    if len(values) < 3:
        return fmean(values)
    ordered = sorted(values)
    return fmean(ordered[1:-1])


def _normalised(totals: Mapping[int, Mapping[int, float]]) -> dict[int, float]:
    by_juror: dict[int, list[float]] = {}
    for per_juror in totals.values():
        for juror, total in per_juror.items():
            by_juror.setdefault(juror, []).append(total)
    stats = {j: (fmean(v), pstdev(v)) for j, v in by_juror.items()}

    def z(juror: int, total: float) -> float:
        mean, sd = stats[juror]
        return (total - mean) / sd if sd else 0.0

    return {
        project: 50 + 10 * fmean(z(j, t) for j, t in per_juror.items())
        for project, per_juror in totals.items()
    }


def aggregate(totals: Mapping[int, Mapping[int, float]], method: str) -> dict[int, float]:
    """{project: aggregate} by `method`, over the projects with at least one total."""
    totals = {p: t for p, t in totals.items() if t}
    if method == NORMALISED:
        return _normalised(totals)
    if method == TRIMMED:
        return {p: _trimmed(list(t.values())) for p, t in totals.items()}
    if method == MEAN:
        return {p: fmean(t.values()) for p, t in totals.items()}
    raise ValueError(f"unknown aggregation method {method!r}")


def _key(value: float) -> float:
    return round(value, 6)  # equal up to float noise is a tie


def rank(totals: Mapping[int, Mapping[int, float]], method: str) -> list[Ranked]:
    aggregates = aggregate(totals, method)
    rows = [
        (
            (_key(agg), _key(fmean(totals[p].values())), _key(min(totals[p].values()))),
            p,
            agg,
        )
        for p, agg in aggregates.items()
    ]
    rows.sort(key=lambda row: (tuple(-k for k in row[0]), row[1]))
    ranked, previous, place = [], None, 0
    for position, (key, project, agg) in enumerate(rows, start=1):
        if key != previous:
            place, previous = position, key
        ranked.append(
            Ranked(project, place, agg, fmean(totals[project].values()), len(totals[project]))
        )
    return ranked


def divergence(totals: Mapping[int, Mapping[int, float]]) -> dict[int, float]:
    """{juror: mean |own total - the others' mean|} over the projects they share."""
    gaps: dict[int, list[float]] = {}
    for per_juror in totals.values():
        for juror, total in per_juror.items():
            others = [t for j, t in per_juror.items() if j != juror]
            if others:
                gaps.setdefault(juror, []).append(abs(total - fmean(others)))
    return {juror: fmean(values) for juror, values in gaps.items()}
