import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.models import Role
from apps.projects import services
from apps.projects.models import Juror, Project
from apps.register.models import PartyOrg
from tests import factories as f

TODAY = dt.date.today


def make_project(world, status="in_progress", *, level="secretary", org=None, parent=None, **kw):
    """A project of branch A by the world's secretary, moved to `status` by the services."""
    secretary, admin = world.user("secretary"), world.user("administrator")
    if org == world.committee:  # the street's secretary runs the street's projects
        secretary = street_secretary(world)
    if org == world.branch_b:
        secretary = world.user("outsider")
    fields = {
        "title": "老旧小区加装电梯",
        "problem": "老人上下楼难",
        "goal": "年内加装 4 部电梯",
        "category": "livelihood",
        "start_on": TODAY() - dt.timedelta(days=30),
        "due_on": TODAY() + dt.timedelta(days=300),
        **kw,
    }
    project = services.project_create(
        actor=secretary, level=level, party_org=org or world.branch_a, parent=parent, **fields
    )
    path = {
        "draft": [],
        "submitted": ["submit"],
        "approved": ["submit", "approve"],
        "in_progress": ["submit", "approve", "start"],
        "completed": ["submit", "approve", "start", "complete"],
    }[status]
    for move in path:
        actor = admin if move == "approve" else secretary
        services.project_transition(actor=actor, project=project, move=move)
    return project


def street_secretary(world):
    user = world.users.get("street_secretary")
    if user is None:
        user = f.UserFactory(username="streetsec", name="郑书记")
        f.grant(user, Role.SECRETARY, party_org=world.committee)
        world.users["street_secretary"] = user
    return user


@pytest.fixture
def project(world) -> Project:
    return make_project(world)


@pytest.fixture
def jury_users(world):
    """One user per juror kind, none of them in branch A: a retired member of branch B, a
    resident representative (the world's resident) and a department head."""
    veteran = f.UserFactory(username="veteran", name="钱老党员")
    f.MemberFactory(user=veteran, branch=world.branch_b, community=world.community_b)
    head = f.UserFactory(username="head", name="冯部长")
    return {"veteran": veteran, "resident": world.user("resident"), "department": head}


@pytest.fixture
def make_session(world, jury_users):
    def make(projects, *, method="mean", criteria=None, open_=True, org=None):
        admin = world.user("administrator")
        session = services.session_create(
            actor=admin,
            party_org=org or world.committee,
            title="2026年第四季度项目赛花会",
            year=2026,
            quarter=4,
            deadline=timezone.now() + dt.timedelta(days=7),
            method=method,
            criteria=criteria,
            projects=projects,
        )
        for kind, user in jury_users.items():
            services.juror_add(actor=admin, session=session, user=user, kind=kind)
        if open_:
            services.session_open(actor=admin, session=session)
        return session

    return make


def juror(session, user) -> Juror:
    return session.jurors.get(user=user)


def crit(session) -> dict:
    return {c.name: c.pk for c in session.criteria.all()}


__all__ = ["PartyOrg", "Role", "make_project", "juror", "crit"]
