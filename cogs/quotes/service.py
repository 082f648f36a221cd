"""What other features may use of the quote store, and nothing more.

Thread recording's *Save as quote* files a recorded message for review through here instead
of reaching into :mod:`cogs.quotes.review_store`. Writers take the caller's transaction.
"""

from __future__ import annotations

from cogs.quotes.review_store import AlreadySaved, Submission, submit_pending

__all__ = ["AlreadySaved", "Submission", "submit_pending"]
