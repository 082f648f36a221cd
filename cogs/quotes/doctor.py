"""What ``herbot doctor`` checks of quotes and /ask: the settings, the curated files, the
MiniLM model files and the vectors shipped for the curated store.

Offline and read-only: the model's weights are hashed against the published SHA-256 (about
a second), nothing is encoded and the database is not opened.
"""

from __future__ import annotations

from bot.config import Settings
from bot.doctor import Finding, config_problem, note, ok, problem
from bot.presentation import plural
from cogs.quotes import curated
from cogs.quotes.config import QuotesConfig


def doctor(settings: Settings) -> list[Finding]:
    found = config_problem("settings", lambda: QuotesConfig.from_settings(settings))
    if found:
        return found
    config = QuotesConfig.from_settings(settings)
    found += _curated(config)
    found += _model()
    if config.curated_dir.is_dir():
        found += _vectors(config)
    return found


def _curated(config: QuotesConfig) -> list[Finding]:
    where = config.curated_dir
    if not where.is_dir():
        return [
            problem(
                "curated quotes",
                f"no directory {where}: set [quotes] curated_dir to the curated files "
                "(the store would start empty)",
            )
        ]
    loaded = curated.load(where, max_text=config.max_text_length)
    if loaded.problems:
        return [
            problem(
                "curated quotes",
                f"{plural(len(loaded.problems), 'problem')} in {where} (the first: "
                f"{loaded.problems[0]}): `herbot quotes validate` lists them all",
            )
        ]
    return [ok("curated quotes", f"{plural(len(loaded.quotes), 'quote')} in {where}")]


def _model() -> list[Finding]:
    from cogs.quotes.ask import adapter
    from cogs.quotes.ask.embedder import (
        ACCELERATE_HINT,
        MODEL_ID,
        ModelUnavailable,
        verified_files,
    )

    try:
        weights, _ = verified_files()
    except ModelUnavailable as exc:
        return [problem("/ask model", f"{exc}: until then /ask ranks by words only")]
    try:
        found = adapter.load()
    except (OSError, KeyError, ValueError) as exc:
        return [problem("/ask model", f"the domain adapter does not load ({exc}): reinstall")]
    lines = [
        ok(
            "/ask model",
            f"{MODEL_ID} weights verified ({weights.parent})"
            + (f", domain adapter {found.tag}" if found is not None else ""),
        )
    ]
    try:
        from cogs.quotes.ask.onnx_encoder import onnxruntime

        onnxruntime()
    except ImportError:
        lines.append(note("/ask model", f"encodes with numpy; faster with {ACCELERATE_HINT}"))
    return lines


def _vectors(config: QuotesConfig) -> list[Finding]:
    from cogs.quotes.ask import prebuilt

    stale = prebuilt.problems(config.curated_dir)
    if not stale:
        return [ok("/ask vectors", "the shipped vectors fit the curated store and the model")]
    missing = prebuilt.load() is None
    unusable = missing or any(s.startswith("made with another model") for s in stale)
    if unusable:
        return [
            problem(
                "/ask vectors",
                f"{'; '.join(stale)}: reinstall herbot, or rebuild them with "
                "`python -m cogs.quotes.ask.prebuilt` (until then the first start "
                "encodes every curated passage, a minute or more)",
            )
        ]
    return [
        note(
            "/ask vectors",
            f"{'; '.join(stale)}: herbot encodes what is missing once, at its first start",
        )
    ]
