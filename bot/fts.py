"""Safe full-text query building from arbitrary user text: SQLite FTS5 and PostgreSQL.

User text is never passed raw into ``MATCH``: quotes, ``-``, ``:``, ``AND``, ``*`` or ``?``
would be read as FTS5 syntax and either raise or change the meaning. We keep only word
tokens, wrap each in double quotes (a string in FTS5, so ``AND`` stays a word) and join
them ourselves. PostgreSQL gets the same words as a ``to_tsquery`` string (:func:`ts_query`).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+", re.UNICODE)

# Words too common to help ranking; dropped unless the query has nothing else.
STOPWORDS = frozenset(
    """a about an and are as at be but by can could did do does for from had has have he her
    hers him his how i if in into is it its me my of on or our she so than that the their them
    then there these they this those to us was we were what when where which who whom whose why
    will with would you your""".split()
)


def tokens(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Lower-cased word tokens of ``text``, stopwords dropped unless nothing else is left."""
    words = [w.lower() for w in _TOKEN.findall(text)]
    if keep_stopwords:
        return words
    content = [w for w in words if w not in STOPWORDS]
    return content or words


def _quoted(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def match_query(text: str, *, prefix_last: bool = False, operator: str = "OR") -> str | None:
    """An FTS5 MATCH expression for ``text``, or None when it has no searchable word.

    ``prefix_last`` makes the last token a prefix query (for autocomplete as the user types).
    """
    if operator not in {"OR", "AND"}:
        raise ValueError("operator must be OR or AND")
    words = list(dict.fromkeys(tokens(text)))[:32]  # dedupe, bound the query size
    if not words:
        return None
    parts = [_quoted(w) for w in words]
    if prefix_last and _TOKEN.fullmatch(words[-1]) and text[-1:].isalnum():
        parts[-1] = parts[-1] + "*"
    return f" {operator} ".join(parts)


def ts_query(text: str, *, prefix_last: bool = False, operator: str = "OR") -> str | None:
    """The same query as :func:`match_query` for PostgreSQL's ``to_tsquery``, or None.

    Each word is a quoted lexeme (``'word'``: no tsquery operator survives), joined by ``|``
    or ``&``; ``prefix_last`` adds ``:*`` to the last one.
    """
    if operator not in {"OR", "AND"}:
        raise ValueError("operator must be OR or AND")
    words = list(dict.fromkeys(tokens(text)))[:32]
    if not words:
        return None
    parts = ["'" + w.replace("'", "''") + "'" for w in words]
    if prefix_last and _TOKEN.fullmatch(words[-1]) and text[-1:].isalnum():
        parts[-1] = parts[-1] + ":*"
    return (" | " if operator == "OR" else " & ").join(parts)
