"""Projects, pledges and review sessions through the services: every move and rule."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.core.errors import AppError
from apps.notifications.models import OutboxEvent
from apps.points.models import PointsEntry
from apps.projects import selectors, services
from apps.projects.models import (
    Milestone,
    Pledge,
    ProgressReport,
    Project,
    ProjectEvent,
    Result,
    ReviewSession,
    Score,
    ScoreChange,
)
from tests import factories as f
from tests.projects.conftest import TODAY, crit, juror, make_project

pytestmark = pytest.mark.django_db


def raises(code):
    class Ctx:
        def __enter__(self):
            return self

        def __exit__(self, kind, exc, tb):
            assert isinstance(exc, AppError), f"expected {code}, got {exc!r}"
            assert exc.code == code, exc.code
            return True

    return Ctx()


# --- projects -------------------------------------------------------------------------------


def test_every_project_move_writes_history(world):
    project = make_project(world, "completed")
    moves = list(ProjectEvent.objects.filter(project=project).values_list("move", flat=True))
    assert moves == ["create", "submit", "approve", "start", "complete"]
    assert project.approved_by == world.user("administrator")
    assert OutboxEvent.objects.filter(name="project.submitted").exists()
    assert OutboxEvent.objects.filter(name="project.approved").exists()


def test_return_suspend_resume_cancel(world):
    secretary, admin = world.user("secretary"), world.user("administrator")
    project = make_project(world, "submitted")
    services.project_transition(actor=admin, project=project, move="return", note="补充指标")
    assert project.status == "draft"
    project = make_project(world, "in_progress")
    services.project_transition(actor=secretary, project=project, move="suspend")
    services.project_transition(actor=secretary, project=project, move="resume")
    services.project_transition(actor=secretary, project=project, move="cancel")
    assert project.status == "cancelled"
    with raises("invalid_transition"):
        services.project_transition(actor=secretary, project=project, move="resume")


def test_approval_only_by_the_organisation_one_level_up(world):
    project = make_project(world, "submitted")
    for who in ("secretary", "outsider", "member"):
        with raises("not_approver"):
            services.project_transition(actor=world.user(who), project=project, move="approve")
    assert Project.objects.get(pk=project.pk).status == "submitted"


def test_only_a_secretary_over_the_org_creates(world):
    with raises("not_a_secretary"):
        make_project_as(world, "outsider")
    with raises("not_a_secretary"):
        make_project_as(world, "member")
    assert not Project.objects.exists()


def make_project_as(world, who):
    return services.project_create(
        actor=world.user(who), level="secretary", party_org=world.branch_a, title="t",
        problem="p", goal="g", category="livelihood", start_on=TODAY(), due_on=TODAY(),
    )  # fmt: skip


def test_due_date_before_start_is_refused(world):
    with raises("due_before_start"):
        services.project_create(
            actor=world.user("secretary"), level="secretary", party_org=world.branch_a,
            title="t", problem="p", goal="g", category="livelihood",
            start_on=TODAY(), due_on=TODAY() - dt.timedelta(days=1),
        )  # fmt: skip
    assert not Project.objects.exists()


def test_bad_targets_write_nothing(world):
    with raises("invalid_number"):
        make_project(world, "draft", targets=[{"name": "电梯", "unit": "部", "target": "x"}])
    assert not Project.objects.exists()


def test_parent_progress_is_the_weighted_mean_of_children(world):
    parent = make_project(world, level="secretary", org=world.committee)
    a = make_project(world, level="branch", parent=parent, weight=3, title="支部A")
    b = make_project(world, level="branch", parent=parent, weight=1, title="支部B")
    secretary = world.user("secretary")
    services.report_add(actor=secretary, project=a, text="进展", percent=40)
    services.report_add(actor=secretary, project=b, text="进展", percent=80)
    parent = Project.objects.prefetch_related("children").get(pk=parent.pk)
    assert selectors.progress_of(parent) == 50  # (40*3 + 80*1) / 4


def test_only_branch_projects_sit_under_a_secretary_project(world):
    parent = make_project(world, level="secretary", org=world.committee)
    with raises("invalid_parent"):
        make_project(world, "draft", level="secretary", parent=parent)


def test_report_updates_targets_and_percent(world, project):
    target = project.targets.create(name="电梯", unit="部", target=4)
    services.report_add(
        actor=world.user("secretary"), project=project, text="已完成 2 部", percent=50,
        target_values={str(target.pk): "2"},
    )  # fmt: skip
    target.refresh_from_db()
    project.refresh_from_db()
    assert (target.current, project.percent) == (2, 50)


def test_report_for_a_completed_project_is_refused(world):
    project = make_project(world, "completed")
    with raises("project_not_in_progress"):
        services.report_add(actor=world.user("secretary"), project=project, text="x", percent=1)
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("percent", ["-1", "101", "abc", "5.5"])
def test_report_percent_out_of_range(world, project, percent):
    with raises("invalid_percent"):
        services.report_add(
            actor=world.user("secretary"), project=project, text="x", percent=percent
        )
    assert not ProgressReport.objects.exists()


def test_project_without_a_report_this_quarter_is_flagged(world, project):
    today = timezone.localdate()
    assert selectors.needs_report(Project.objects.get(pk=project.pk), today)
    services.report_add(actor=world.user("secretary"), project=project, text="x", percent=10)
    assert not selectors.needs_report(Project.objects.get(pk=project.pk), today)


def test_milestones_overdue_and_done(world, project):
    secretary = world.user("secretary")
    late = services.milestone_add(
        actor=secretary, project=project, title="选址", due_on=TODAY() - dt.timedelta(days=1)
    )
    assert late.is_overdue(TODAY())
    services.milestone_done(actor=secretary, milestone=late)
    assert not Milestone.objects.get(pk=late.pk).is_overdue(TODAY())
    with raises("due_before_start"):
        services.milestone_add(
            actor=secretary, project=project, title="x", due_on=project.start_on - dt.timedelta(1)
        )


def test_quarter_bounds():
    assert selectors.quarter_bounds(dt.date(2026, 11, 27)) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 12, 31),
    )
    assert selectors.quarter_bounds(dt.date(2026, 2, 3)) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
    )


# --- pledges --------------------------------------------------------------------------------


def _pledge(world, **kw):
    return services.pledge_make(
        actor=world.user("member"), title="每月走访 2 户独居老人", due_on=TODAY(), **kw
    )


def test_pledge_kept_awards_points_once(world, project):
    pledge = _pledge(world, project=project)
    services.pledge_confirm(actor=world.user("secretary"), pledge=pledge, kept=True)
    assert pledge.status == "kept"
    assert PointsEntry.objects.filter(rule__code="pledge_kept").count() == 1
    with raises("invalid_transition"):
        services.pledge_confirm(actor=world.user("secretary"), pledge=pledge, kept=True)
    assert PointsEntry.objects.filter(rule__code="pledge_kept").count() == 1


def test_pledge_not_kept(world):
    pledge = _pledge(world)
    services.pledge_confirm(actor=world.user("secretary"), pledge=pledge, kept=False)
    assert pledge.status == "not_kept" and not PointsEntry.objects.exists()


def test_pledge_for_someone_else_is_refused(world):
    other = world.user("group_leader").member
    with raises("pledge_not_own"):
        _pledge(world, member=other)
    assert not Pledge.objects.exists()


def test_pledge_confirmed_only_by_the_branch_secretary(world):
    pledge = _pledge(world)
    for who in ("outsider", "member", "grid_worker"):
        with raises("not_branch_secretary"):
            services.pledge_confirm(actor=world.user(who), pledge=pledge, kept=True)
    assert Pledge.objects.get(pk=pledge.pk).status == "open"


def test_residents_comment_only_on_kept_pledges(world):
    pledge = _pledge(world)
    resident = world.user("resident")
    with raises("pledge_not_kept"):
        services.pledge_comment(actor=resident, pledge=pledge, text="很好")
    services.pledge_confirm(actor=world.user("secretary"), pledge=pledge, kept=True)
    services.pledge_comment(actor=resident, pledge=pledge, text="确实来过我家")
    with raises("not_a_local_resident"):
        services.pledge_comment(actor=world.user("outsider"), pledge=pledge, text="x")
    assert pledge.comments.count() == 1


def test_pledge_due_in_the_past(world):
    with raises("due_in_past"):
        services.pledge_make(
            actor=world.user("member"), title="t", due_on=TODAY() - dt.timedelta(1)
        )


# --- review sessions ------------------------------------------------------------------------


def test_session_defaults_to_the_projects_in_progress_under_the_node(world, make_session):
    a = make_project(world)
    make_project(world, "approved")
    session = make_session(None)
    assert list(session.projects.all()) == [a]
    assert [c.name for c in session.criteria.all()] == ["问需", "问效", "问责"]


def test_session_needs_enough_jurors_of_each_kind(world, project, jury_users):
    admin = world.user("administrator")
    session = services.session_create(
        actor=admin, party_org=world.committee, title="t", year=2026, quarter=4,
        deadline=timezone.now() + dt.timedelta(days=1),
    )  # fmt: skip
    services.juror_add(actor=admin, session=session, user=jury_users["veteran"], kind="veteran")
    with raises("too_few_jurors"):
        services.session_open(actor=admin, session=session)
    assert ReviewSession.objects.get(pk=session.pk).status == "draft"


def test_scores_own_only_and_changes_kept(world, project, make_session, jury_users):
    session = make_session([project])
    c = crit(session)
    veteran = jury_users["veteran"]
    services.score_set(
        actor=veteran, session=session, project_id=project.pk, scores={c["问需"]: 80}
    )
    services.score_set(
        actor=veteran, session=session, project_id=project.pk, scores={c["问需"]: 85}
    )
    assert selectors.own_scores(user=veteran, session=session) == {project.pk: {c["问需"]: 85}}
    assert selectors.own_scores(user=jury_users["department"], session=session) == {}
    changes = list(ScoreChange.objects.values_list("old_value", "new_value"))
    assert changes == [(None, 80), (80, 85)]


def test_scoring_your_own_organisations_project_is_refused(world, project, make_session):
    session = make_session([project])
    admin = world.user("administrator")
    services.session_close  # noqa: B018
    # The world's member belongs to branch A, which owns the project.
    member = world.user("member")
    seat = services.Juror.objects.create(session=session, user=member, kind="veteran")
    assert services.recusal(seat, project) == services.OWN_ORG
    with raises("recused"):
        services.score_set(
            actor=member, session=session, project_id=project.pk, scores={crit(session)["问需"]: 90}
        )
    assert not Score.objects.exists()
    assert admin


def test_holding_a_role_in_the_project_recuses(world, project, make_session, jury_users):
    session = make_session([project])
    head = jury_users["department"]
    f.grant(head, "secretary", party_org=world.branch_a)
    assert services.recusal(juror(session, head), project) == services.HOLDS_ROLE


def test_declared_conflict_withdraws_scores(world, project, make_session, jury_users):
    session = make_session([project])
    head = jury_users["department"]
    c = crit(session)
    services.score_set(actor=head, session=session, project_id=project.pk, scores={c["问需"]: 70})
    services.conflict_declare(actor=head, session=session, project_id=project.pk, reason="亲属")
    assert not Score.objects.exists()
    with raises("recused"):
        services.score_set(
            actor=head, session=session, project_id=project.pk, scores={c["问需"]: 70}
        )


def test_scoring_after_the_deadline_is_refused(world, project, make_session, jury_users):
    session = make_session([project])
    ReviewSession.objects.filter(pk=session.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    session.refresh_from_db()
    with raises("deadline_passed"):
        services.score_set(
            actor=jury_users["veteran"], session=session, project_id=project.pk,
            scores={crit(session)["问需"]: 70},
        )  # fmt: skip
    assert not Score.objects.exists()


@pytest.mark.parametrize("value", [-1, 101, "x", 50.5])
def test_score_out_of_range(world, project, make_session, jury_users, value):
    session = make_session([project])
    with raises("score_out_of_range"):
        services.score_set(
            actor=jury_users["veteran"], session=session, project_id=project.pk,
            scores={crit(session)["问需"]: 70, crit(session)["问效"]: value},
        )  # fmt: skip
    assert not Score.objects.exists() and not ScoreChange.objects.exists()


def test_score_for_a_criterion_not_in_the_session(world, project, make_session, jury_users):
    session = make_session([project])
    other = make_session([project], open_=False)
    with raises("unknown_criterion"):
        services.score_set(
            actor=jury_users["veteran"], session=session, project_id=project.pk,
            scores={crit(other)["问需"]: 70},
        )  # fmt: skip
    assert not Score.objects.exists()


def test_only_seated_jurors_score(world, project, make_session):
    session = make_session([project])
    with raises("not_a_juror"):
        services.score_set(
            actor=world.user("administrator"), session=session, project_id=project.pk,
            scores={crit(session)["问需"]: 70},
        )  # fmt: skip


def test_nobody_sees_totals_before_close(world, project, make_session):
    session = make_session([project])
    with raises("session_not_closed"):
        selectors.results(session)


def test_close_ranks_by_the_sessions_method(world, make_session, jury_users):
    x = make_project(world, title="X", org=world.branch_b)
    y = make_project(world, title="Y", org=world.branch_b)
    session = make_session([x, y], method="trimmed")
    c = crit(session)
    veteran = jury_users["veteran"]  # branch B: recused from both
    assert services.recusal(juror(session, veteran), x) == services.OWN_ORG
    given = {"resident": (60, 90), "department": (80, 70)}
    for kind, (sx, sy) in given.items():
        for proj, value in ((x, sx), (y, sy)):
            services.score_set(
                actor=jury_users[kind], session=session, project_id=proj.pk,
                scores=dict.fromkeys(c.values(), value),
            )  # fmt: skip
    services.session_close(actor=world.user("administrator"), session=session)
    rows = [(r.project_id, r.rank, float(r.aggregate)) for r in Result.objects.all()]
    assert rows == [(y.pk, 1, 80.0), (x.pk, 2, 70.0)]
