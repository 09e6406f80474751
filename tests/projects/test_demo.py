import io
import random

import pytest

from apps.projects.demo import seed_projects
from apps.projects.models import Pledge, Project, Result, ReviewSession
from apps.register.demo import seed_people

pytestmark = pytest.mark.django_db


def test_seed_projects_builds_projects_pledges_and_a_ranking():
    # Only the register's seeder (the logins) and ours: the full seed_demo is
    # tests/core/test_seed_demo.py.
    out = io.StringIO()
    seed_people(scale=1, rng=random.Random(1), stdout=out)
    seed_projects(scale=1, rng=random.Random(2), stdout=out)
    assert "stopped early" not in out.getvalue()
    assert Project.objects.filter(parent__isnull=False, level="branch").exists()
    assert Pledge.objects.filter(status="kept").exists()
    assert set(ReviewSession.objects.values_list("status", flat=True)) == {"open", "closed"}
    assert Result.objects.exists()


def test_seed_projects_without_logins_does_nothing(db):
    out = io.StringIO()
    seed_projects(scale=1, rng=random.Random(1), stdout=out)
    assert not Project.objects.exists() and "nothing to do" in out.getvalue()


def test_seed_joint_requests_builds_one_request_in_each_state():
    from apps.projects.demo import seed_joint_requests
    from apps.projects.models import JointRequest

    out = io.StringIO()
    seed_people(scale=1, rng=random.Random(1), stdout=out)
    seed_projects(scale=1, rng=random.Random(2), stdout=out)
    seed_joint_requests(scale=1, rng=random.Random(3), stdout=out)
    assert "stopped early" not in out.getvalue(), out.getvalue()
    states = set(JointRequest.objects.values_list("status", flat=True))
    assert states == {"collecting", "under_review", "accepted", "replied", "declined", "closed"}
    adopted = JointRequest.objects.get(project__isnull=False)
    assert adopted.project.joint_request == adopted
