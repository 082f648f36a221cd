"""How one feature tells the others that a conversation it ran has come to an end: one event.

A feature that runs something in a thread or channel (a debate, say) dispatches
``herbot_conversation_ended(channel_id)`` once its end is committed and announced; listeners
(``on_herbot_conversation_ended``) do what an end means to them, such as posting the
conversation's transcript. The core names no feature on either side: the event carries only
the channel.
"""

from __future__ import annotations

from typing import Protocol

ENDED = "herbot_conversation_ended"


class Dispatcher(Protocol):
    def dispatch(self, event_name: str, /, *args: object) -> None: ...


def ended(bot: Dispatcher, channel_id: int) -> None:
    """Tell every listener that the conversation in ``channel_id`` has ended."""
    bot.dispatch(ENDED, channel_id)
