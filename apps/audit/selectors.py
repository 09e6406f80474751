"""Reads of the audit trail and the access log, scoped like everything else."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from apps.accounts.models import Role, User
from apps.accounts.scoping import VIEW, grants, has_role_over, scoped, sees_personal
from apps.core.errors import NotFound
from apps.core.masking import mask_name
from apps.core.validators import parse_id

from .models import TRACKED, PersonalDataAccess

# The people whose personal data is logged: what the access-log page is asked about.
SUBJECTS = {
    "resident": "register.resident",
    "member": "register.member",
    "household": "register.household",
    "organisation": "register.organisation",
}
# What a subject's name and scope are read from, loaded with it.
RELATED = {
    "register.resident": ("household__area",),
    "register.member": ("community", "residence", "branch"),
    "register.household": ("area",),
    "register.organisation": ("area",),
}
AUDITORS = frozenset({Role.ADMINISTRATOR})


def tracked_object(user, label: str, pk):
    """The tracked object `label` ("register.resident") with id `pk` if `user` may see it,
    else NotFound (an unknown label, an id out of scope)."""
    if label not in TRACKED or parse_id(pk) is None:
        raise NotFound()
    model = apps.get_model(label)
    queryset = scoped(user, model, VIEW).select_related(*RELATED.get(label, ()))
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound()
    return obj


def is_auditor(user) -> bool:
    return user.is_superuser or any(g.role in AUDITORS for g in grants(user))


def _subject_scope(user, rows: QuerySet) -> QuerySet:
    """Access rows about subjects the auditor may see (per subject type, one subquery)."""
    if user.is_superuser:
        return rows
    q = Q(pk__in=[])
    for label in SUBJECTS.values():
        model = apps.get_model(label)
        ct = ContentType.objects.get_for_model(model)
        q |= Q(subject_type=ct, subject_id__in=scoped(user, model, VIEW).values("pk"))
    return rows.filter(q)


def accesses_to(user, kind: str, pk) -> tuple[object, QuerySet]:
    """Who looked at this person: (the subject, its access rows), newest first."""
    if not is_auditor(user) or kind not in SUBJECTS:
        raise NotFound()
    subject = tracked_object(user, SUBJECTS[kind], pk)
    ct = ContentType.objects.get_for_model(type(subject))
    rows = PersonalDataAccess.objects.filter(subject_type=ct, subject_id=subject.pk)
    return subject, rows.select_related("viewer", "subject_type")


def _viewer_in_scope(auditor, viewer: User) -> bool:
    if auditor.is_superuser or viewer.pk == auditor.pk:
        return True
    for a in viewer.role_assignments.select_related("area", "party_org"):
        if has_role_over(auditor, AUDITORS, area=a.area, party_org=a.party_org):
            return True
    return False


def accesses_by(user, username: str) -> tuple[User, QuerySet]:
    """Whom this user looked at: (the user, their access rows about subjects in the auditor's
    scope, and their exports), newest first. A user holding no role in the auditor's
    subtree is NotFound, like one who does not exist."""
    if not is_auditor(user):
        raise NotFound()
    viewer = User.objects.filter(username=username).first()
    if viewer is None or not _viewer_in_scope(user, viewer):
        raise NotFound()
    rows = PersonalDataAccess.objects.filter(viewer=viewer)
    scoped_rows = _subject_scope(user, rows.exclude(subject_id=None))
    exports = rows.filter(subject_id=None)
    rows = PersonalDataAccess.objects.filter(
        Q(pk__in=scoped_rows.values("pk")) | Q(pk__in=exports.values("pk"))
    )
    return viewer, rows.select_related("viewer", "subject_type")


def subject_labels(user, rows) -> dict:
    """{(content type id, subject id): label} for a page of access rows: the subject's name,
    masked where the auditor may not see it (one query per subject type on the page)."""
    wanted: dict = {}
    for row in rows:
        if row.subject_id is not None:
            wanted.setdefault(row.subject_type, set()).add(row.subject_id)
    labels = {}
    for ct, ids in wanted.items():
        model = ct.model_class()
        related = RELATED.get(model._meta.label_lower, ())
        for obj in scoped(user, model, VIEW).select_related(*related).filter(pk__in=ids):
            name = str(obj)
            labels[(ct.pk, obj.pk)] = name if sees_personal(user, obj) else mask_name(name)
    return labels
