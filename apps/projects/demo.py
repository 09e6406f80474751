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
from .models import JointRequest, Project, ReviewSession

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

JOINT_TOPICS = [
    ("小区停车难，晚上无处停车", "community", "", "collecting"),
    ("菜场周边占道经营", "street", "", "under_review"),
    ("公交站点太远，老人出行不便", "department", "区交通运输局", "accepted"),
    ("老旧小区雨污分流改造", "street", "", "replied"),
    ("楼道堆放杂物", "community", "", "declined"),
    ("健身场地缺少照明", "community", "", "adopted"),
]


def _joint_signers(community, count: int, skip) -> list:
    """Residents of `community`, one per household, not `skip`."""
    from apps.register.models import Resident

    seen, found = set(), []
    residents = (
        Resident.objects.filter(household__area__path__startswith=community.path)
        .exclude(pk=skip.pk)
        .order_by("household_id", "pk")
        .select_related("household__area")
    )
    for r in residents.iterator():
        if r.household_id not in seen and r.household_id != skip.household_id:
            seen.add(r.household_id)
            found.append(r)
            if len(found) == count:
                break
    return found


def seed_joint_requests(*, scale: int, rng: random.Random, stdout) -> None:
    """A few joint requests (双向约谈 / 点题) of the `resident` login's community, one in
    each state: residents without a login signed on paper, entered by the secretary."""
    names = ("resident", "secretary", "grid_worker")
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) < len(names) or not hasattr(users["resident"], "resident"):
        stdout.write("seed_joint_requests: the demo logins are missing, nothing to do.")
        return
    opener, secretary, worker = users["resident"].resident, users["secretary"], users["grid_worker"]
    today = timezone.localdate()
    try:
        for i, (topic, level, department, state) in enumerate(JOINT_TOPICS):
            joint = services.joint_open(
                actor=secretary if i else opener.user,
                resident=opener,
                topic=topic,
                level=level,
                department=department,
                description=f"{topic}，居民多次反映，希望约谈相关负责同志。",
            )
            extra = 5 if state == "collecting" else joint.threshold + rng.randint(0, 6)
            for resident in _joint_signers(joint.community, extra, opener):
                services.joint_sign(actor=secretary, request=joint, resident=resident)
            if state in ("collecting", "under_review"):
                continue
            if state == "declined":
                services.joint_decline(
                    actor=secretary, request=joint, reason="属于物业管理职责，已转物业公司处理"
                )
                continue
            services.joint_accept(actor=secretary, request=joint, assignee=worker)
            if state == "accepted":
                continue
            services.joint_reply(
                actor=worker,
                request=joint,
                text="已会同相关部门现场查看，制定了整改方案。",
                meeting_at=timezone.now() + datetime.timedelta(days=3),
                meeting_place="社区党群服务中心二楼会议室",
            )
            services.joint_rate(actor=opener.user, request=joint, stars=rng.choice([4, 5]))
            if state == "adopted":
                services.joint_close(actor=secretary, request=joint)
                services.joint_adopt(
                    actor=secretary,
                    request=joint,
                    goal="年内为小区健身场地加装照明",
                    category="livelihood",
                    due_on=today + datetime.timedelta(days=180),
                )
    except AppError as exc:
        stdout.write(f"seed_joint_requests: stopped early: {exc.code} {exc.detail}")
        return
    stdout.write(f"seed_joint_requests: {JointRequest.objects.count()} joint requests")


SEEDERS = [seed_projects, seed_joint_requests]
