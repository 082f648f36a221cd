"""Components V2 cards: Discord's limits for them and the few builders every feature shares.

A card is a :class:`discord.ui.LayoutView` holding one accented Container: text displays
(Markdown), separators, a media gallery, and an action row of buttons. A V2 message has no
content and no embeds; Discord refuses one with more than 40 components (nested ones count)
or more than 4,000 characters of text across its text displays. Builders keep inside both
and :func:`check` says so in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord

CARD_COMPONENTS_MAX = 40
CARD_TEXT_LIMIT = 4000


def check(view: discord.ui.LayoutView) -> discord.ui.LayoutView:
    """``view`` unchanged if Discord would accept it; ValueError saying which limit otherwise."""
    count = view.total_children_count
    if count > CARD_COMPONENTS_MAX:
        raise ValueError(f"{count} components (Discord allows {CARD_COMPONENTS_MAX})")
    length = view.content_length()
    if length > CARD_TEXT_LIMIT:
        raise ValueError(f"{length} display characters (Discord allows {CARD_TEXT_LIMIT})")
    return view


def fitted(build: Callable[[float], discord.ui.LayoutView]) -> discord.ui.LayoutView:
    """The first of ``build(1.0)``, ``build(0.75)``… within the text limit.

    ``build(scale)`` cuts its long texts to ``scale`` times their usual length: long
    citations or questions leave less room for the passages, never a refused message.
    """
    scale = 1.0
    while True:
        view = build(scale)
        if view.content_length() <= CARD_TEXT_LIMIT or scale < 0.1:
            return check(view)
        scale *= 0.75


def card(
    *children: discord.ui.Item[discord.ui.LayoutView],
    colour: discord.Colour | None = None,
    buttons: list[discord.ui.Item[Any]] | None = None,  # DynamicItems: Item[View | LayoutView]
) -> discord.ui.LayoutView:
    """One accented container; the buttons, if any, in an action row at its foot."""
    items = list(children)
    if buttons:
        items.append(discord.ui.ActionRow(*buttons))
    view = discord.ui.LayoutView(timeout=None)
    view.add_item(discord.ui.Container(*items, accent_colour=colour))
    return view


def text(content: str) -> discord.ui.TextDisplay[discord.ui.LayoutView]:
    return discord.ui.TextDisplay(content)


def separator(*, visible: bool = True) -> discord.ui.Separator[discord.ui.LayoutView]:
    return discord.ui.Separator(visible=visible)


def gallery(*urls: str) -> discord.ui.MediaGallery[discord.ui.LayoutView]:
    return discord.ui.MediaGallery(*(discord.MediaGalleryItem(url) for url in urls))
