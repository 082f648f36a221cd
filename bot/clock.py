"""The one stored-timestamp format: fixed-width ISO UTC text (6 fraction digits), so
comparing text compares time on both engines. A naive datetime is taken as UTC.

(``guild_settings.updated_at`` and the quote store's review stamps keep their older
3-digit width: rows already written with it must keep sorting among themselves.)
"""

from __future__ import annotations

from datetime import UTC, datetime

FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(FORMAT)


def parse(text: str) -> datetime:
    return datetime.strptime(text, FORMAT).replace(tzinfo=UTC)
