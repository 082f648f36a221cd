"""Reading Components V2 cards in tests, as a member sees them.

``result.response.components`` holds the raw payload (dicts); a message from the channel
history holds discord.py component objects. Both are walked the same way.
"""

from __future__ import annotations

from typing import Any

TEXT_DISPLAY, CONTAINER, SECTION, ACTION_ROW, BUTTON, MEDIA_GALLERY = 10, 17, 9, 1, 2, 12


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        kids = list(node.get("components") or [])
        if node.get("accessory"):
            kids.append(node["accessory"])
        return kids
    kids = list(getattr(node, "children", None) or getattr(node, "components", None) or [])
    accessory = getattr(node, "accessory", None)
    if accessory is not None:
        kids.append(accessory)
    return kids


def _type(node: Any) -> int:
    if isinstance(node, dict):
        return int(node["type"])
    return int(node.type.value)


def walk(components: Any) -> list[Any]:
    """Every component, nested ones included, depth first."""
    found: list[Any] = []
    for node in components or []:
        found.append(node)
        found.extend(walk(_children(node)))
    return found


def components_of(thing: Any) -> list[Any]:
    response = getattr(thing, "response", None)
    return list((response if response is not None else thing).components or [])


def text(thing: Any) -> str:
    """Every text display's content, one after another."""
    return "\n".join(
        node["content"] if isinstance(node, dict) else node.content
        for node in walk(components_of(thing))
        if _type(node) == TEXT_DISPLAY
    )


def labels(thing: Any) -> list[str]:
    return [
        node.get("label") if isinstance(node, dict) else node.label
        for node in walk(components_of(thing))
        if _type(node) == BUTTON
    ]


def media_urls(thing: Any) -> list[str]:
    urls = []
    for node in walk(components_of(thing)):
        if _type(node) == MEDIA_GALLERY:
            for item in node["items"] if isinstance(node, dict) else node.items:
                media = item["media"]["url"] if isinstance(item, dict) else item.media.url
                urls.append(media)
    return urls


def is_card(thing: Any) -> bool:
    comps = components_of(thing)
    return bool(comps) and _type(comps[0]) == CONTAINER


def count(thing: Any) -> int:
    return len(walk(components_of(thing)))
