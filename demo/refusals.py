"""In the demo page, a polite refusal is a reply, not a failed action.

herbot answers a member's mistake ("No quote matches …", "Only moderators can do that …", a
removed quote's id) as discord.py intends: the command raises a ``UserError`` or a check
fails, and the command tree's error handler replies with the message, ephemerally
(``bot/errors.py``). simcord wraps that handler and records every error that reaches it in
``env.errors``; its Preview then marks the page action during which an error was recorded
as failed, however the bot answered (``simcord/preview/_actions.py``, ``_finish_action``:
"settled" becomes "failed", and the action "uncertain"). The page's status bar said "Action
outcome uncertain. It will not be retried." and its Inspector showed a red "The bot action
failed; inspect the local Env error log" under a correct refusal.

That record is what herbot's tests want (each one acknowledges the refusals it expects,
``tests/conftest.py``'s ``World.user_errors``); a person trying the demo would read it as a
crash. So the demo hands the errors the bot itself classes as the user's mistakes
(:func:`bot.errors.describe`) straight to the bot's own handler, past simcord's record;
anything unexpected still goes through it and shows as the failure it is.
"""

from __future__ import annotations

from typing import Any

from bot.errors import describe


def answer_refusals_as_replies(env: Any) -> None:
    """Route the user's mistakes around simcord's error record; call once the bot started."""
    tree = env.bot.tree
    recorded = tree.on_error  # simcord's recorder, around the bot's own handler
    answer = type(tree).on_error.__get__(tree)  # the bot's own handler: the refusal's reply

    async def on_error(interaction: Any, error: Exception) -> None:
        if describe(error) is not None:
            await answer(interaction, error)
        else:
            await recorded(interaction, error)

    tree.on_error = on_error
