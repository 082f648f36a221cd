"""Prometheus metrics of one running bot: what the core measures, and a door for features.

A :class:`Metrics` belongs to one bot (``bot.metrics``, made in ``Herbot.__init__``) and is
given to its database (``db.metrics``), so the code that only holds a ``Database`` or a
``Transaction`` (group commits, claims, the scheduler) counts into the same registry. Two
bots in one process (tests restart theirs) never share counters. One-shot commands
(``herbot ask``) make no bot and leave ``db.metrics`` None: nothing is measured, and
prometheus_client is not even imported by them.

Labels are bounded by the code, never by members: a command's name, a component's kind, a
claim's kind, an exception's class; never a guild, channel, user or error id (an error id is
one occurrence: it goes to the log line, ``bot/logs.py``; a key's kind is
``bot.claims.key_kind``). Features add theirs with
:meth:`Metrics.counter`, :meth:`Metrics.histogram` and :meth:`Metrics.gauge`, which give the
same metric again when a cog loads a second time. ``docs/metrics.md`` says what each means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

M = TypeVar("M", Counter, Gauge, Histogram)

# Discord gives an interaction 3 s to be acknowledged: the buckets are finest below that.
ACK_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
GROUP_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)
LAG_BUCKETS = (0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 60.0, 300.0)
SECONDS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """One bot's registry and the core's metrics (``docs/metrics.md``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._made: dict[str, Counter | Gauge | Histogram] = {}
        self._collectors: dict[str, Collector] = {}
        # process_resident_memory_bytes, process_cpu_seconds_total, open fds (Linux /proc)
        ProcessCollector(registry=self.registry)
        self.interactions = self.counter(
            "herbot_interactions",
            "Interactions handled, by kind, command (or component) and outcome",
            ("kind", "command", "outcome"),
        )
        self.ack_seconds = self.histogram(
            "herbot_interaction_ack_seconds",
            "From an interaction's arrival to Discord accepting its first response",
            ("kind",),
            buckets=ACK_BUCKETS,
        )
        self.errors = self.counter(
            "herbot_errors",
            "Unexpected errors answered with an error id, by command and exception class",
            ("command", "exception"),
        )
        self.transaction_seconds = self.histogram(
            "herbot_db_transaction_seconds",
            "A write transaction from BEGIN to COMMIT or ROLLBACK",
            ("outcome",),
            buckets=DB_BUCKETS,
        )
        self.write_wait_seconds = self.histogram(
            "herbot_db_write_wait_seconds",
            "How long a write transaction waited for this process's write turn",
            buckets=DB_BUCKETS,
        )
        self.group_size = self.histogram(
            "herbot_group_commit_size",
            "Items written in one group commit, by writer",
            ("writer",),
            buckets=GROUP_BUCKETS,
        )
        self.group_retries = self.counter(
            "herbot_group_commit_retries",
            "Groups written again item by item after their transaction failed",
            ("writer",),
        )
        self.claims = self.counter(
            "herbot_claims",
            "Claims on due work: taken (first attempt) or retaken (after a failure or a crash)",
            ("kind", "how"),
        )
        self.scheduler_lag = self.histogram(
            "herbot_scheduler_lag_seconds",
            "How late a timer ran after its due time",
            buckets=LAG_BUCKETS,
        )
        self.timer_failures = self.counter(
            "herbot_timer_failures",
            "Timer actions that raised (each is retried with backoff), by timer kind",
            ("kind",),
        )

    # ------------------------------------------------------------- features' door

    def counter(self, name: str, documentation: str, labels: Sequence[str] = ()) -> Counter:
        """The counter ``name`` (exposed as ``name_total``); the same one when asked again."""
        return self._get(Counter, name, documentation, labels)

    def histogram(
        self,
        name: str,
        documentation: str,
        labels: Sequence[str] = (),
        *,
        buckets: Sequence[float] = SECONDS_BUCKETS,
    ) -> Histogram:
        return self._get(Histogram, name, documentation, labels, buckets=tuple(buckets))

    def gauge(
        self,
        name: str,
        documentation: str,
        labels: Sequence[str] = (),
        *,
        read: Callable[[], float] | None = None,
    ) -> Gauge:
        """A gauge; with ``read`` (no labels) its value is read at every scrape, and a later
        call's ``read`` replaces the earlier one (the cog that owns the value reloaded)."""
        gauge = self._get(Gauge, name, documentation, labels)
        if read is not None:
            gauge.set_function(read)
        return gauge

    def collect(self, key: str, collector: Collector) -> None:
        """Register a collector read at scrape time; one per ``key`` (a new one replaces)."""
        old = self._collectors.pop(key, None)
        if old is not None:
            self.registry.unregister(old)
        self.registry.register(collector)
        self._collectors[key] = collector

    def _get(
        self,
        kind: type[M],
        name: str,
        documentation: str,
        labels: Sequence[str],
        **options: Any,
    ) -> M:
        found = self._made.get(name)
        if found is not None:
            if not isinstance(found, kind) or tuple(found._labelnames) != tuple(labels):
                raise ValueError(f"metric {name} exists already with another kind or labels")
            return found
        made = kind(name, documentation, tuple(labels), registry=self.registry, **options)
        self._made[name] = made
        return made

    # ------------------------------------------------------------------ scraping

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format (``/metrics``)."""
        return generate_latest(self.registry)


class Reading(Collector):
    """A gauge family whose samples are read at every scrape (``read`` gives label values and
    a value each): state that lives elsewhere, a pool's connections or a shard's latency."""

    def __init__(
        self,
        name: str,
        documentation: str,
        labels: Sequence[str],
        read: Callable[[], Iterable[tuple[Sequence[str], float]]],
    ) -> None:
        self.name, self.documentation, self.labels, self._read = name, documentation, labels, read

    def describe(self) -> Iterable[Metric]:
        yield GaugeMetricFamily(self.name, self.documentation, labels=list(self.labels))

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(self.name, self.documentation, labels=list(self.labels))
        for values, value in self._read():
            family.add_metric([str(v) for v in values], float(value))
        yield family


def samples(metrics: Metrics, name: str) -> Iterable[tuple[dict[str, str], float]]:
    """The current samples of ``name`` as (labels, value): tests and tools read them here."""
    for family in metrics.registry.collect():
        for sample in family.samples:
            if sample.name == name:
                yield dict(sample.labels), float(sample.value)
