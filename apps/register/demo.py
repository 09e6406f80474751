"""Demo geography and people, modelled on 大榭 (Daxie, 北仑区, Ningbo).

One district, one street, 16 communities, grids of about 300 households, buildings of 24
households; about 10,000 households at scale 1 (100,000 at scale 10), their residents (some
vulnerable), the Party tree (working committee → community general branches → grid
branches, plus joint enterprise branches), members of every kind with logins, enterprises
and social organisations, and one login per role (see README "Demo logins").

Everything is bulk-inserted (tree paths computed by `apps.core.trees.TreeBuilder`) and
driven by the `rng` it is given, so the same scale gives the same data.
"""

import datetime
import math
import random
import time

from django.contrib.auth.hashers import make_password

from apps.accounts.models import Role, RoleAssignment, User
from apps.core.bulk import copy_insert
from apps.core.trees import TreeBuilder
from apps.core.validators import id_number_check_digit

from .models import Area, Gender, Household, Member, Organisation, PartyOrg, Resident

DEMO_PASSWORD = "tongxin-demo"  # documented in README; demo data only

COMMUNITIES = [
    "海城",
    "榭南",
    "榭北",
    "大榭",
    "岑山",
    "滨港",
    "渔山",
    "山门",
    "下厂",
    "穿鼻",
    "沙溪",
    "北渡",
    "高泥",
    "新湾",
    "东岙",
    "石湫",
]
# Above scale 10 the district has several streets of about scale 10 each (北仑's streets):
# `--scale 100` is a district of ten streets, about a million households.
STREETS = [
    "大榭街道",
    "新碶街道",
    "小港街道",
    "大碶街道",
    "霞浦街道",
    "柴桥街道",
    "戚家山街道",
    "春晓街道",
    "梅山街道",
    "白峰街道",
]
STREET_SCALE = 10
HOUSEHOLDS_PER_GRID = 300
UNITS, FLOORS, ROOMS_PER_FLOOR = 2, 6, 2  # 24 households a building
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢钟姜崔谭陆范汪廖石金贾夏韦方邱"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国海燕玲萍红梅志文斌鑫琳宇晨浩欣雪佳慧宁波峰云凤珍亮成丹"  # noqa: E501
REGION = "330206"  # 北仑区
TODAY = datetime.date(2026, 1, 1)  # fixed, so ages and dates do not drift between runs
BATCH = 5000


class _People:
    """Unique, valid-looking names, phones and ID numbers from one rng."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._ids: set[str] = set()
        self._phone_seq = 0

    def name(self) -> str:
        given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    def phone(self) -> str:
        # Unique by construction: a running number behind a realistic prefix.
        self._phone_seq += 1
        prefix = ("139", "138", "137", "136", "158", "188", "135", "150")[self._phone_seq % 8]
        return f"{prefix}{self._phone_seq * 7919 % 100_000_000:08d}"

    def id_number(self, born: datetime.date, gender: str) -> str:
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if gender == Gender.MALE else 0)
            first17 = f"{REGION}{born:%Y%m%d}{seq:03d}"
            value = first17 + id_number_check_digit(first17)
            if value not in self._ids:
                self._ids.add(value)
                return value

    def birth_date(self, min_age: int = 0, max_age: int = 95) -> datetime.date:
        days = self.rng.randrange(min_age * 365, max_age * 365)
        return TODAY - datetime.timedelta(days=days)


def _bulk(model, rows: list) -> list:
    return copy_insert(model, rows)  # COPY on PostgreSQL, bulk_create on SQLite


def street_count(scale: int) -> int:
    return 1 if scale <= STREET_SCALE else min(len(STREETS), math.ceil(scale / STREET_SCALE))


def _geography(scale: int) -> dict:
    areas = TreeBuilder(Area)
    district = areas.add(name="北仑区", kind=Area.Kind.DISTRICT, code=REGION)
    per_building = UNITS * FLOORS * ROOMS_PER_FLOOR
    buildings_per_grid = HOUSEHOLDS_PER_GRID // per_building  # 12 → 288 households
    n_streets = street_count(scale)
    total_grids = round(10_000 * scale / n_streets / (buildings_per_grid * per_building))
    streets, communities, grids, buildings = [], [], [], []
    for s in range(n_streets):
        code = f"{REGION}006" if s == 0 else f"{REGION}{100 + s:03d}"
        street = areas.add(district, name=STREETS[s], kind=Area.Kind.STREET, code=code)
        street.buildings = []
        streets.append(street)
        for i, short in enumerate(COMMUNITIES):
            community = areas.add(
                street, name=f"{short}社区", kind=Area.Kind.COMMUNITY, code=f"{code}{i + 1:03d}"
            )
            community.street = street
            communities.append(community)
            n_grids = total_grids // len(COMMUNITIES)
            n_grids += 1 if i < total_grids % len(COMMUNITIES) else 0
            for g in range(n_grids):
                grid = areas.add(community, name=f"{short}第{g + 1}网格", kind=Area.Kind.GRID)
                grid.community, grid.number = community, (s, i + 1, g + 1)
                grids.append(grid)
                for b in range(buildings_per_grid):
                    number = g * buildings_per_grid + b + 1
                    building = areas.add(grid, name=f"{number}幢", kind=Area.Kind.BUILDING)
                    building.community = community
                    buildings.append(building)
                    street.buildings.append(building)
    areas.save()
    return {
        "district": district,
        "street": streets[0],
        "streets": streets,
        "communities": communities,
        "grids": grids,
        "buildings": buildings,
    }


def _households(buildings: list[Area]) -> list[Household]:
    rows = []
    for building in buildings:
        street = building.community.street.name
        prefix = f"宁波市北仑区{street}{building.community.name}{building.name}"
        for unit in range(1, UNITS + 1):
            for floor in range(1, FLOORS + 1):
                for room in range(1, ROOMS_PER_FLOOR + 1):
                    number = f"{floor}0{room}"
                    rows.append(
                        Household(
                            area=building,
                            unit=str(unit),
                            room=number,
                            address=f"{prefix}{unit}单元{number}室",
                        )
                    )
    return _bulk(Household, rows)


def _residents(households: list[Household], people: _People) -> list[Resident]:
    rng = people.rng
    rows = []
    for household in households:
        for _ in range(rng.choices((1, 2, 3, 4), weights=(20, 35, 30, 15))[0]):
            gender = rng.choice((Gender.MALE, Gender.FEMALE))
            born = people.birth_date()
            age = (TODAY - born).days // 365
            resident = Resident(
                household=household,
                name=people.name(),
                gender=gender,
                phone=people.phone() if age >= 16 and rng.random() < 0.8 else "",
                id_number=people.id_number(born, gender) if rng.random() < 0.9 else "",
            )
            # About one in twelve residents is vulnerable (困难群众).
            if age >= 80 and rng.random() < 0.3:
                resident.elderly = True
                resident.lives_alone = rng.random() < 0.3
            if rng.random() < 0.03:
                resident.low_income = True
            if rng.random() < 0.015:
                resident.disabled = True
            if rng.random() < 0.01:
                resident.seriously_ill = True
            if any(getattr(resident, flag) for flag in Resident.HARDSHIP_FLAGS):
                resident.hardship_note = "需定期走访，关注生活状况。"
            rows.append(resident)
    return _bulk(Resident, rows)


def _party(geo: dict, scale: int) -> dict:
    orgs = TreeBuilder(PartyOrg)
    committees = {
        street.path: orgs.add(
            name=f"{street.name}党工委", kind=PartyOrg.Kind.WORKING_COMMITTEE, area=street
        )
        for street in geo["streets"]
    }
    committee = committees[geo["street"].path]
    general, grid_branches = {}, {}
    for community in geo["communities"]:
        general[community.path] = orgs.add(
            committees[community.street.path],
            name=f"{community.name}党总支",
            kind=PartyOrg.Kind.GENERAL_BRANCH,
            area=community,
        )
    for grid in geo["grids"]:
        grid_branches[grid.path] = orgs.add(
            general[grid.community.path],
            name=f"{grid.name}党支部",
            kind=PartyOrg.Kind.BRANCH,
            area=grid,
        )
    enterprise_branches = [
        orgs.add(
            committee,
            name=f"大榭非公企业第{i + 1}联合党支部",
            kind=PartyOrg.Kind.BRANCH,
            area=geo["street"],
        )
        for i in range(2 * scale)
    ]
    orgs.save()
    return {
        "committee": committee,
        "general": general,
        "grid_branches": grid_branches,
        "enterprise_branches": enterprise_branches,
    }


def _members(geo: dict, party: dict, people: _People, scale: int) -> list[Member]:
    """About one member per ten households, each with a login (shared demo password)."""
    rng = people.rng
    password = make_password(DEMO_PASSWORD)  # hashed once: PBKDF2 per user would take minutes
    kinds = (Member.Kind.EMPLOYED, Member.Kind.RETIRED, Member.Kind.MOBILE, Member.Kind.ACTIVIST)
    users, members = [], []
    buildings_of: dict[str, list[Area]] = {}
    for building in geo["buildings"]:
        buildings_of.setdefault(building.path[: -Area.steplen], []).append(building)
    for grid in geo["grids"]:
        community = grid.community
        for _ in range(HOUSEHOLDS_PER_GRID // 10):
            kind = rng.choices(kinds, weights=(45, 35, 10, 10))[0]
            branch = party["grid_branches"][grid.path]
            if kind == Member.Kind.EMPLOYED and rng.random() < 0.4:
                branch = rng.choice(party["enterprise_branches"])
            gender = rng.choice((Gender.MALE, Gender.FEMALE))
            min_age = 60 if kind == Member.Kind.RETIRED else 20
            born = people.birth_date(min_age, 85 if kind == Member.Kind.RETIRED else 59)
            name = people.name()
            user = User(username=f"m{len(users) + 1:06d}", name=name, password=password)
            users.append(user)
            residence = (
                None
                if kind == Member.Kind.MOBILE and rng.random() < 0.5
                else rng.choice(buildings_of[grid.path])
            )
            joined = born + datetime.timedelta(days=rng.randrange(18 * 365, 40 * 365))
            members.append(
                Member(
                    name=name,
                    gender=gender,
                    phone=people.phone(),
                    id_number=people.id_number(born, gender),
                    branch=branch,
                    community=community,
                    residence=residence,
                    kind=kind,
                    joined_on=None if kind == Member.Kind.ACTIVIST else min(joined, TODAY),
                )
            )
    _bulk(User, users)
    for user, member in zip(users, members, strict=True):
        member.user = user
    _bulk(Member, members)
    _bulk(
        RoleAssignment,
        [
            RoleAssignment(user=m.user, role=Role.MEMBER, area=m.community)
            for m in members
            if m.kind != Member.Kind.ACTIVIST
        ],
    )
    return members


def _organisations(geo: dict, people: _People, scale: int) -> list[Organisation]:
    rng = people.rng
    enterprise_words = (
        "港务",
        "石化",
        "物流",
        "船舶",
        "能源",
        "化工",
        "储运",
        "机械",
        "电子",
        "建材",
    )
    social_words = ("志愿者协会", "慈善工作站", "邻里互助会", "老年协会", "青年志愿服务队")
    rows = []
    for i in range(30 * scale):
        rows.append(
            Organisation(
                name=f"宁波大榭{rng.choice(enterprise_words)}有限公司{i + 1}",
                kind=Organisation.Kind.ENTERPRISE,
                area=rng.choice(geo["communities"] + [geo["street"]]),
                credit_code=f"91330206MA{i + 1:08d}",
                contact_name=people.name(),
                contact_phone=people.phone(),
                wish_notifications=rng.random() < 0.6,
            )
        )
    for i in range(15 * scale):
        community = rng.choice(geo["communities"])
        rows.append(
            Organisation(
                name=f"{community.name}{rng.choice(social_words)}{i + 1}",
                kind=Organisation.Kind.SOCIAL,
                area=community,
                credit_code=f"52330206MJ{i + 1:08d}",
                contact_name=people.name(),
                contact_phone=people.phone(),
                wish_notifications=rng.random() < 0.8,
            )
        )
    return _bulk(Organisation, rows)


def _logins(geo: dict, party: dict, households: list[Household], members: list[Member]) -> None:
    """One login per role (README "Demo logins"), plus a secretary per community and a grid
    worker per grid for other apps' demo data."""
    password = make_password(DEMO_PASSWORD)
    community, grid = geo["communities"][0], geo["grids"][0]

    def login(username, name, phone=None, *, staff=False, **extra) -> User:
        return User.objects.create(
            username=username, name=name, phone=phone, password=password, is_staff=staff, **extra
        )

    User.objects.create(
        username="root", name="系统管理员", password=password, is_staff=True, is_superuser=True
    )
    resident_user = login("resident", "王秀梅", "13900000001")
    resident = (
        Resident.objects.filter(household__in=households[:24], gender=Gender.FEMALE)
        .order_by("pk")
        .first()
    )
    resident.user, resident.name = resident_user, "王秀梅"
    resident.save(update_fields=["user", "name"])

    member_rows = [m for m in members if m.community_id == community.pk and m.user_id]
    for username, name, phone, member in (
        ("member", "李建国", "13900000002", member_rows[0]),
        ("group_leader", "赵志强", "13900000003", member_rows[1]),
    ):
        user = member.user
        user.username, user.name, user.phone = username, name, phone
        user.save(update_fields=["username", "name", "phone"])
        member.name = name
        member.save(update_fields=["name"])
        RoleAssignment.objects.get_or_create(user=user, role=Role.MEMBER, area=community)
        if username == "group_leader":
            RoleAssignment.objects.create(user=user, role=Role.GROUP_LEADER, area=grid)

    worker = login("grid_worker", "陈晓燕", "13900000004", staff=True)
    RoleAssignment.objects.create(user=worker, role=Role.GRID_WORKER, area=grid)
    secretary = login("secretary", "周海波", "13900000005", staff=True)
    RoleAssignment.objects.create(user=secretary, role=Role.SECRETARY, area=community)
    RoleAssignment.objects.create(
        user=secretary, role=Role.SECRETARY, party_org=party["general"][community.path]
    )
    admin = login("administrator", "吴国平", "13900000006", staff=True)
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR, area=geo["street"])
    juror = login("juror", "郑评审", "13900000007")
    RoleAssignment.objects.create(user=juror, role=Role.JUROR, area=geo["street"])

    # Staff for the other communities and grids (sec-02…, gw-02-1…), same password.
    staff, grants = [], []
    for i, other in enumerate(geo["communities"][1:], start=2):
        user = User(username=f"sec-{i:02d}", name=f"{other.name}书记", password=password)
        user.is_staff = True
        staff.append(user)
        grants.append((user, Role.SECRETARY, other))
    for other in geo["grids"][1:]:
        s, c, n = other.number
        username = f"gw-{c:02d}-{n}" if s == 0 else f"gw-s{s + 1}-{c:02d}-{n}"
        user = User(username=username, name=f"{other.name}网格员", password=password)
        user.is_staff = True
        staff.append(user)
        grants.append((user, Role.GRID_WORKER, other))
    _bulk(User, staff)
    _bulk(RoleAssignment, [RoleAssignment(user=u, role=r, area=a) for u, r, a in grants])


def seed_people(*, scale: int, rng: random.Random, stdout) -> None:
    started = time.monotonic()
    people = _People(rng)
    geo = _geography(scale)
    # Street by street, so that a million households never sit in memory at once.
    households, n_households, n_residents = [], 0, 0
    for street in geo["streets"]:
        rows = _households(street.buildings)
        n_households += len(rows)
        n_residents += len(_residents(rows, people))
        households = households or rows[:24]  # the demo resident lives in the first street
        del rows
    party = _party(geo, scale)
    members = _members(geo, party, people, scale)
    organisations = _organisations(geo, people, scale)
    _logins(geo, party, households, members)
    stdout.write(
        f"grids: {len(geo['communities'])} communities, {len(geo['grids'])} grids, "
        f"{len(geo['buildings'])} buildings, {n_households} households, "
        f"{n_residents} residents, {len(members)} members, "
        f"{len(organisations)} organisations in {time.monotonic() - started:.1f}s"
    )


# People first, then the grids' own activity (groups, pairings, a year of visits, problems).
def has_data() -> bool:
    return Area.objects.exists()


SEEDERS = [seed_people]
