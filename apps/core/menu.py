"""Home-page tiles. Each app may have a `menu.py` with `TILES = [Tile(...), ...]`; the home
page shows the tiles whose roles the user holds (an empty `roles` shows it to everyone),
each with its icon (a symbol of static/icons/tiles.svg) and, where the app says how to count
it, the number of things waiting there (心愿审核 · 5)."""

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
    icon: str = "clipboard"  # a symbol id in static/icons/tiles.svg
    # How many things wait there for the user (an int; 0 or None shows no number).
    count: Callable | None = None
    # A tile whose target depends on the user (a tel: link): user -> {"url", "detail"} or
    # None (then the tile is not shown); url_name is unused.
    link: Callable | None = None


def _all_tiles() -> list[Tile]:
    tiles = [tile for module in app_modules("menu") for tile in getattr(module, "TILES", [])]
    return sorted(tiles, key=lambda t: t.order)


def _count(tile: Tile, user) -> int | None:
    if tile.count is None:
        return None
    return tile.count(user) or None


def tiles_for(user, roles: set[str]) -> list[dict]:
    result = []
    for t in _all_tiles():
        if not (not t.roles or (roles & set(t.roles)) or user.is_superuser):
            continue
        if t.when is not None and not t.when(user):
            continue
        item = {"label": t.label, "icon": t.icon, "key": t.url_name, "detail": ""}
        if t.link is not None:
            target = t.link(user)
            if not target:
                continue
            item.update(target)
        else:
            item["url"] = reverse(t.url_name)
        item["count"] = _count(t, user)
        result.append(item)
    return result
