"""The app boundaries: which app may import which. An app lower in the list never imports
one above it; field work (`grids`) is imported by nobody but `config` and `audit`
(which tracks its models)."""

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parent.parent / "apps"

# app -> the apps it may import. `core` and `accounts` are the shared base (scoping lives in
# accounts and the bases in core use it); everything else builds on the register.
ALLOWED = {
    "core": {"accounts"},
    "accounts": {"core"},
    "register": {"core", "accounts"},
    "points": {"core", "accounts", "register"},
    "notifications": {"core", "accounts", "register"},
    "rosters": {"core", "accounts", "register"},
    "grids": {"core", "accounts", "register", "points", "notifications"},
    "wishes": {"core", "accounts", "register", "points", "notifications"},
    # volunteers registers its roster kind (apps/volunteers/rosters.py) with the rosters app.
    "volunteers": {"core", "accounts", "register", "points", "notifications", "rosters"},
    "projects": {"core", "accounts", "register", "points", "notifications"},
    # The numbers the seeds report read wishes, volunteers and projects: on top of them.
    "stats": {"core", "accounts", "register", "wishes", "volunteers", "projects"},
    # The live hall's sockets and sync endpoint read wishes and notifications (which publish
    # through apps.core.live, never importing this).
    "live": {"core", "accounts", "register", "wishes", "notifications"},
    # The audit trail names every tracked model (its event models live there): on top.
    "audit": {
        "core",
        "accounts",
        "register",
        "grids",
        "wishes",
        "rosters",
        "projects",
        "volunteers",
    },
}


def _imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "apps" and len(parts) > 1:
                found.add(parts[1])
    return found


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for path in APPS.rglob("*.py"):
        app = path.relative_to(APPS).parts[0]
        if app == "__init__.py":
            continue
        edges.setdefault(app, set()).update(_imported_apps(path) - {app})
    return edges


def test_every_app_has_its_place_in_the_layers():
    assert set(_edges()) == set(ALLOWED)


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_app_imports_only_the_apps_below_it(app):
    assert _edges()[app] <= ALLOWED[app]


def test_nothing_but_grids_names_apps_grids():
    for path in APPS.rglob("*.py"):
        if path.relative_to(APPS).parts[0] not in ("grids", "audit"):
            assert "apps.grids" not in path.read_text(), path
