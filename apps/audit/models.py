"""The audit trail and the personal-data access log, in one place.

Audit trail: django-pghistory generates one event model per tracked model here (app label
`audit`) and installs PostgreSQL triggers that copy the row into it on every insert, update
and delete — also the conditional `UPDATE`s of the workflows, `bulk_create`, the imports'
`COPY` and raw SQL, which save signals never see. Each event points at a
`pghistory.Context` row holding who, from where and through what (see middleware.py and
celery_context.py). The event tables are append-only (PGHISTORY_APPEND_ONLY). SQLite has no
triggers: there no events are kept (README, "Audit trail and access log").

Access log: `PersonalDataAccess`, one row per subject a user was shown unmasked personal
data of (a page, an API object) and one per export file. Recorded with
`apps.core.history.note_access`, written once per request by the middleware.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import RoleAssignment
from apps.grids.models import (
    GroupHousehold,
    GroupMembership,
    Pairing,
    Problem,
    ResponsibilityGroup,
    Visit,
)
from apps.projects.models import (
    JointRequest,
    Milestone,
    Pledge,
    Project,
    ReviewSession,
    Score,
    Signature,
    WorkingGroupMember,
)
from apps.register.models import Area, Household, Member, Organisation, PartyOrg, Resident
from apps.rosters.models import ImportJob
from apps.volunteers.models import (
    Activity,
    Assignment,
    Certificate,
    Need,
    Occurrence,
    Post,
    ServiceRecord,
    SignUp,
    VolunteerRegistration,
)
from apps.wishes.models import Claim, Wish


def _track(model, **options):
    pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        obj_field=pghistory.ObjForeignKey(related_name="audit_events", db_index=True),
        app_label="audit",
        model_name=f"{model.__name__}Event",
        # One trigger run per statement, over its transition table: a COPY of 100,000 rows
        # attaches the context once instead of 100,000 times.
        level=pgtrigger.Statement,
        **options,
    )(model)


for _model in (
    Area,
    Household,
    Resident,
    Member,
    Organisation,
    PartyOrg,
    RoleAssignment,
    ResponsibilityGroup,
    GroupMembership,
    GroupHousehold,
    Visit,
    Problem,
    Wish,
    Claim,
    Project,
    Milestone,
    Pledge,
    ReviewSession,
    Score,
    JointRequest,
    Signature,
    WorkingGroupMember,
    Post,
    VolunteerRegistration,
    Assignment,
    Activity,
    Occurrence,
    SignUp,
    ServiceRecord,
    Need,
    Certificate,
):
    _track(_model)
# An import job's bulky result lists (errors, preview) and its progress counter change
# often and say nothing about who did what: not copied into its history.
_track(ImportJob, exclude=["errors", "changes", "notices", "rows_done"])
# A pairing's last visit and building are derived (the visit service and triggers keep them);
# the visit, the resident and the household have their own history.
_track(Pairing, exclude=["last_visited_at", "area"])

TRACKED = (
    "register.area",
    "register.household",
    "register.resident",
    "register.member",
    "register.organisation",
    "register.partyorg",
    "accounts.roleassignment",
    "grids.responsibilitygroup",
    "grids.groupmembership",
    "grids.grouphousehold",
    "grids.pairing",
    "grids.visit",
    "grids.problem",
    "wishes.wish",
    "wishes.claim",
    "rosters.importjob",
    "projects.project",
    "projects.milestone",
    "projects.pledge",
    "projects.reviewsession",
    "projects.score",
    "projects.jointrequest",
    "projects.signature",
    "projects.workinggroupmember",
    "volunteers.post",
    "volunteers.volunteerregistration",
    "volunteers.assignment",
    "volunteers.activity",
    "volunteers.occurrence",
    "volunteers.signup",
    "volunteers.servicerecord",
    "volunteers.need",
    "volunteers.certificate",
)


class PersonalDataAccess(models.Model):
    """A user was shown a person's unmasked personal data (PIPL 个人信息保护法)."""

    class Channel(models.TextChoices):
        PAGE = "page", _("页面")
        API = "api", _("接口")
        EXPORT = "export", _("导出")

    # The log outlives the account: deleting a user keeps their rows (and their id).
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="personal_data_accesses",
        verbose_name=_("查看人"),
    )
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("对象类型")
    )
    # None for an export: the file is about many people, `row_count` says how many.
    subject_id = models.BigIntegerField(_("对象"), null=True, blank=True)
    fields = models.JSONField(_("字段"), default=list)
    channel = models.CharField(_("途径"), max_length=10, choices=Channel.choices)
    path = models.CharField(_("地址"), max_length=300, blank=True)
    row_count = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "-at"], name="access_by_subject"),
            models.Index(fields=["viewer", "-at"], name="access_by_viewer"),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.subject_type_id}:{self.subject_id}"
