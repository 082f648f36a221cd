"""What the bot measures of each interaction: its kind and name, when it was acknowledged, and
how it ended (``herbot_interactions_total``, ``herbot_interaction_ack_seconds``).

:func:`received` runs when discord.py dispatches the ``interaction`` event, synchronously
after parsing and before any task it created has run: it keeps an :class:`Observed` in the
interaction's ``extras`` and gives the interaction a response object that notes the moment
Discord accepted the first response (defer, message, modal, autocomplete choices): the
acknowledgement a member waits for, which Discord allows 3 seconds.

Each interaction is counted once, by the first of: a command's completion
(:func:`finished`, from the ``app_command_completion`` event) or its error (the tree's
``on_error``, :func:`bot.errors.report`); a persistent component's end in
:func:`bot.errors.guarded`; and, for what has no end of its own to report (autocomplete,
modal submissions, one-off buttons), its acknowledgement. Clicks the fast lane answers
(:mod:`bot.fastlane`) never become discord.py interactions: it calls :func:`fast_click`.

Names are bounded: a command's qualified name, a persistent component's ``what``
(:meth:`bot.components.Components.label`), otherwise the kind alone.
"""

from __future__ import annotations

import time
from typing import Any

import discord

from bot.metrics import Metrics

KEY = "herbot.observed"
KINDS = {
    discord.InteractionType.application_command: "command",
    discord.InteractionType.autocomplete: "autocomplete",
    discord.InteractionType.component: "component",
    discord.InteractionType.modal_submit: "modal",
}
OK, REFUSED, ERROR = "ok", "refused", "error"


def metrics_of(client: object) -> Metrics | None:
    found = getattr(client, "metrics", None)
    return found if isinstance(found, Metrics) else None


class Observed:
    """One interaction's measurement: counted once, acknowledged once."""

    __slots__ = ("acknowledged_at", "counted", "interaction", "kind", "metrics", "started")

    def __init__(self, metrics: Metrics, interaction: discord.Interaction, kind: str) -> None:
        self.metrics = metrics
        self.interaction = interaction
        self.kind = kind
        self.started = time.perf_counter()
        self.acknowledged_at: float | None = None
        self.counted = False

    def name(self) -> str:
        """The bounded name the counter uses for this interaction."""
        interaction = self.interaction
        if self.kind in ("command", "autocomplete"):
            command = interaction.command
            if command is None:
                return "unknown"
            qualified = command.qualified_name
            return (
                f"/{qualified}" if isinstance(command, discord.app_commands.Command) else qualified
            )
        if self.kind == "component":
            data: dict[str, Any] = dict(interaction.data or {})
            custom_id = str(data.get("custom_id", ""))
            label = _component_label(interaction.client, custom_id)
            return label or "component"
        return self.kind

    def acknowledged(self) -> None:
        if self.acknowledged_at is not None:
            return
        self.acknowledged_at = time.perf_counter()
        self.metrics.ack_seconds.labels(self.kind).observe(self.acknowledged_at - self.started)
        if self.kind in ("autocomplete", "modal") or (
            self.kind == "component" and self.name() == "component"
        ):  # nothing reports their end: the acknowledgement is it
            self.finish(OK)

    def finish(self, outcome: str) -> None:
        if self.counted:
            return
        self.counted = True
        self.metrics.interactions.labels(self.kind, self.name(), outcome).inc()


def _component_label(client: object, custom_id: str) -> str | None:
    components = getattr(client, "components", None)
    label = getattr(components, "label", None)
    return label(custom_id) if callable(label) else None


class _TimedResponse(discord.InteractionResponse[Any]):
    """discord.py's response object, noting when its first response was accepted.

    Every response method sets ``_response_type`` once Discord answered the callback
    request; this class turns that attribute into a property that tells :class:`Observed`.
    """

    __slots__ = ("_observed", "_type")

    def __init__(self, parent: discord.Interaction[Any], observed: Observed) -> None:
        self._observed = observed
        self._type: discord.InteractionResponseType | None = None
        super().__init__(parent)

    @property
    def _response_type(self) -> discord.InteractionResponseType | None:
        return self._type

    @_response_type.setter
    def _response_type(self, value: discord.InteractionResponseType | None) -> None:
        self._type = value
        if value is not None:
            self._observed.acknowledged()


def received(client: object, interaction: discord.Interaction[Any]) -> None:
    """Start observing ``interaction`` (before any of its handlers ran)."""
    metrics = metrics_of(client)
    kind = KINDS.get(interaction.type)
    if metrics is None or kind is None or KEY in interaction.extras:
        return
    observed = Observed(metrics, interaction, kind)
    interaction.extras[KEY] = observed
    interaction._cs_response = _TimedResponse(interaction, observed)  # type: ignore[attr-defined]


def _observed(interaction: object) -> Observed | None:
    found = (getattr(interaction, "extras", None) or {}).get(KEY)
    return found if isinstance(found, Observed) else None


def finished(interaction: discord.Interaction[Any], outcome: str) -> None:
    """``interaction`` ended with ``outcome`` (counted once, whoever reports it first)."""
    observed = _observed(interaction)
    if observed is not None:
        observed.finish(outcome)


def errored(interaction: discord.Interaction[Any], error: BaseException, outcome: str) -> None:
    """An error answered for ``interaction``: its outcome, and for an unexpected one
    ``herbot_errors_total`` by the interaction's name and the exception's class."""
    observed = _observed(interaction)
    if outcome == ERROR:
        metrics = metrics_of(getattr(interaction, "client", None))
        if metrics is not None:
            name = observed.name() if observed is not None else "unknown"
            metrics.errors.labels(name, type(error).__name__).inc()
    finished(interaction, outcome)


def fast_click(
    client: object, custom_id: str, started: float, outcome: str, error: BaseException | None
) -> None:
    """A click the fast lane answered: acknowledged now, ``started`` at its arrival."""
    metrics = metrics_of(client)
    if metrics is None:
        return
    name = _component_label(client, custom_id) or "component"
    metrics.ack_seconds.labels("component").observe(time.perf_counter() - started)
    metrics.interactions.labels("component", name, outcome).inc()
    if error is not None:
        metrics.errors.labels(name, type(error).__name__).inc()
