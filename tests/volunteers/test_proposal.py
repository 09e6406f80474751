"""The assignment proposal on a generated community of 300 registrations: capacities
respected, the first-choice share reported and never below the greedy baseline's."""

import random
from collections import Counter

import pytest

from apps.accounts.models import User
from apps.register.models import Member
from apps.volunteers import proposal, services
from apps.volunteers.models import Post, VolunteerRegistration

pytestmark = pytest.mark.django_db
SKILLS = ["法律", "医疗", "教育", "文艺", "环保", "交通", "安保", "照护"]


def _community(world, n=300, posts=20, seed=7):
    rng = random.Random(seed)
    made = [
        Post.objects.create(
            community=world.community_a,
            name=f"岗位{j}",
            capacity=rng.randint(5, 15),
            skills=rng.sample(SKILLS, 2),
        )
        for j in range(posts)
    ]
    # A few popular posts, as in real communities: choices follow a skewed distribution.
    weights = [rng.paretovariate(1.2) for _ in made]
    users = User.objects.bulk_create(User(username=f"gen{i}") for i in range(n))
    members = Member.objects.bulk_create(
        Member(user=u, name=f"党员{i}", branch=world.branch_a, community=world.community_a)
        for i, u in enumerate(users)
    )
    regs = []
    for m in members:
        picks = list(dict.fromkeys(rng.choices(made, weights=weights, k=6)))[:3] + [None, None]
        regs.append(
            VolunteerRegistration(
                member=m,
                community=world.community_a,
                skills=rng.sample(SKILLS, 2),
                choice_1=picks[0],
                choice_2=picks[1],
                choice_3=picks[2],
            )
        )
    VolunteerRegistration.objects.bulk_create(regs)
    return made


def test_proposal_respects_capacities_and_beats_greedy(world):
    posts = _community(world)
    lines = services.proposal_make(actor=world.user("secretary"), community=world.community_a)

    assert len(lines) == 300
    per_post = Counter(line["post"] for line in lines if line["post"])
    capacity = {p.pk: p.capacity for p in posts}
    assert all(per_post[pk] <= capacity[pk] for pk in per_post)
    assert sum(per_post.values()) == min(300, sum(capacity.values()))

    share = sum(line["reason"] == "first" for line in lines) / len(lines)
    regs = VolunteerRegistration.objects.order_by("created_at", "pk")
    applicants = [proposal.Applicant(r.pk, tuple(r.choices), frozenset(r.skills)) for r in regs]
    places = [proposal.Place(p.pk, p.capacity, frozenset(p.skills)) for p in posts]
    greedy_share = proposal.first_choice_share(proposal.greedy(applicants, places))
    print(f"first-choice share: proposal {share:.3f}, greedy {greedy_share:.3f}")
    assert share >= greedy_share
    assert share > 0


def test_each_line_explains_itself(world):
    _community(world, n=40, posts=4)
    lines = services.proposal_make(actor=world.user("secretary"), community=world.community_a)
    texts = {line["reason"]: line["explanation"] for line in lines}
    assert texts["first"] == "第一志愿"
    assert all(
        line["explanation"].startswith("技能匹配：") for line in lines if line["reason"] == "skills"
    )


def test_lexicographic_first_choices_win_over_many_seconds():
    # One place on post 1. A wants it first; B and C want it second. Greedy in order B, C, A
    # gives it to B as a second choice; the proposal gives it to A.
    applicants = [
        proposal.Applicant(1, (2, 1, None), frozenset()),
        proposal.Applicant(2, (3, 1, None), frozenset()),
        proposal.Applicant(3, (1, None, None), frozenset()),
    ]
    places = [proposal.Place(1, 1, frozenset()), proposal.Place(2, 0, frozenset())]
    lines = {line.registration: line for line in proposal.propose(applicants, places)}
    assert lines[3].post == 1 and lines[3].reason == "first"
    assert lines[1].post is None and lines[2].post is None


def test_accepting_the_proposal_approves_every_line(world):
    _community(world, n=30, posts=3)
    lines = services.proposal_make(actor=world.user("secretary"), community=world.community_a)
    pairs = [(line["registration"], line["post"]) for line in lines]
    made = services.proposal_accept(
        actor=world.user("secretary"), community=world.community_a, lines=pairs
    )
    assert len(made) == sum(1 for _r, p in pairs if p)
    for post in Post.objects.filter(community=world.community_a):
        assert post.filled == post.assignments.filter(status="active").count() <= post.capacity


def test_outsider_gets_no_proposal(world):
    from apps.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.proposal_make(actor=world.user("outsider"), community=world.community_a)
