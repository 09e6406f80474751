"""The assignment proposal: pending registrations → posts, respecting each post's free
places, maximising first choices, then second, then third, then filling by skills.

It is an assignment problem, solved exactly: each post is expanded into one column per free
place ("slot"), each registration gets one private "unassigned" column, and scipy's
`min_weight_full_bipartite_matching` (LAPJVsp, a sparse shortest-augmenting-path solver of
the Hungarian family) finds the cheapest perfect matching. The costs are lexicographic:
with K = n + 1 a first choice is worth K³, a second K², a third K and a skill match 1, so
no number of lower-ranked matches can outweigh one higher-ranked one (all exact in
float64 up to far more registrations than a community has). `greedy` is the baseline the
tests and the benchmark compare against: in registration order, the best choice with room.
"""

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

FIRST, SECOND, THIRD, SKILLS = "first", "second", "third", "skills"
RANKS = (FIRST, SECOND, THIRD)


@dataclass(frozen=True)
class Applicant:
    id: int
    choices: tuple  # up to three post ids (None for an empty choice)
    skills: frozenset


@dataclass(frozen=True)
class Place:
    id: int
    room: int  # free places
    skills: frozenset


@dataclass(frozen=True)
class Line:
    registration: int
    post: int | None
    reason: str  # FIRST / SECOND / THIRD / SKILLS, "" when nothing fits
    skill: str = ""  # the matched skill for SKILLS


def _options(applicant: Applicant, places: dict[int, Place]) -> dict[int, tuple[str, str]]:
    """post id -> (reason, skill): the best reason to put `applicant` on each post."""
    found: dict[int, tuple[str, str]] = {}
    for post_id, place in places.items():
        common = sorted(applicant.skills & place.skills)
        if common and place.room > 0:
            found[post_id] = (SKILLS, common[0])
    for rank, post_id in zip(RANKS, applicant.choices, strict=False):
        if post_id in places and places[post_id].room > 0:
            found[post_id] = (rank, "")
    return found


def propose(applicants: list[Applicant], places: list[Place]) -> list[Line]:
    n = len(applicants)
    if n == 0:
        return []
    by_id = {p.id: p for p in places if p.room > 0}
    k = float(n + 1)
    reward = {FIRST: k**3, SECOND: k**2, THIRD: k, SKILLS: 1.0}
    top = k**3 + 1  # every cost is positive: the sparse solver ignores explicit zeros
    slots: dict[int, range] = {}
    start = 0
    for post_id, place in by_id.items():
        slots[post_id] = range(start, start + place.room)
        start += place.room
    rows, cols, costs, options = [], [], [], []
    for i, applicant in enumerate(applicants):
        found = _options(applicant, by_id)
        options.append(found)
        for post_id, (reason, _skill) in found.items():
            span = slots[post_id]
            rows.extend([i] * len(span))
            cols.extend(span)
            costs.extend([top - reward[reason]] * len(span))
        rows.append(i)
        cols.append(start + i)  # this applicant's own "unassigned" column
        costs.append(top)
    graph = csr_array((np.array(costs), (np.array(rows), np.array(cols))), shape=(n, start + n))
    _rows, matched = min_weight_full_bipartite_matching(graph)
    owner = [post_id for post_id, span in slots.items() for _ in span]
    lines = []
    for i, applicant in enumerate(applicants):
        col = int(matched[i])
        if col >= start:
            lines.append(Line(applicant.id, None, ""))
            continue
        post_id = owner[col]
        reason, skill = options[i][post_id]
        lines.append(Line(applicant.id, post_id, reason, skill))
    return lines


def greedy(applicants: list[Applicant], places: list[Place]) -> list[Line]:
    """First come, first served: each in turn takes its best choice with room, else a post
    matching a skill. The baseline, not what the app uses."""
    room = {p.id: p.room for p in places}
    by_id = {p.id: p for p in places}
    lines = []
    for applicant in applicants:
        line = Line(applicant.id, None, "")
        for rank, post_id in zip(RANKS, applicant.choices, strict=False):
            if post_id in room and room[post_id] > 0:
                line = Line(applicant.id, post_id, rank)
                break
        else:
            for post_id, place in by_id.items():
                common = sorted(applicant.skills & place.skills)
                if common and room[post_id] > 0:
                    line = Line(applicant.id, post_id, SKILLS, common[0])
                    break
        if line.post is not None:
            room[line.post] -= 1
        lines.append(line)
    return lines


def first_choice_share(lines: list[Line]) -> float:
    return sum(line.reason == FIRST for line in lines) / len(lines) if lines else 0.0
