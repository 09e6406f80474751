"""Volunteers as a roster kind (志愿者名册): members' registrations with their community, post
and skills, imported and exported by the rosters app's pages, command and admin (registered
with `apps.rosters.kinds.register_kind`; the rosters app does not import this app).

A row is a registered member, found by 手机号 (the name must match): their open registration
(pending or approved) in their home community is created, or updated, with 岗位 as the first
choice, the skills and the available times. New registrations are pending, with their
"submit" history row, for the secretary to approve (or to take into the proposal). All or
nothing, every bad row reported with its number, like every roster.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.scoping import sees_personal
from apps.core.masking import mask_value
from apps.register.models import Area, Member
from apps.rosters import validation as v
from apps.rosters.columns import AREA, PHONE, Column, Roster
from apps.rosters.importers import Importer, Skip, among
from apps.rosters.kinds import register_kind
from apps.rosters.resources import RosterResource, declared_fields

from .models import Post, RegistrationEvent, VolunteerRegistration

KIND = "volunteers"
OPEN = (VolunteerRegistration.Status.PENDING, VolunteerRegistration.Status.APPROVED)
MAX_SKILLS = 10

ROSTER = Roster(
    KIND,
    gettext_lazy("志愿者名册"),
    (
        Column("name", "姓名", "Name", required=True, max_length=50, example="李建国"),
        Column("phone", "手机号", "Phone", PHONE, required=True, example="13800000001"),
        Column("community", "社区", "Community", AREA, required=True, example="海城社区"),
        Column("post", "岗位", "Post", required=True, max_length=40, example="护河志愿者"),
        Column("skills", "技能", "Skills", max_length=200, example="法律、医疗"),
        Column("available_times", "可服务时间", "Available times", max_length=200, example="周末"),
    ),
    gettext_lazy("手机号（登记在册的党员，姓名须一致）"),
    (
        gettext_lazy("岗位填本社区已开放的岗位名称；技能用顿号或逗号分隔，最多 10 项。"),
        gettext_lazy("新登记为待审核，由书记审核上岗。"),
    ),
)


def parse_skills(text: str) -> list[str]:
    """`法律、医疗, 教育` → sorted unique skills (as the registration form stores them)."""
    for sep in ("、", "，", ";", "；", "/"):
        text = text.replace(sep, ",")
    skills = sorted({s.strip()[:20] for s in text.split(",") if s.strip()})
    if len(skills) > MAX_SKILLS:
        raise v.BadCell(_("技能最多填写 10 项。"))
    return skills


class VolunteerImporter(Importer):
    roster_kind = KIND
    model = VolunteerRegistration
    attnames = {"community": "community_id", "post": "choice_1_id"}
    ref_kinds = {"community": frozenset({Area.Kind.COMMUNITY})}

    def _converter(self, column):
        if column.field == "skills":
            return lambda cell: parse_skills(v.text(cell))
        return super()._converter(column)

    def _posts(self) -> dict:
        if not hasattr(self, "_post_ids"):
            rows = Post.objects.filter(enabled=True).values_list("community_id", "name", "pk")
            self._post_ids = {(c, name): pk for c, name, pk in rows}
            self._post_names = {pk: name for _c, name, pk in rows}
        return self._post_ids

    def clean(self, number, values):
        record = super().clean(number, values)
        post = self._posts().get((record["community_id"], record.pop("choice_1_id")))
        if post is None:
            self.error(number, "post", _("本社区没有开放名为“%(post)s”的岗位。") % values)
            raise Skip
        record["choice_1_id"] = post
        return record

    def keys(self, record):
        return [("phone", ("phone", record["phone"]))]

    def existing(self, records):
        phones = [r["phone"] for _n, r in records]
        self.members = {}
        for q in among(Member, "phone", phones):
            for pk, phone, name, community in Member.objects.filter(q).values_list(
                "pk", "phone", "name", "community_id"
            ):
                self.members[phone] = (pk, name, community)
        ids = [m[0] for m in self.members.values()]
        by_member = {}
        for q in among(VolunteerRegistration, "member", ids):
            rows = VolunteerRegistration.objects.filter(q, status__in=OPEN).values(
                "pk", "member_id", *self.present
            )
            by_member.update({row.pop("member_id"): row for row in rows})
        phone_of = {m[0]: phone for phone, m in self.members.items()}
        return {("phone", phone_of[m]): (row.pop("pk"), row) for m, row in by_member.items()}

    def match(self, number, record, existing):
        member = self.members.get(record["phone"])
        if member is None:
            self.error(number, "phone", _("没有手机号为该号码的党员，请先导入党员名册。"))
            raise Skip
        member_id, name, community_id = member
        if name != record["name"]:
            message = _("姓名与该手机号的党员（%(name)s）不一致。") % {"name": name}
            self.error(number, "name", message)
            raise Skip
        if community_id != record["community_id"]:
            self.error(number, "community", _("只能在本人报到社区（居住社区）登记志愿服务。"))
            raise Skip
        record["member_id"] = member_id
        return super().match(number, record, existing)

    def allowed(self, number, record, current):
        if not self.may(record["community_id"]):
            return self.forbid(number, "community", record["community_id"])
        return True

    def label(self, record):
        return record["name"]

    def related_label(self, pk) -> str:
        self._posts()
        return self._post_names.get(pk, str(pk))

    def display(self, attname, value):
        if attname == "skills":
            return "、".join(value or [])
        return super().display(attname, value)

    def write(self, new, updated):
        """Small rosters: rows by bulk_create (with their "submit" history rows), changes
        by the base's one INSERT … ON CONFLICT per batch."""
        fields = ("member_id", "community_id", "choice_1_id", "skills", "available_times")
        created = VolunteerRegistration.objects.bulk_create(
            VolunteerRegistration(**{k: r[k] for k in fields if k in r}) for r in new
        )
        RegistrationEvent.objects.bulk_create(
            RegistrationEvent(
                registration=reg,
                move="submit",
                from_status="",
                to_status=reg.status,
                actor=self.user,
                note=_("名册导入"),
            )
            for reg in created
        )
        self.progress("writing", len(new), len(new) + len(updated))
        # The whole row (the INSERT half of the upsert needs the member); only the file's
        # columns are updated.
        self.update(
            [(pk, {k: r[k] for k in fields if k in r}) for pk, r in updated],
            len(new),
            len(new) + len(updated),
        )


class VolunteerResource(RosterResource):
    roster_kind = KIND
    select_related = ("member", "community", "choice_1")
    locals().update(declared_fields(ROSTER))

    class Meta:
        model = VolunteerRegistration
        fields = tuple(c.field for c in ROSTER.columns)
        export_order = fields

    def get_queryset(self):
        return super().get_queryset().filter(status__in=OPEN)

    def value(self, instance, name):
        if name in ("name", "phone"):
            return getattr(instance.member, name)
        if name == "community":
            return self.refs.areas.display(instance.community_id)
        if name == "post":
            return instance.choice_1.name
        if name == "skills":
            return "、".join(instance.skills)
        return super().value(instance, name)

    def _export_value(self, field, instance):
        # The member's phone is the member's personal data: masked as the members roster
        # masks it for users who may not see it.
        user = self.user
        if field.attribute == "phone" and user and not sees_personal(user, instance.member):
            personal = Member.scope.personal_fields
            return mask_value(instance.member.phone, personal["phone"]) or ""
        return super()._export_value(field, instance)


register_kind(ROSTER, importer=VolunteerImporter, resource=VolunteerResource)
