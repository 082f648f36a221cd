"""Discord's native poll limits, checked before we ask Discord (a clear message, not a 400)."""

from __future__ import annotations

from dataclasses import dataclass

QUESTION_LIMIT = 300
ANSWER_LIMIT = 55
MAX_ANSWERS = 10
MAX_HOURS = 32 * 24  # 32 days


@dataclass(frozen=True, slots=True)
class QuickPoll:
    question: str
    answers: tuple[str, ...]
    hours: int


def validate(question: str, answers: list[str], hours: int) -> QuickPoll:
    question = question.strip()
    if not question:
        raise ValueError("Write a question.")
    if len(question) > QUESTION_LIMIT:
        raise ValueError(
            f"The question has {len(question)} characters; Discord polls allow {QUESTION_LIMIT}."
        )
    cleaned = [a.strip() for a in answers if a.strip()]
    if len(cleaned) < 2:
        raise ValueError("Give at least 2 answers, separated by ';' (e.g. Yes; No).")
    if len(cleaned) > MAX_ANSWERS:
        raise ValueError(f"You gave {len(cleaned)} answers; Discord polls allow {MAX_ANSWERS}.")
    long = [a for a in cleaned if len(a) > ANSWER_LIMIT]
    if long:
        raise ValueError(
            f"Answers may have at most {ANSWER_LIMIT} characters; this one has {len(long[0])}: "
            f"{long[0][:30]}…"
        )
    if len({a.casefold() for a in cleaned}) != len(cleaned):
        raise ValueError("Two answers are the same: make each answer different.")
    if not 1 <= hours <= MAX_HOURS:
        raise ValueError(
            f"The duration is in whole hours from 1 to {MAX_HOURS} (32 days); you gave {hours}."
        )
    return QuickPoll(question, tuple(cleaned), hours)
