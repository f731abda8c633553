"""The dashboard's product tiles: each app says what it has for a person, config lays them out.

config cannot import the apps, so each app registers a ``tile(user)`` function
in its ``AppConfig.ready`` (``register(order, tile)``, as ``config.jobs.naming``
does for job names). A tile is read-only and costs a few queries: the product's
name and what it does, where to start, the person's last items, and the plan
usage it took since the cycle began (units still held: refunded failures do not
count), so the figures by product add up to the plan's own.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TileItem:
    title: str
    status: str
    url: str  # empty when the item has no page to open (an expired floor plan session)


@dataclass(frozen=True)
class Tile:
    product: str
    description: str
    start_url: str
    start_label: str
    list_url: str
    used_this_cycle: int
    usage_unit: str  # "photos staged", "designs", ...
    items: list[TileItem] = field(default_factory=list)


_tiles: list[tuple[int, Callable[..., Tile]]] = []
RECENT = 3


def register(order: int, tile: Callable[..., Tile]) -> None:
    """Show ``tile(user)`` on the dashboard, tiles sorted by ``order``."""
    if all(existing is not tile for _, existing in _tiles):
        _tiles.append((order, tile))
        _tiles.sort(key=lambda pair: pair[0])


def tiles_for(user) -> list[Tile]:
    return [tile(user) for _, tile in _tiles]
