"""The register: geography (Area tree) and people: households, residents, party
organisations, members, organisations. Trees are django-treebeard materialised paths, so a
subtree is one `path LIKE 'prefix%'` condition (see apps.accounts.scoping).

The models moved here from `grids`; their tables keep the `grids_` names (Meta.db_table),
so the move changed no data."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from apps.accounts.models import Role
from apps.accounts.scoping import ALL_AREA_ROLES, STAFF, Scope
from apps.core.masking import mask_id_number, mask_name, mask_phone
from apps.core.models import TimeStampedModel
from apps.core.validators import validate_id_number, validate_phone

ADMINS = frozenset({Role.SECRETARY, Role.ADMINISTRATOR})
HOUSEHOLD_VIEWERS = STAFF | {Role.GROUP_LEADER}
# Personal fields (Scope.personal_fields): how each is shown to who may not see it.
ADDRESS = {"address": None, "unit": None, "room": None}
PERSON = {"name": mask_name, "phone": mask_phone, "id_number": mask_id_number}
HARDSHIP = dict.fromkeys(
    ("low_income", "lives_alone", "disabled", "seriously_ill", "elderly", "hardship_note")
)


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Area(MP_Node):
    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")
        GRID = "grid", _("网格")
        BUILDING = "building", _("楼幢")

    # The kind each level must have, top down; a child is always one level below its parent.
    KIND_ORDER = [Kind.DISTRICT, Kind.STREET, Kind.COMMUNITY, Kind.GRID, Kind.BUILDING]

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    code = models.CharField(_("编码"), max_length=50, blank=True)

    scope = Scope(area="", view=ALL_AREA_ROLES, change=frozenset({Role.ADMINISTRATOR}))

    class Meta:
        db_table = "grids_area"
        verbose_name = _("区域")
        verbose_name_plural = _("区域")
        indexes = [
            models.Index(fields=["path"], name="area_path_like", opclasses=["varchar_pattern_ops"])
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def depth_of(cls, kind: str) -> int:
        """The tree depth (1 = district) at which areas of `kind` sit."""
        return cls.KIND_ORDER.index(kind) + 1

    @classmethod
    def path_length(cls, kind: str) -> int:
        """The length of the path of an area of `kind`: the prefix its descendants share."""
        return cls.steplen * cls.depth_of(kind)


class Household(TimeStampedModel):
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="households", verbose_name=_("楼幢")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("室"), max_length=20)

    scope = Scope(
        area="area",
        own="residents__user",
        group="group_coverage__group",
        view=HOUSEHOLD_VIEWERS,
        change=STAFF,
        personal_fields=ADDRESS,
    )

    class Meta:
        db_table = "grids_household"
        verbose_name = _("户")
        verbose_name_plural = _("户")
        constraints = [
            models.UniqueConstraint(fields=["area", "unit", "room"], name="household_unique_room")
        ]

    def __str__(self) -> str:
        unit = f"{self.unit}单元" if self.unit else ""
        return f"{self.area.name}{unit}{self.room}室"


class Person(TimeStampedModel):
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, blank=True, validators=[validate_phone])
    id_number = models.CharField(
        _("身份证号"), max_length=18, blank=True, validators=[validate_id_number]
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Resident(Person):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="residents", verbose_name=_("户")
    )
    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
        verbose_name=_("登录账号"),
    )
    # Hardship flags (困难群众); any one makes the resident vulnerable.
    low_income = models.BooleanField(_("低收入"), default=False)
    lives_alone = models.BooleanField(_("独居"), default=False)
    disabled = models.BooleanField(_("残疾"), default=False)
    seriously_ill = models.BooleanField(_("大病"), default=False)
    elderly = models.BooleanField(_("高龄"), default=False)
    hardship_note = models.TextField(_("困难情况说明"), blank=True)
    vulnerable = models.GeneratedField(
        expression=models.Case(
            models.When(
                Q(low_income=True)
                | Q(lives_alone=True)
                | Q(disabled=True)
                | Q(seriously_ill=True)
                | Q(elderly=True),
                then=models.Value(True),
            ),
            default=models.Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
        verbose_name=_("困难群众"),
    )

    HARDSHIP_FLAGS = ("low_income", "lives_alone", "disabled", "seriously_ill", "elderly")

    scope = Scope(
        area="household__area",
        own="user",
        group="household__group_coverage__group",
        view=HOUSEHOLD_VIEWERS,
        change=STAFF,
        personal_fields={
            **PERSON,
            **HARDSHIP,
            "vulnerable": None,
            **{f"household__{name}": None for name in ADDRESS},
        },
    )

    class Meta:
        db_table = "grids_resident"
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="resident_unique_id_number"
            )
        ]


class PartyOrg(MP_Node):
    class Kind(models.TextChoices):
        WORKING_COMMITTEE = "working_committee", _("党工委")
        COMMITTEE = "committee", _("党委")
        GENERAL_BRANCH = "general_branch", _("党总支")
        BRANCH = "branch", _("党支部")
        GROUP = "group", _("党小组")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_orgs",
        verbose_name=_("所在区域"),
    )

    scope = Scope(area="area", party_org="", view=ALL_AREA_ROLES, change=ADMINS)

    class Meta:
        db_table = "grids_partyorg"
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        indexes = [
            models.Index(
                fields=["path"], name="partyorg_path_like", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name


class Member(Person):
    class Kind(models.TextChoices):
        EMPLOYED = "employed", _("在职")
        RETIRED = "retired", _("离退休")
        MOBILE = "mobile", _("流动")
        ACTIVIST = "activist", _("入党积极分子")

    user = models.OneToOneField(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("登录账号"),
    )
    branch = models.ForeignKey(
        PartyOrg, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在支部")
    )
    community = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="members", verbose_name=_("报到社区")
    )
    residence = models.ForeignKey(
        Area,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident_members",
        verbose_name=_("居住网格/楼幢"),
    )
    kind = models.CharField(_("党员类型"), max_length=20, choices=Kind.choices)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)

    # In scope where they report in (community) and where they live (grid/building): a grid
    # worker sees the members living in the grid, e.g. to pair them as helpers.
    scope = Scope(
        area=("community", "residence"),
        party_org="branch",
        own="user",
        group="group_memberships__group",
        view=HOUSEHOLD_VIEWERS,
        change=ADMINS,
        personal_fields=PERSON,
    )

    class Meta:
        db_table = "grids_member"
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        constraints = [
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="member_unique_phone"
            ),
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="member_unique_id_number"
            ),
        ]


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("企业")
        SOCIAL = "social", _("社会组织")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("所在区域")
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=11, blank=True, validators=[validate_phone]
    )
    representatives = models.ManyToManyField(
        "accounts.User", blank=True, related_name="organisations", verbose_name=_("代表")
    )
    wish_notifications = models.BooleanField(_("接收微心愿推送"), default=False)

    scope = Scope(
        area="area",
        view=ALL_AREA_ROLES,
        change=ADMINS,
        personal_fields={"contact_name": mask_name, "contact_phone": mask_phone},
    )

    class Meta:
        db_table = "grids_organisation"
        verbose_name = _("两新组织")
        verbose_name_plural = _("两新组织")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="org_unique_credit_code"
            )
        ]

    def __str__(self) -> str:
        return self.name
