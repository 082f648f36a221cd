"""What a question asks about, before ranking: its searchable terms and the names it uses.

A question is read once into a :class:`Question` (the typed text, its normalised and
alias-rewritten forms, its keyword query, focus and names), which the pipeline passes down.

Three things /ask decides from the question's words alone (no discord, no SQL here):

- **Searchable terms** (:func:`terms`): the words worth matching and highlighting. Mention
  syntax (``@here``, ``<@123>``, custom emoji), links, stop words and the fragments FTS5
  would cut from a possessive ("Johansson's" -> "johansson" and a stray "s") are dropped.
  A question with no word at all (punctuation, emoji, mentions only) is refused before
  searching (:func:`searchable`).
- **Aliases** (``aliases.toml`` beside this module): names a member may use for what the
  store calls otherwise ("Theo" for Theodore, "the OpenAI chief" for Sam Altman) are
  rewritten for both legs; words the store says differently ("profession" for "job",
  "picture" for "film") are added to the keyword leg.
- **Named things** (:func:`named`): runs of capitalised words ("Jurassic Park", "Steve
  Jobs", "Blade Runner 2049") the question names, and, typed in lower case, the well-known
  names near the domain listed in ``names.toml`` ("who directed ex machina"). If the store
  never mentions one of them (:func:`cogs.quotes.ask.lexical.mentioned` checks, phrase
  by phrase), /ask declines
  whatever the question's other words share with the store: "Who directed Jurassic Park?"
  shares "directed" with Spike Jonze's credits, but nothing in the store is about that film.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.fts import STOPWORDS

ALIASES_FILE = Path(__file__).with_name("aliases.toml")
NAMES_FILE = Path(__file__).with_name("names.toml")

# Discord mention syntax, custom emoji, links: never search terms.
_NOISE = re.compile(
    r"<(?:@[!&]?|#|/[^:>]+:)\d+>|<a?:\w+:\d+>|@(?:everyone|here)\b|https?://\S+|www\.\S+",
    re.IGNORECASE,
)
# A word: letters/digits joined by inner hyphens or apostrophes ("GPT-4o", "Theodore's").
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$|s['’]$|['’]$", re.IGNORECASE)
# Beyond bot.fts's stop words: contraction fragments and words that never say what about.
EXTRA_STOPWORDS = frozenset(
    """s t d ll m re ve don doesn didn isn wasn aren weren won wouldn couldn shouldn here
    please also just any some very much many one ones more most other such own really""".split()
)
NOT_TERMS = STOPWORDS | EXTRA_STOPWORDS

# Words that begin a question or a request: capitalised only because they come first.
_STARTERS = frozenset(
    """who what when where why how which whose whom is are was were do does did can could
    would should will shall has have had may might must in on at for from to of by with as
    according after before during describe explain tell list name give show summarise
    summarize compare quote find i if so and but or the a an then besides apart other
    besides since while whether""".split()
)
# Capitalised in English but not names of a work, person or organisation: nationalities,
# languages, days and months ("Which Chinese city ...", "in June"). Places stay names: the
# store mentions the ones it is about, and "the capital of France" is not among them.
_NOT_NAMES = frozenset(
    """american british english chinese japanese french german italian spanish korean indian
    canadian australian european asian african russian irish scottish swedish danish dutch
    mexican brazilian western eastern monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    """.split()
)
# "AI-written", "Samantha-type AI": a lower-case part after a hyphen ends the name there.
_LOWER_SUFFIX = re.compile(r"(?<=\w)-(?=[a-z])")
# Lower-case words allowed inside a name ("Guardians of the Galaxy", "Beauty and the Beast").
_CONNECTORS = frozenset({"of", "the", "and", "&", "de", "la", "von", "van", "der", "a"})
# Abbreviations that are jargon, not names of a work, person or organisation ("doing OK",
# "an AR game", "the DP"). Other capitals stay names: "NBA", "HBO" are organisations.
_JARGON = frozenset(
    """ok okay ai ar vr xr dp tv pc os id pr ceo cto cfo faq diy lol imo btw fyi tldr am pm
    usb gps api ui ux dm dms""".split()
)
_SENTENCE_END = re.compile(r"[.!?;:\"“”(\[]\s*$")

# Requests for instructions, a computation or a piece of writing ("How do I ...", "Give me a
# recipe", "Write a Python function", "What is 17 times 23?"). The store holds what a film
# and two articles say, never how to do things: /ask declines these whatever words they share
# with a passage ("How do I write a cover letter" and Theodore's letters).
_REQUEST = re.compile(
    r"^\W*(?:how\s+(?:do|can|should|would)\s+(?:i|you|we)\b"
    r"|(?:please\s+)?(?:give|tell)\s+me\s+(?:a|an|some|the\s+best)\b"
    r"|(?:please\s+)?write\s+(?:me\s+)?(?:a|an|some)\b"
    r"|can\s+you\s+(?:suggest|write|recommend|make|help|teach)\b"
    r"|(?:what\s+is|what's|whats|calculate)\s+\d[\d.,]*\s*"
    r"(?:times|plus|minus|divided\s+by|multiplied\s+by|x|\*|\+|-|/)\s*\d)",
    re.IGNORECASE,
)
# Questions that take something for granted: "Why did X do Y?", "What happens when X meets
# Y?", "How did X help make Y?", "What did the court rule when ...?". When such a question says
# something no passage ever says (a word the store never uses), the premise is not supported:
# /ask answers with what the store does say, under a plain note, rather than as if it held.
_PRESUPPOSES = re.compile(
    r"^\W*(?:why\b|how\s+did\b|what\s+happens\s+when\b|what\s+did\b.*\bwhen\b)",
    re.IGNORECASE,
)
# Words that say how something is asked, not what is claimed: never evidence of a premise.
ASKING_WORDS = frozenset(
    """happen happens happened happening mean means meant meaning think thinks thought say
    says said exactly actually particular particularly really basically ever finally last
    first still even kind sort thing things up out""".split()
)


# Words about the sources rather than what they say ("what does the author say about ...").
SOURCE_WORDS = frozenset(
    """article articles author writer piece essay review film films movie movies story bring
    brings mention mentions mentioned talk talks discuss discusses refer refers compare
    compares quote quotes describe describes show shows""".split()
)


def request(text: str) -> bool:
    """Whether ``text`` asks for instructions, a sum or a piece of writing (see _REQUEST)."""
    return bool(_REQUEST.match(text))


def presupposes(text: str) -> bool:
    """Whether ``text`` is a question that takes something for granted (see _PRESUPPOSES)."""
    return bool(_PRESUPPOSES.match(text))


def without_words(text: str, words: list[str]) -> str:
    """``text`` without the words whose parts include one of ``words`` (lower-case terms)."""
    drop = set(words)
    kept = [
        w
        for w in text.split()
        if not drop
        & {p for p in re.split(r"[-'’]", _POSSESSIVE.sub("", w.strip('?!.,;:"“”()')).casefold())}
    ]
    return " ".join(kept)


# Common verbs that name no topic ("get", "make"): left out of the note's "what it says about".
_LIGHT_VERBS = frozenset(
    """get gets got getting make makes made making go goes went going have has having take
    takes took give gives gave use uses used help helps helped come comes came""".split()
)


def premise_note(unsupported: list[str], known: list[str]) -> str:
    """The plain note over an answer whose premise the store never supports."""
    words = ", ".join(f"“{w}”" for w in unsupported[:3])
    about = ", ".join([w for w in known if w not in _LIGHT_VERBS][:3]) or "that"
    return (
        f"The store doesn't say that (nothing in it mentions {words}); "
        f"here is what it says about {about}."
    )


@dataclass(frozen=True, slots=True)
class Aliases:
    names: dict[str, str]  # lower-case phrase -> the store's name (rewritten, both legs)
    words: dict[str, tuple[str, ...]]  # lower-case word -> extra keyword-leg words

    def rewrite(self, question: str) -> str:
        """``question`` with each name alias replaced by the store's name."""
        for alias in sorted(self.names, key=len, reverse=True):
            pattern = r"(?<![\w-])" + re.escape(alias) + r"(?![\w-])"
            question = re.sub(pattern, self.names[alias], question, flags=re.IGNORECASE)
        return question

    def known(self, phrase: str) -> bool:
        low = phrase.casefold()
        return low in self.names or any(low == v.casefold() for v in self.names.values())


@cache
def aliases(path: Path = ALIASES_FILE) -> Aliases:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    names = {k.casefold(): v for k, v in data.get("names", {}).items()}
    words = {k.casefold(): tuple(v) for k, v in data.get("words", {}).items()}
    return Aliases(names, words)


def strip_noise(question: str) -> str:
    return _NOISE.sub(" ", question)


def searchable(question: str) -> bool:
    """Whether the question has any word once mentions, emoji and links are removed."""
    return bool(_WORD.search(strip_noise(question)))


def _words(text: str) -> list[str]:
    return [_POSSESSIVE.sub("", w) for w in _WORD.findall(text)]


def terms(question: str) -> list[str]:
    """The question's searchable words, lower-case, in order, once each (may be empty)."""
    out: list[str] = []
    for word in _words(strip_noise(question)):
        for part in re.split(r"[-'’]", word.casefold()):
            if part and part not in NOT_TERMS and (len(part) > 1 or part.isdigit()):
                out.append(part)
    return list(dict.fromkeys(out))


# "Who is Catherine?", "Who plays Samantha?": a question asking who someone is in the film.
_IDENTITY = re.compile(
    r"^\s*who\s+(?:is|was|plays|played|voices|voiced|portrays|portrayed)\s+"
    r"(?P<who>[^?!.]+?)[\s?!.]*$",
    re.IGNORECASE,
)
# Words that ask for a headline or a title rather than what a text says.
_TITLE_WORDS = frozenset({"title", "titled", "headline", "called", "named"})


@dataclass(frozen=True, slots=True)
class Focus:
    """What the head of the ranking should lead with, read from the question's shape.

    ``subject``: the tag of the one a "who is / plays / voices X" question asks about
    ("samantha"); the cast entry tagged with it answers that question, a line spoken by X or
    a passage that merely mentions X does not. ``wants_title``: the question asks for a
    headline; otherwise a headline (tagged "title") never leads, since it restates the
    question's words without answering them.
    """

    subject: str | None = None
    wants_title: bool = False

    def bonus(self, tags: tuple[str, ...]) -> float:
        return 1.0 if self.subject and self.subject in tags and "cast" in tags else 0.0

    def demotes(self, tags: tuple[str, ...]) -> bool:
        return not self.wants_title and "title" in tags


def focus(rewritten: str) -> Focus:
    """The :class:`Focus` of a question, its name aliases rewritten ("Theo" is Theodore)."""
    match = _IDENTITY.match(rewritten)
    subject = "-".join(terms(match["who"])) if match else ""
    return Focus(subject or None, bool(_TITLE_WORDS & set(terms(rewritten))))


@dataclass(frozen=True, slots=True)
class Question:
    """A question as the pipeline reads it, parsed once (:meth:`parse`) and passed down.

    ``raw``: as typed (the names it uses are read from this, capitals and all).
    ``text``: mentions, emoji and links removed, white space folded. ``rewritten``: ``text``
    with name aliases replaced by the store's names; what the meaning leg encodes.
    ``terms``: the searchable words of ``rewritten``; a passage's coverage counts them.
    ``keywords``: what the keyword leg searches and highlights: ``terms`` plus their alias
    words. ``focus``, ``names``: see :func:`focus` and :func:`named`.
    """

    raw: str
    text: str
    rewritten: str
    terms: tuple[str, ...]
    keywords: str
    focus: Focus
    names: tuple[str, ...]
    request: bool = False  # asks for instructions, a sum or writing: declined (:func:`request`)
    presupposes: bool = False  # takes something for granted (:func:`presupposes`)

    @classmethod
    def parse(cls, raw: str) -> Question:
        table = aliases()
        text = " ".join(strip_noise(raw).split())
        rewritten = table.rewrite(text)
        found = terms(rewritten)
        extra = [w.casefold() for t in found for w in table.words.get(t, ())]
        return cls(
            raw=raw,
            text=text,
            rewritten=rewritten,
            terms=tuple(found),
            keywords=" ".join(dict.fromkeys(found + extra)),
            focus=focus(rewritten),
            names=tuple(named(raw)),
            request=request(text),
            presupposes=presupposes(text),
        )


def named(question: str) -> list[str]:
    """Capitalised names in ``question`` ("Jurassic Park", "Steve Jobs"), possessives cut.

    A capitalised word that only starts a sentence ("Describe ...", "Theodore's job?") is
    not taken for a name unless another capitalised word follows it: without a dictionary
    there is no telling "Describe" from "Nolan", and a false name would decline a good
    question.
    """
    text = _LOWER_SUFFIX.sub(" ", strip_noise(question))
    runs: list[list[str]] = []
    current: list[str] = []
    pending: list[str] = []  # connectors seen after a capitalised word
    starts_sentence = True
    first_of_run_starts = False
    first_flags: list[bool] = []
    for match in _WORD.finditer(text):
        raw = match.group(0)
        word = _POSSESSIVE.sub("", raw)
        at_start = starts_sentence
        before = text[: match.start()]
        starts_sentence = False
        capital = any(c.isupper() for c in word) and not (at_start and word.casefold() in _STARTERS)
        if capital and (word.casefold() == "i" or word.casefold() in _NOT_NAMES):
            capital = False
        if current and not pending and word.isdigit():  # "Blade Runner 2049"
            capital = True
        if capital:
            if not current:
                first_of_run_starts = at_start
            current.extend(pending)
            pending = []
            current.append(word)
            if word != raw:  # a possessive ends the name: "Jonze's Her" is two names
                runs.append(current)
                first_flags.append(first_of_run_starts)
                current = []
        elif current and word.casefold() in _CONNECTORS and not _SENTENCE_END.search(before):
            pending.append(word)
        else:
            if current:
                runs.append(current)
                first_flags.append(first_of_run_starts)
            current, pending = [], []
        end = text[match.end() : match.end() + 2]
        if end[:1] == "," and current:  # "Paul, Theodore's coworker": two names
            runs.append(current)
            first_flags.append(first_of_run_starts)
            current, pending = [], []
        if end[:1] in {".", "!", "?", ";", ":"}:
            if current:
                runs.append(current)
                first_flags.append(first_of_run_starts)
            current, pending = [], []
            starts_sentence = True
    if current:
        runs.append(current)
        first_flags.append(first_of_run_starts)
    names = []
    for run, sentence_start in zip(runs, first_flags, strict=True):
        if len(run) == 1 and (sentence_start or run[0].casefold() in _JARGON):
            continue
        names.append(" ".join(run))
    seen = " | ".join(names).casefold()
    names += [n for n in listed_names(text) if n not in seen]
    return list(dict.fromkeys(names))


@cache
def _listed(path: Path = NAMES_FILE) -> re.Pattern[str] | None:
    """One pattern for every name and record kind in ``names.toml`` (longest first), or None."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError:
        return None
    groups = [*data.get("names", {}).values(), data.get("records", {}).get("kinds", [])]
    phrases = {n.casefold().strip() for group in groups for n in group}
    phrases.discard("")
    if not phrases:
        return None
    body = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(r"(?<![\w-])(?:" + body + r")(?![\w-])")


def listed_names(text: str) -> list[str]:
    """The ``names.toml`` names ``text`` uses in any case ("zuckerberg", "ex machina").

    Members often type in lower case, where capitals cannot tell a name. The list is broad on
    purpose: a listed name the store does mention is known like any other, so only names of
    works, people and organisations the store never mentions make /ask decline.
    """
    pattern = _listed()
    if pattern is None:
        return []
    return list(dict.fromkeys(m.group(0) for m in pattern.finditer(text.casefold())))


def known_if(name: str) -> tuple[bool, list[str]]:
    """How to tell a name is mentioned: (``any``, phrases), one phrase per way to write it.

    The whole name always counts. Besides: a name with connectors is known when each part
    is ("CEO of OpenAI": "CEO" and "OpenAI"), and a name of three words or more when it is
    known without its first or its last word ("Alan Watts OS": "Alan Watts").
    Returns (False, parts) for "all of these", (True, forms) for "any of these".
    """
    words = name.split()
    if any(w.casefold() in _CONNECTORS for w in words):
        out: list[str] = []
        current: list[str] = []
        for word in words:
            if word.casefold() in _CONNECTORS:
                if current:
                    out.append(" ".join(current))
                current = []
            else:
                current.append(word)
        if current:
            out.append(" ".join(current))
        return False, out
    if len(words) >= 3:
        return True, [name, " ".join(words[:-1]), " ".join(words[1:])]
    return True, [name]


def phrase_tokens(name: str) -> list[str]:
    """The FTS tokens of a name, for a phrase query (stop words kept: they are in the text)."""
    return [t.casefold() for t in re.findall(r"\w+", name)]
