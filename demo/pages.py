"""Keeping the demo page loadable however often it is reloaded.

simcord's Preview serves at most 16 pages per session and keeps each one for 10 minutes
after its last request (its lease). A page that goes away without telling the server (a
reload whose goodbye request is lost, a closed laptop, a crashed tab) keeps its place
until then, so about 16 reloads within 10 minutes used to leave the next load on an
"Unavailable channel" page. An open page asks for the channel's state twice a second,
so a page silent for :data:`IDLE_SECONDS` is gone (or a background tab, which gets a fresh
page when it is looked at again): when the session is nearly full, the demo releases those.

This reaches into the Preview's page table (``_pages``, ``_MAX_PAGES``,
``_PAGE_LEASE_SECONDS``, ``_prune_expired``): simcord offers no public way to shorten the
lease. ``tests/demo/test_demo_pages.py`` pins that behaviour, so an upgrade that changes
it fails there rather than in front of a visitor.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

IDLE_SECONDS = 20.0
HEADROOM = 2  # start releasing when fewer than this many page slots are left


def make_room(preview: Any) -> int:
    """Release pages idle for :data:`IDLE_SECONDS` when the session is nearly full.

    Returns how many were released. Does nothing (and returns 0) on a Preview without the
    page table this relies on.
    """
    pages = getattr(preview, "_pages", None)
    limit = getattr(preview, "_MAX_PAGES", None)
    prune = getattr(preview, "_prune_expired", None)
    if not isinstance(pages, dict) or not isinstance(limit, int) or prune is None:
        return 0
    if len(pages) < limit - HEADROOM:
        return 0
    before = len(pages)
    preview._PAGE_LEASE_SECONDS = IDLE_SECONDS  # this instance only, for this one pass
    try:
        prune()
    finally:
        del preview._PAGE_LEASE_SECONDS  # back to the class's 10 minutes
    released = before - len(pages)
    if released:
        log.info("released %d demo page(s) nobody has looked at for %.0f s", released, IDLE_SECONDS)
    return released
