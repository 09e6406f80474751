import io

import pytest
from django.core.management import call_command

from apps.projects.models import Pledge, Project, Result, ReviewSession

pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_demo_builds_projects_pledges_and_a_ranking():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "seed_projects: stopped early" not in out.getvalue()
    assert Project.objects.filter(parent__isnull=False, level="branch").exists()
    assert Pledge.objects.filter(status="kept").exists()
    assert set(ReviewSession.objects.values_list("status", flat=True)) == {"open", "closed"}
    assert Result.objects.exists()
