"""Home-page tiles. Each app may have a `menu.py` with `TILES = [Tile(...), ...]`; the home
page shows the tiles whose roles the user holds (an empty `roles` shows it to everyone)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from .discovery import app_modules


@dataclass(frozen=True)
class Tile:
    label: str  # a gettext_lazy string
    url_name: str
    roles: frozenset = field(default_factory=frozenset)
    order: int = 100
    # Also shown only when this says so for the user (e.g. "is a helper"); None: always.
    when: Callable | None = None


def _all_tiles() -> list[Tile]:
    tiles = [tile for module in app_modules("menu") for tile in getattr(module, "TILES", [])]
    return sorted(tiles, key=lambda t: t.order)


def tiles_for(user, roles: set[str]) -> list[dict]:
    return [
        {"label": t.label, "url": reverse(t.url_name)}
        for t in _all_tiles()
        if (not t.roles or (roles & set(t.roles)) or user.is_superuser)
        and (t.when is None or t.when(user))
    ]
