"""The one scoping function: what may this user see (or change) of model X.

Every model a user can reach declares a `scope = Scope(...)`: how its rows hang off the
geography tree (`area`) and/or the Party tree (`party_org`), which roles see the rows in
their subtree, which may change them, which see personal data unmasked, and how a user
reaches "their own" rows. `scoped(user, queryset)` turns the user's role assignments into
one filter; API viewsets, pages and the admin all go through it.

Trees are materialised paths (django-treebeard), so "in the subtree of node N" is
`path LIKE 'N.path%'`: one indexed condition per assignment, no recursion.
"""

from dataclasses import dataclass, field

from django.db.models import Model, Q, QuerySet

from .models import Role

VIEW, CHANGE, PERSONAL = "view", "change", "personal"

STAFF = frozenset({Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR})
# Who grants and revokes roles within their subtree (services.role_grant / role_revoke).
ROLE_ADMINS = frozenset({Role.SECRETARY, Role.ADMINISTRATOR})
# A role may be granted only by someone holding a role of at least its rank over the node.
# Jurors are seated per review session (projects.services.juror_add), not ranked.
ROLE_RANK = {
    Role.ADMINISTRATOR: 6,
    Role.SECRETARY: 5,
    Role.GRID_WORKER: 4,
    Role.GROUP_LEADER: 3,
    Role.MEMBER: 2,
    Role.RESIDENT: 1,
}

ALL_AREA_ROLES = frozenset(
    {Role.MEMBER, Role.GROUP_LEADER, Role.GRID_WORKER, Role.SECRETARY, Role.ADMINISTRATOR}
)


@dataclass(frozen=True)
class Scope:
    # Lookup(s) from the model to an Area ("" when the model is Area); a row in several places
    # (a member's home community and where they live) is in the subtree of any of them.
    area: str | tuple[str, ...] | None = None
    party_org: str | None = None  # lookup to a PartyOrg ("" when the model is PartyOrg)
    own: str | None = None  # lookup to the User for rows that are the user's own
    view: frozenset = field(default_factory=frozenset)
    change: frozenset = field(default_factory=frozenset)
    personal: frozenset = STAFF
    own_actions: frozenset = frozenset({VIEW, PERSONAL})
    # Lookup to the responsibility group(s) a row belongs to ("" when the model is the group):
    # a `group_leader` grant reaches only the rows of the groups the user leads (at the
    # grant's grid), never the whole grid. None: the grant reaches the node's subtree like
    # any other role (areas, Party organisations, organisations: nothing personal).
    group: str | None = None
    # The personal fields (lookups from the model) and how each is shown to users without
    # the PERSONAL right: a mask function of the value, or None to hide it. The one
    # declaration that the API, the pages, the exports, filters, search and ordering follow.
    personal_fields: dict = field(default_factory=dict)

    @property
    def area_lookups(self) -> tuple[str, ...]:
        if self.area is None:
            return ()
        return (self.area,) if isinstance(self.area, str) else self.area

    def roles(self, action: str) -> frozenset:
        return {VIEW: self.view | self.change, CHANGE: self.change, PERSONAL: self.personal}[action]


@dataclass(frozen=True)
class Grant:
    role: str
    area_path: str | None
    party_path: str | None


def grants(user) -> list[Grant]:
    """The user's role assignments as (role, area path, party path), loaded once per user."""
    cached = getattr(user, "_tongxin_grants", None)
    if cached is not None:
        return cached
    result = []
    if user.is_authenticated:
        assignments = user.role_assignments.select_related("area", "party_org__area")
        for a in assignments:
            area = a.area or (a.party_org.area if a.party_org else None)
            result.append(
                Grant(
                    a.role, area.path if area else None, a.party_org.path if a.party_org else None
                )
            )
    user._tongxin_grants = result
    return result


def _path(lookup: str) -> str:
    return f"{lookup}__path" if lookup else "path"


def _join(lookup: str, rest: str) -> str:
    return f"{lookup}__{rest}" if lookup else rest


# A user's own rows (and a group leader's groups' rows) are few: they are looked up first and
# put in the filter as a list of ids. As a subquery OR'ed with the area condition they would
# make PostgreSQL read the whole table (no index serves "in this subtree OR in that
# subquery"); as `id IN (…)` (or nothing at all, the usual case for staff) the area's index
# and the primary key serve each side. Above this many the subquery stays.
MATERIALISE_UP_TO = 1000


def _ids(rows: QuerySet) -> Q:
    ids = list(rows.values_list("pk", flat=True)[: MATERIALISE_UP_TO + 1])
    if len(ids) > MATERIALISE_UP_TO:
        return Q(pk__in=rows.values("pk"))
    return Q(pk__in=ids)


def _led_groups_filter(user, model: type[Model], lookup: str, grid_path: str | None) -> Q:
    """Rows of the responsibility groups `user` leads at (or under) `grid_path`."""
    if not grid_path:
        return Q(pk__in=[])
    rows = model._default_manager.filter(
        **{
            _join(lookup, "leader__user"): user,
            _join(lookup, "grid__path__startswith"): grid_path,
        }
    )
    return _ids(rows)


def scope_filter(user, model: type[Model], action: str = VIEW) -> Q | None:
    """The Q that limits `model` to what `user` may `action`; None means everything."""
    if user.is_superuser:
        return None
    spec: Scope = model.scope
    roles = spec.roles(action)
    q = Q(pk__in=[])
    for grant in grants(user):
        if grant.role not in roles:
            continue
        if grant.role == Role.GROUP_LEADER and spec.group is not None:
            q |= _led_groups_filter(user, model, spec.group, grant.area_path)
            continue
        if grant.area_path:
            for lookup in spec.area_lookups:
                q |= Q(**{f"{_path(lookup)}__startswith": grant.area_path})
        if spec.party_org is not None and grant.party_path:
            q |= Q(**{f"{_path(spec.party_org)}__startswith": grant.party_path})
    if spec.own is not None and action in spec.own_actions:
        q |= _ids(model._default_manager.filter(**{spec.own: user}))
    return q


def scoped(user, queryset: QuerySet | type[Model], action: str = VIEW) -> QuerySet:
    """Limit a queryset to the rows `user` may see (`action="view"`) or change."""
    if not isinstance(queryset, QuerySet):
        queryset = queryset._default_manager.all()
    if user is None or not user.is_authenticated:
        return queryset.none()
    q = scope_filter(user, queryset.model, action)
    return queryset if q is None else queryset.filter(q)


def touches_personal(model: type[Model], lookup: str) -> bool:
    """Whether a lookup (a filter's field, an ordering term, a search field) reads one of the
    model's personal fields (`Scope.personal_fields`)."""
    name = lookup.lstrip("-^=@$")
    return any(name == p or name.startswith(f"{p}__") for p in model.scope.personal_fields)


def sees_all_personal(user, queryset: QuerySet) -> bool:
    """Whether `user` sees the personal data of every row of `queryset` (one query): the
    condition for filtering or ordering it by a personal field."""
    if user is None or not user.is_authenticated:
        return False
    personal = scope_filter(user, queryset.model, PERSONAL)
    return personal is None or not queryset.exclude(personal).exists()


def has_role_over(user, roles, *, area=None, party_org=None) -> bool:
    """Whether `user` holds one of `roles` at `area` (or `party_org`) or one of its ancestors."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    area_path = area.path if area is not None else None
    party_path = party_org.path if party_org is not None else None
    for grant in grants(user):
        if grant.role not in roles:
            continue
        if area_path and grant.area_path and area_path.startswith(grant.area_path):
            return True
        if party_path and grant.party_path and party_path.startswith(grant.party_path):
            return True
    return False


def can(user, action: str, model: type[Model], *, area=None, party_org=None) -> bool:
    """Whether `user` may `action` rows of `model` that hang at `area`/`party_org`.

    Used before creating a row (the row does not exist yet, so `scoped` cannot answer).
    """
    return has_role_over(user, model.scope.roles(action), area=area, party_org=party_org)


def _follow(obj, lookup: str):
    """Follow a single-valued lookup ("household__area") from an object; "" is the object."""
    for name in filter(None, lookup.split("__")):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def holds_role_over(user, roles, obj) -> bool:
    """Whether `user` holds one of `roles` at one of `obj`'s places (its Scope's area and
    party lookups) or above them. In Python from the object's (select_related) nodes."""
    if user is None or not user.is_authenticated:
        return False
    spec: Scope = type(obj).scope
    party_org = _follow(obj, spec.party_org) if spec.party_org is not None else None
    if has_role_over(user, roles, party_org=party_org):
        return True
    for lookup in spec.area_lookups:
        area = _follow(obj, lookup)
        if area is not None and has_role_over(user, roles, area=area):
            return True
    return False


def sees_personal(user, obj) -> bool:
    """Whether `user` may see `obj`'s personal data (phone, ID number, address) unmasked.

    Decided in Python from the user's grants and the object's (select_related) nodes, so a
    list of N rows costs no extra queries; only a user's "own" multi-valued rows query.
    """
    if user is None or not user.is_authenticated:
        return False
    spec: Scope = type(obj).scope
    if holds_role_over(user, spec.personal, obj):
        return True
    if spec.own is None or PERSONAL not in spec.own_actions:
        return False
    if "__" not in spec.own:
        return getattr(obj, f"{spec.own}_id", None) == user.pk
    return type(obj)._default_manager.filter(pk=obj.pk, **{spec.own: user}).exists()


def role_rank_over(user, *, area=None, party_org=None) -> int:
    """The highest rank (ROLE_RANK) of the role-administering roles (ROLE_ADMINS) `user`
    holds at the node or one of its ancestors; 0 when none does (the node is out of their
    scope for role administration). A Party organisation is also covered from its area."""
    if user is None or not user.is_authenticated:
        return 0
    if user.is_superuser:
        return max(ROLE_RANK.values())
    if area is None and party_org is not None and party_org.area_id:
        area = party_org.area
    area_path = area.path if area is not None else None
    party_path = party_org.path if party_org is not None else None
    best = 0
    for grant in grants(user):
        if grant.role not in ROLE_ADMINS:
            continue
        over_area = area_path and grant.area_path and area_path.startswith(grant.area_path)
        over_party = party_path and grant.party_path and party_path.startswith(grant.party_path)
        if over_area or over_party:
            best = max(best, ROLE_RANK[grant.role])
    return best
