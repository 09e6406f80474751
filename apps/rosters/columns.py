"""THE column mapping of every roster: one place that says which spreadsheet header feeds
which model field, in Chinese (the template's header) and English (also accepted).

| roster (KIND)   | natural key (re-import updates instead of duplicating)                 |
|-----------------|------------------------------------------------------------------------|
| `members`       | 手机号 (phone), else 身份证号 (ID number)                               |
| `households`    | 社区/网格/楼幢 path + 单元 + 室                                          |
| `residents`     | 身份证号, else the household + 姓名                                      |
| `party_orgs`    | 上级组织 path + 名称 (the org's own path)                                |
| `organisations` | 统一社会信用代码, else 所在区域 + 名称                                    |

References are readable paths of names, separated by "/": `大榭街道/海城社区/第3网格`. Any
trailing part of the full path that names exactly one node is enough (`海城社区`); write
more of the path when a name repeats. Headers are matched after stripping spaces and
case, so `手机号`, `Phone` and `phone` all feed `phone`.

The README section "Importing rosters" lists every roster's columns.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from apps.register.models import Gender, Member, Organisation, PartyOrg

TEXT, CHOICE, DATE, BOOL, PHONE, ID_NUMBER, AREA, PARTY_ORG = (
    "text",
    "choice",
    "date",
    "bool",
    "phone",
    "id_number",
    "area",
    "party_org",
)


@dataclass(frozen=True)
class Column:
    field: str
    zh: str  # the template's header
    en: str  # accepted as well, case-insensitive
    type: str = TEXT
    required: bool = False
    choices: tuple = ()  # (value, Chinese label, *aliases) for CHOICE columns
    max_length: int = 0
    example: str = ""
    aliases: tuple = ()  # more accepted headers

    def labels(self) -> list[str]:
        return [str(c[1]) for c in self.choices]


@dataclass(frozen=True)
class Roster:
    kind: str
    label: str
    columns: tuple
    key_help: str = ""
    notes: tuple = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)


GENDERS = ((Gender.MALE, "男", "male", "m"), (Gender.FEMALE, "女", "female", "f"))
MEMBER_KINDS = (
    (Member.Kind.EMPLOYED, "在职", "employed"),
    (Member.Kind.RETIRED, "离退休", "retired", "退休", "离休"),
    (Member.Kind.MOBILE, "流动", "mobile", "流动党员"),
    (Member.Kind.ACTIVIST, "积极分子", "activist", "入党积极分子"),
)
PARTY_ORG_KINDS = tuple((value, str(label), value) for value, label in PartyOrg.Kind.choices)
ORGANISATION_KINDS = (
    (Organisation.Kind.ENTERPRISE, "企业", "enterprise"),
    (Organisation.Kind.SOCIAL, "社会组织", "social"),
)

_NAME = Column("name", "姓名", "Name", required=True, max_length=50, example="张秀梅")
_GENDER = Column("gender", "性别", "Gender", CHOICE, choices=GENDERS, example="女")
_PHONE = Column("phone", "手机号", "Phone", PHONE, example="13912345678", aliases=("手机",))
_ID = Column("id_number", "身份证号", "ID number", ID_NUMBER, example="330206199001011235")
_COMMUNITY = Column("community", "社区", "Community", AREA, required=True, example="海城社区")
_GRID = Column("grid", "网格", "Grid", TEXT, required=True, max_length=100, example="海城第1网格")
_BUILDING = Column(
    "building", "楼幢", "Building", TEXT, required=True, max_length=100, example="1幢"
)
_UNIT = Column("unit", "单元", "Unit", TEXT, max_length=20, example="1")
_ROOM = Column("room", "室", "Room", TEXT, required=True, max_length=20, example="101")

ROSTERS = {
    "members": Roster(
        "members",
        _("党员名册"),
        (
            _NAME,
            _GENDER,
            _PHONE,
            _ID,
            Column(
                "branch",
                "所在支部",
                "Branch",
                PARTY_ORG,
                required=True,
                example="海城第1网格党支部",
            ),
            Column(
                "community",
                "报到社区",
                "Community",
                AREA,
                required=True,
                example="大榭街道/海城社区",
            ),
            Column("residence", "居住网格", "Residence", AREA, example="海城社区/海城第1网格"),
            Column(
                "kind",
                "党员类型",
                "Member type",
                CHOICE,
                required=True,
                choices=MEMBER_KINDS,
                example="在职",
            ),
            Column("joined_on", "入党日期", "Joined on", DATE, example="2001-07-01"),
        ),
        _("手机号，未填时用身份证号"),
    ),
    "households": Roster(
        "households",
        _("户籍名册"),
        (
            _COMMUNITY,
            _GRID,
            _BUILDING,
            _UNIT,
            _ROOM,
            Column("address", "地址", "Address", max_length=200, example="海城路1号"),
        ),
        _("社区/网格/楼幢 + 单元 + 室"),
    ),
    "residents": Roster(
        "residents",
        _("居民名册"),
        (
            _NAME,
            _GENDER,
            _PHONE,
            _ID,
            _COMMUNITY,
            _GRID,
            _BUILDING,
            _UNIT,
            _ROOM,
            Column("low_income", "低收入", "Low income", BOOL, example="否"),
            Column("lives_alone", "独居", "Lives alone", BOOL, example="是"),
            Column("disabled", "残疾", "Disabled", BOOL, example="否"),
            Column("seriously_ill", "大病", "Seriously ill", BOOL, example="否"),
            Column("elderly", "高龄", "Elderly", BOOL, example="是"),
            Column("hardship_note", "困难情况说明", "Hardship note", example="子女在外地"),
        ),
        _("身份证号，未填时用所在户 + 姓名"),
    ),
    "party_orgs": Roster(
        "party_orgs",
        _("党组织名册"),
        (
            Column("name", "名称", "Name", required=True, max_length=100, example="海城社区党支部"),
            Column(
                "kind",
                "类型",
                "Type",
                CHOICE,
                required=True,
                choices=PARTY_ORG_KINDS,
                example="党支部",
            ),
            Column("parent", "上级组织", "Parent", PARTY_ORG, example="大榭街道党工委"),
            Column("area", "所在区域", "Area", AREA, example="大榭街道/海城社区"),
        ),
        _("上级组织路径 + 名称"),
    ),
    "organisations": Roster(
        "organisations",
        _("两新组织名册"),
        (
            Column(
                "name", "名称", "Name", required=True, max_length=100, example="海城物业有限公司"
            ),
            Column(
                "kind",
                "类型",
                "Type",
                CHOICE,
                required=True,
                choices=ORGANISATION_KINDS,
                example="企业",
            ),
            Column("area", "所在区域", "Area", AREA, required=True, example="大榭街道/海城社区"),
            Column(
                "credit_code",
                "统一社会信用代码",
                "Credit code",
                max_length=18,
                example="91330206MA2XXXXX1X",
            ),
            Column("contact_name", "联系人", "Contact", max_length=50, example="李经理"),
            Column("contact_phone", "联系电话", "Contact phone", PHONE, example="13800000000"),
            Column(
                "wish_notifications", "接收微心愿推送", "Wish notifications", BOOL, example="是"
            ),
        ),
        _("统一社会信用代码，未填时用所在区域 + 名称"),
    ),
}

TRUE_WORDS = frozenset({"是", "有", "y", "yes", "true", "1", "√", "✓", "x"})
FALSE_WORDS = frozenset({"否", "无", "n", "no", "false", "0", ""})


def normalise_header(text) -> str:
    return "".join(str(text or "").split()).lower().replace("（", "(").replace("）", ")")


def header_map(roster: Roster) -> dict[str, Column]:
    """Every accepted header (normalised) → its column."""
    result = {}
    for column in roster.columns:
        for name in (column.zh, column.en, column.field, *column.aliases):
            result[normalise_header(name)] = column
    return result


def choice_map(column: Column) -> dict[str, str]:
    """Every accepted spelling of an enumeration (label, value, alias; lower case) → value."""
    return {str(s).lower(): str(choice[0]) for choice in column.choices for s in choice}


def choice_label(column: Column, value: str) -> str:
    return next((str(c[1]) for c in column.choices if str(c[0]) == value), value)
