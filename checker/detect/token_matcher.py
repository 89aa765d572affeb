"""spaCy's token ``Matcher``, replayed from only the tokens where a pattern can start.

Why: spaCy's ``Matcher`` starts every pattern at every token and pays for it in Python-level
predicates (each ``IN`` list is a Python call per token) and in a per-state loop that is not
fully compiled. With a few hundred rule patterns that made the pattern rules about half the
time of a whole check. Almost every pattern's first token needs one of a few literal words, so
a pattern can only start where one of those words is; everywhere else its state dies at once
and leaves no trace. ``TokenMatcher`` indexes the first token's words, starts each pattern only
where it can, and then runs the very same state machine as ``spacy/matcher/matcher.pyx``
(``find_matches``, ``transition_states``, ``get_action``, ``finish_states``) in Python.

The output is the same list, in the same order, as ``Matcher(vocab)(doc)`` would return. The
order matters: the rule engine keeps the first match of each rule it sees, and the order of
rules decides ties later on. Same order holds because a state's fate and its place relative to
another state depend only on the two states' own histories, never on the states of patterns
that could not start. ``tests/test_token_matcher.py`` checks this against spaCy on thousands
of texts.

Only the pattern features the rule files use are replayed: ``LOWER``, ``LEMMA``, ``TEXT``/
``ORTH`` and ``NORM`` with a string, ``IN``, ``NOT_IN`` or ``REGEX``; the lexical flags
(``IS_ALPHA``, ``LIKE_NUM``...) with a boolean; the empty token ``{}``; and every ``OP``
(``?``, ``*``, ``+``, ``!``, ``{n,m}``). A pattern with anything else makes the whole matcher
hand over to spaCy's own ``Matcher`` (correct, just slower), and says so in the log.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from spacy.attrs import IDS
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

log = logging.getLogger(__name__)

# Quantifiers, as in spaCy's matcher.pxd (the values only need to be distinct).
ZERO, ZERO_ONE, ZERO_PLUS, ONE, FINAL = 0, 1, 2, 3, 5
# Actions, as in spaCy's matcher.pxd.
REJECT, MATCH, ADVANCE, RETRY, RETRY_EXTEND, RETRY_ADVANCE = 0, 1, 2, 3, 4, 5
MATCH_EXTEND, MATCH_REJECT, MATCH_DOUBLE = 6, 7, 8
_RETRIES = (RETRY, RETRY_EXTEND, RETRY_ADVANCE)

STRING_ATTRS = ("ORTH", "LOWER", "LEMMA", "NORM")
FLAG_ATTRS = ("IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT",
              "IS_SPACE", "IS_STOP", "IS_CURRENCY", "IS_BRACKET", "IS_QUOTE", "IS_LEFT_PUNCT",
              "IS_RIGHT_PUNCT", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL")
_OPS = {"*": (ZERO_PLUS,), "+": (ONE, ZERO_PLUS), "?": (ZERO_ONE,), "1": (ONE,), "!": (ZERO,)}

# A condition on one token: (column, kind, value). Columns index Doc.to_array(columns).
EQ, IN, NOT_IN, REGEX = 0, 1, 2, 3


class Unsupported(ValueError):
    """A pattern uses a feature the replay does not implement; spaCy's Matcher takes over."""


def _operators(op: Any) -> tuple[int, ...]:
    """spaCy's ``_get_operators``: one token spec becomes one or more quantified nodes."""
    if op is None:
        return (ONE,)
    if op in _OPS:
        return _OPS[op]
    if isinstance(op, str) and op.startswith("{") and op.endswith("}"):
        min_max = op[1:-1] if "," in op else f"{op[1:-1]},{op[1:-1]}"
        n, m = min_max.split(",")
        if (not n.isdecimal() and not m.isdecimal()) or (
                n.isdecimal() and m.isdecimal() and int(n) > int(m)):
            raise Unsupported(f"operator {op!r}")
        head = (ONE,) * int(n or 0)
        tail = (ZERO_ONE,) * (int(m) - int(n or 0)) if m else (ZERO_PLUS,)
        return head + tail
    raise Unsupported(f"operator {op!r}")


class TokenMatcher:
    """A drop-in for ``spacy.matcher.Matcher`` over the patterns the rule files use."""

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab
        self._patterns: list[tuple[int, list[tuple[int, tuple, bool]]]] = []  # (key, nodes)
        self._columns: list[str] = []
        self._specs: list[tuple[str, list[list[dict[str, Any]]]]] = []
        self._fallback: Matcher | None = None
        self._compiled = False

    def __len__(self) -> int:
        return len(self._specs)

    def add(self, key: str, patterns: list[list[dict[str, Any]]]) -> None:
        """Add patterns under ``key``; the same call order gives the same match order."""
        self._specs.append((key, patterns))
        self._compiled = False

    # -- compiling -------------------------------------------------------------------------

    def _column(self, attr: str) -> int:
        if attr not in self._columns:
            self._columns.append(attr)
        return self._columns.index(attr)

    def _conditions(self, spec: dict[str, Any]) -> tuple:
        strings = self.vocab.strings
        conditions = []
        for raw_attr, value in spec.items():
            attr = raw_attr.upper() if isinstance(raw_attr, str) else raw_attr
            if attr == "OP":
                continue
            if attr == "TEXT":
                attr = "ORTH"
            if attr in FLAG_ATTRS:
                if not isinstance(value, bool):
                    raise Unsupported(f"{attr} with {value!r}")
                conditions.append((self._column(attr), EQ, int(value)))
            elif attr in STRING_ATTRS:
                column = self._column(attr)
                if isinstance(value, str):
                    conditions.append((column, EQ, strings.add(value)))
                elif isinstance(value, dict):
                    for predicate, arg in value.items():
                        if predicate in ("IN", "NOT_IN"):
                            if not isinstance(arg, list) or not all(isinstance(v, str) for v in arg):
                                raise Unsupported(f"{attr} {predicate} with non-strings")
                            ids = frozenset(strings.add(v) for v in arg)
                            conditions.append((column, IN if predicate == "IN" else NOT_IN, ids))
                        elif predicate == "REGEX" and isinstance(arg, str):
                            conditions.append((column, REGEX, (re.compile(arg), {})))
                        else:
                            raise Unsupported(f"{attr} {predicate}")
                else:
                    raise Unsupported(f"{attr} with {value!r}")
            else:
                raise Unsupported(f"attribute {raw_attr!r}")
        return tuple(conditions)

    def compile(self) -> None:
        """Compile the patterns now (else on first use); unsupported ones hand over to spaCy."""
        self._patterns, self._columns = [], []
        self._fallback = None
        try:
            for key, patterns in self._specs:
                key_id = self.vocab.strings.add(key)
                for pattern in patterns:
                    nodes: list[Any] = []
                    for spec in pattern:
                        if not isinstance(spec, dict):
                            raise Unsupported("a token spec that is not a mapping")
                        ops = next((v for k, v in spec.items()
                                    if isinstance(k, str) and k.upper() == "OP"), None)
                        conditions = self._conditions(spec)
                        nodes.extend((q, conditions) for q in _operators(ops))
                    nodes.append((FINAL, ()))
                    # Each node also says whether the next one is the end (spaCy's is_final).
                    nodes = [(q, c, k + 1 < len(nodes) and nodes[k + 1][0] == FINAL)
                             for k, (q, c) in enumerate(nodes)]
                    self._patterns.append((key_id, nodes))
        except Unsupported as exc:
            log.info("token patterns use %s; using spaCy's Matcher for all of them", exc)
            self._fallback = Matcher(self.vocab)
            for key, patterns in self._specs:
                self._fallback.add(key, patterns)
        self._attr_ids = [IDS[a] for a in self._columns]
        self._index_starts()
        self._compiled = True

    def _index_starts(self) -> None:
        """Where each pattern may start: the words (or flags) its first token needs.

        A pattern whose first token names a word, a list of words or a flag is looked up by
        that value; the rest of its first token, if any, is tested where the value occurs. One
        whose first token is optional can start anywhere.
        """
        self._triggers: dict[int, dict[int, list[int]]] = {}   # column -> value -> patterns
        self._rest: dict[int, tuple] = {}  # pattern -> first-token conditions still to test
        self._second: dict[int, tuple] = {}  # pattern -> what its required second token needs
        self._scan: list[int] = []         # first token has no value to look up: test everywhere
        self._always: list[int] = []       # first token is optional: start everywhere
        for j, (_key, nodes) in enumerate(self._patterns):
            quantifier, conditions, _final = nodes[0]
            if quantifier != ONE:
                self._always.append(j)
                continue
            literal = next((c for c in conditions if c[1] in (EQ, IN)), None)
            if literal is None:
                self._scan.append(j)
                continue
            column, kind, value = literal
            rest = tuple(c for c in conditions if c is not literal)
            if rest:
                self._rest[j] = rest
            # A pattern whose first two tokens are both required dies without a trace at the
            # second token when that token does not fit, so it need not start at all.
            second_quantifier, second_conditions, _ = nodes[1]
            if not nodes[0][2] and second_quantifier == ONE and second_conditions:
                self._second[j] = second_conditions
            values = self._triggers.setdefault(column, {})
            for word in ((value,) if kind == EQ else value):
                values.setdefault(word, []).append(j)

    # -- matching --------------------------------------------------------------------------

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        if not self._compiled:
            self.compile()
        if self._fallback is not None:
            return self._fallback(doc)
        length = len(doc)
        if length == 0 or not self._patterns:
            return []
        array = doc.to_array(self._attr_ids)
        cols = array.T.tolist() if array.ndim == 2 else [array.tolist()]
        starts = self._starts(cols, length)
        return self._find_matches(cols, length, starts)

    def _starts(self, cols: list[list[int]], length: int) -> dict[int, list[int]]:
        """Token index -> the patterns (in the order they were added) that can start there."""
        test, rest = self._test, self._rest
        by_position: dict[int, list[int]] = {}
        for column, words in self._triggers.items():
            values = cols[column]
            present = words.keys() & set(values)  # most columns have few of the words, or none
            if not present:
                continue
            for i in range(length):
                if values[i] in present:
                    by_position.setdefault(i, []).extend(words[values[i]])
        for j in self._scan:
            conditions = self._patterns[j][1][0][1]
            for i in range(length):
                if test(conditions, cols, i):
                    by_position.setdefault(i, []).append(j)
        starts: dict[int, list[int]] = {}
        second = self._second
        for i, candidates in by_position.items():
            chosen = [j for j in candidates if (j not in rest or test(rest[j], cols, i))
                      and (j not in second or (i + 1 < length and test(second[j], cols, i + 1)))]
            if chosen:
                starts[i] = sorted(set(chosen)) if len(chosen) > 1 else chosen
        if self._always:
            for i in range(length):
                starts[i] = sorted(set(starts.get(i, ())) | set(self._always))
        return starts

    def _test(self, conditions: tuple, cols: list[list[int]], i: int) -> bool:
        for column, kind, value in conditions:
            v = cols[column][i]
            if kind == EQ:
                if v != value:
                    return False
            elif kind == IN:
                if v not in value:
                    return False
            elif kind == NOT_IN:
                if v in value:
                    return False
            else:  # REGEX, remembered per string: the same words come back in every text
                regex, seen = value
                found = seen.get(v)
                if found is None:
                    found = seen[v] = bool(regex.search(self.vocab.strings[v]))
                    if len(seen) > 100_000:
                        seen.clear()
                if not found:
                    return False
        return True

    def _find_matches(self, cols: list[list[int]], length: int, starts: dict[int, list[int]]
                      ) -> list[tuple[int, int, int]]:
        """spaCy's ``find_matches`` and ``transition_states``, state for state."""
        patterns = self._patterns
        test = self._test

        def action_at(node: tuple[int, tuple, bool], i: int) -> int:
            """spaCy's ``get_action``: what a state at ``node`` does with token ``i``."""
            quantifier, conditions, is_final = node
            is_match = test(conditions, cols, i) if conditions else True
            if quantifier == ZERO:
                is_match = not is_match
                quantifier = ONE
            if quantifier == ONE:
                if is_match:
                    return MATCH if is_final else ADVANCE
                return REJECT
            if quantifier == ZERO_PLUS:
                if is_match:
                    return MATCH_EXTEND if is_final else RETRY_EXTEND
                return MATCH_REJECT if is_final else RETRY
            if is_match:  # ZERO_ONE
                return MATCH_DOUBLE if is_final else RETRY_ADVANCE
            return MATCH_REJECT if is_final else RETRY

        # A state is [pattern index, node index, start, length], as PatternStateC.
        states: list[list[int]] = []
        matches: list[tuple[int, int, int]] = []
        positions = sorted(starts)
        next_start = 0
        i = positions[0] if positions else length
        while i < length:
            for j in starts.get(i, ()):
                states.append([j, 0, i, 0])
            q = 0
            new_states: list[list[int]] = []
            for state in states:
                j, p, start, size = state
                nodes = patterns[j][1]
                action = action_at(nodes[p], i)
                if action == REJECT:
                    continue
                states[q] = state
                while action in _RETRIES:
                    if action == RETRY_EXTEND:
                        new_states.append([j, state[1], start, size + 1])
                    elif action == RETRY_ADVANCE:
                        new_states.append([j, state[1] + 1, start, size + 1])
                    state[1] += 1
                    action = action_at(nodes[state[1]], i)
                if action == REJECT:
                    continue
                if action == ADVANCE:
                    state[1] += 1
                    state[3] += 1
                    q += 1
                    continue
                key = patterns[j][0]
                if action == MATCH:
                    matches.append((key, start, size + 1))
                elif action == MATCH_DOUBLE:
                    if size > 0:
                        matches.append((key, start, size))
                    matches.append((key, start, size + 1))
                elif action == MATCH_REJECT:
                    matches.append((key, start, size))
                elif action == MATCH_EXTEND:
                    matches.append((key, start, size))
                    state[3] += 1
                    q += 1
            del states[q:]
            states.extend(new_states)
            if states:
                i += 1
                continue
            # Nothing alive: jump to the next token where a pattern can start.
            while next_start < len(positions) and positions[next_start] <= i:
                next_start += 1
            i = positions[next_start] if next_start < len(positions) else length
        # spaCy's finish_states: states that end in optional nodes match without them.
        for j, p, start, size in states:
            nodes = patterns[j][1]
            while nodes[p][0] in (ZERO_PLUS, ZERO_ONE):
                if nodes[p][2]:
                    matches.append((patterns[j][0], start, size))
                    break
                p += 1
        out: list[tuple[int, int, int]] = []
        seen: set[tuple[int, int, int]] = set()
        for key, start, size in matches:
            match = (key, start, start + size)
            if size > 0 and match not in seen:
                out.append(match)
                seen.add(match)
        return out
