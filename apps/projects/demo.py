"""Demo projects for `seed_demo`, made through the services as the demo logins would: a
secretary project of the first community with branch projects under it, one project per
other community (a few), reports, milestones, members' pledges (some kept), a closed 赛花会
with its ranking (on the board) and an open one the `juror` login can score."""

import datetime
import random

from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import AppError
from apps.register.models import Area, Member, PartyOrg

from . import services
from .models import Project, ReviewSession

TITLES = [
    ("老旧小区加装电梯", "livelihood"),
    ("垃圾分类示范楼道", "ecology"),
    ("一老一小幸福食堂", "livelihood"),
    ("港城就业驿站", "industry"),
    ("邻里纠纷调解室", "governance"),
    ("海岛乡村振兴果园", "rural"),
]


def has_data() -> bool:
    return Project.objects.exists()


def _project(actor, admin, org, i, *, today, parent=None, level="secretary", percent=0):
    title, category = TITLES[i % len(TITLES)]
    project = services.project_create(
        actor=actor,
        level=level,
        party_org=org,
        parent=parent,
        title=title if parent is None else f"{org.name}·{title}",
        problem=f"{title}：群众反映强烈的难点问题",
        goal=f"年内完成{title}",
        category=category,
        start_on=today - datetime.timedelta(days=60),
        due_on=today + datetime.timedelta(days=240),
        targets=[{"name": "受益户数", "unit": "户", "target": 100 + 20 * i}],
    )
    for move in ("submit", "approve", "start"):
        services.project_transition(
            actor=admin if move == "approve" else actor, project=project, move=move
        )
    services.milestone_add(
        actor=actor, project=project, title="完成调研", due_on=today - datetime.timedelta(days=20)
    )
    if percent:
        target = project.targets.get()
        services.report_add(
            actor=actor,
            project=project,
            text=f"已完成 {percent}%，群众满意度提升。",
            percent=percent,
            target_values={str(target.pk): str(target.target * percent / 100)},
        )
    return project


def _session(admin, org, projects, jurors, *, title, rng, close: bool):
    session = services.session_create(
        actor=admin,
        party_org=org,
        title=title,
        year=timezone.localdate().year,
        quarter=(timezone.localdate().month - 1) // 3 + 1,
        deadline=timezone.now() + datetime.timedelta(days=7),
        method=ReviewSession.Method.TRIMMED if close else ReviewSession.Method.NORMALISED,
        projects=projects,
    )
    for user, kind in jurors:
        services.juror_add(actor=admin, session=session, user=user, kind=kind)
    services.session_open(actor=admin, session=session)
    if close:
        criteria = list(session.criteria.all())
        for user, _kind in jurors:
            for project in projects:
                scores = {c.pk: rng.randint(60, 98) for c in criteria}
                services.score_set(
                    actor=user, session=session, project_id=project.pk, scores=scores
                )
        services.session_close(actor=admin, session=session)
    return session


def seed_projects(*, scale: int, rng: random.Random, stdout) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=_LOGINS)}
    if len(users) < len(_LOGINS):
        stdout.write("seed_projects: the demo logins are missing, nothing to do.")
        return
    today = timezone.localdate()
    secretary, admin = users["secretary"], users["administrator"]
    community = Area.objects.filter(kind=Area.Kind.COMMUNITY).order_by("path").first()
    general = PartyOrg.objects.filter(role_assignments__user=secretary).order_by("path").first()
    try:
        lead = _project(secretary, admin, general, 0, today=today)
        branches = list(PartyOrg.objects.get_children(general)[:3]) or [general]
        children = [
            _project(
                secretary,
                admin,
                org,
                i + 1,
                today=today,
                parent=lead,
                level="branch",
                percent=rng.choice([20, 40, 60, 80]),
            )  # fmt: skip
            for i, org in enumerate(branches)
        ]
        members = Member.objects.filter(
            community=community, branch__path__startswith=general.path, user__isnull=False
        ).order_by("pk")
        for i, member in enumerate(members[: 20 * scale]):
            pledge = services.pledge_make(
                actor=member.user,
                title=rng.choice(
                    ["每月走访 2 户独居老人", "包干楼道环境卫生", "结对帮扶 1 名学生"]
                ),
                due_on=today + datetime.timedelta(days=30),
                project=children[i % len(children)],
            )
            if i % 3 == 0 and member.user_id != secretary.pk:
                services.pledge_confirm(actor=secretary, pledge=pledge, kept=True)
        jurors = [
            (users["juror"], "veteran"),
            (users["resident"], "resident"),
            (users["sec-02"], "department"),
        ]
        projects = [lead, *children]
        _session(admin, general, projects, jurors, title="本季度项目赛花会", rng=rng, close=True)
        _session(admin, general, projects, jurors, title="下季度项目推进会", rng=rng, close=False)
    except AppError as exc:  # the demo should never hit one; say so instead of failing
        stdout.write(f"seed_projects: stopped early: {exc.code} {exc.detail}")
        return
    stdout.write(f"seed_projects: {Project.objects.count()} projects")


_LOGINS = ("secretary", "administrator", "juror", "resident", "sec-02")

SEEDERS = [seed_projects]
