"""The roster kinds: every roster the import and export pages, the command, the admin and
the job model know. A kind is its columns (`columns.Roster`), its importer
(`importers.Importer`) and its export resource (`resources.RosterResource`).

The register's five kinds are built in (`columns.ROSTERS`, `importers.IMPORTERS`,
`resources.RESOURCES`). Another app adds its own in a module named `rosters.py`
(`apps/<app>/rosters.py`), found by core's `app_modules("rosters")` when this app is ready,
which calls `register_kind(...)`: the rosters app never imports that app.
"""

from django.core.exceptions import ImproperlyConfigured

from .columns import ROSTERS, Roster
from .importers import IMPORTERS, Importer
from .resources import RESOURCES, RosterResource


def register_kind(roster: Roster, *, importer: type[Importer], resource: type[RosterResource]):
    """Add a roster kind. Its importer and resource name the same kind; a kind is
    registered once (a second app may not take over a kind)."""
    kind = roster.kind
    if importer.roster_kind != kind or resource.roster_kind != kind:
        raise ImproperlyConfigured(f"roster kind {kind!r}: importer and resource must name it")
    if kind in ROSTERS and ROSTERS[kind] is not roster:
        raise ImproperlyConfigured(f"roster kind {kind!r} is registered twice")
    if len(kind) > 20:  # ImportJob.kind
        raise ImproperlyConfigured(f"roster kind {kind!r} is longer than 20 characters")
    ROSTERS[kind] = roster
    IMPORTERS[kind] = importer
    RESOURCES[kind] = resource


def discover() -> None:
    """Import every app's `rosters` module (each registers its kinds on import)."""
    from apps.core.discovery import app_modules

    app_modules("rosters")


def kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of every registered kind, for `ImportJob.kind`."""
    return [(kind, roster.label) for kind, roster in ROSTERS.items()]
