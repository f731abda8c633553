"""A version's change in a line people read: "sofa frame width 2.1 → 2.4 m, sofa legs black".

The raw diff (``designs.diff``) lists every field of every object; this groups
the same change made to several objects of one kind (four legs turned black)
and says sizes in metres, colours and materials by name, moves as "moved".
"""

from collections import defaultdict

SIZES = {"dimensions.width": "width", "dimensions.height": "height", "dimensions.depth": "depth"}
WORDS = {"material": "", "color": "", "properties.color": "", "properties.material": ""}


def summarise(diff: dict, objects: list[dict], previous_objects: list[dict] = ()) -> str:
    """The change from the previous version in one line ("" when nothing changed)."""
    kinds = {obj.get("id"): _kind(obj) for obj in [*previous_objects, *objects]}
    phrases: list[str] = []
    grouped: dict[tuple, list[str]] = defaultdict(list)
    for item in (diff or {}).get("changed") or []:
        kind = kinds.get(item.get("id"), item.get("id", "object"))
        moved = False
        for path, change in (item.get("fields") or {}).items():
            before, after = change.get("from"), change.get("to")
            if path in SIZES:
                grouped[(kind, SIZES[path], _metres(before), _metres(after))].append(item.get("id"))
            elif path in WORDS and after is not None:
                grouped[(kind, "", None, str(after))].append(item.get("id"))
            elif path.startswith("position."):
                moved = True
        if moved:
            grouped[(kind, "moved", None, None)].append(item.get("id"))
    for (kind, field, before, after), ids in grouped.items():
        name = _plural(kind) if len(ids) > 1 else kind
        if field == "moved":
            phrases.append(f"{name} moved")
        elif field:
            phrases.append(f"{name} {field} {before} → {after} m")
        else:
            phrases.append(f"{name} {after}")
    added = [kinds.get(object_id, object_id) for object_id in (diff or {}).get("added") or []]
    removed = [kinds.get(object_id, object_id) for object_id in (diff or {}).get("removed") or []]
    if added:
        phrases.append("added " + ", ".join(_counted(added)))
    if removed:
        phrases.append("removed " + ", ".join(_counted(removed)))
    return ", ".join(phrases)


def _kind(obj: dict) -> str:
    return str(obj.get("type") or obj.get("id") or "object").replace("_", " ")


def _metres(value) -> str:
    return "?" if value is None else f"{float(value):g}"


def _plural(kind: str) -> str:
    return kind if kind.endswith("s") else f"{kind}s"


def _counted(kinds: list[str]) -> list[str]:
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    return [f"{count} {_plural(kind)}" if count > 1 else kind for kind, count in counts.items()]
