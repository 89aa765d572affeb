"""Text preparation: matching sees a normalised copy, offsets always point into the original."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.core.text import prepare


def span_of(original: str, normalised_word: str) -> str:
    """The original characters behind the first occurrence of a word in the normalised text."""
    prepared = prepare(original)
    i = prepared.text.index(normalised_word)
    start, end = prepared.to_original(i, i + len(normalised_word))
    return original[start:end]


@pytest.mark.parametrize("original, normalised_contains, original_span", [
    ("Stem cells cu\u200bre autism", "cure", "cu\u200bre"),                 # zero-width space
    ("Stem cells c\u00adure autism", "cure", "c\u00adure"),                  # soft hyphen
    ("We c\u057dre MS", "cure", "c\u057dre"),                                # Armenian u
    ("We c\u0443re MS", "cyre", "c\u0443re"),                                # Cyrillic u reads as y
    ("Our cells \u0441ure arthritis", "cure", "\u0441ure"),                  # Cyrillic es
    ("Our cells cur\u0435 arthritis", "cure", "cur\u0435"),                  # Cyrillic ie
    ("A \u03bfne-time cure", "one-time", "\u03bfne-time"),                   # Greek omicron
    ("\U0001d41c\U0001d42e\U0001d42b\U0001d41e for knees", "cure", "\U0001d41c\U0001d42e\U0001d42b\U0001d41e"),
    ("\uff43\uff55\uff52\uff45 today", "cure", "\uff43\uff55\uff52\uff45"),  # full-width letters
    ("cu\u0301re now", "cure", "cu\u0301re"),                                # combining accent
    ("the \ufb01nest cells", "finest", "\ufb01nest"),                         # ligature
    ("\u201cmiracle\u201d cells", '"miracle"', "\u201cmiracle\u201d"),       # curly quotes
    ("pain\u2014free", "pain-free", "pain\u2014free"),                        # em dash
    ("no   side\n\n\n effects", "side", "side"),
])
def test_normalised_copy_maps_back_to_original(original, normalised_contains, original_span):
    assert normalised_contains in prepare(original).text
    assert span_of(original, normalised_contains) == original_span


@pytest.mark.parametrize("original, expected", [
    ("a  b", "a b"),
    ("a \t b", "a b"),
    ("a\r\nb", "a\nb"),
    ("a\n\n\n\nb", "a\n\nb"),
    ("a\u00a0b", "a b"),
    ("a\u2028b", "a\nb"),
])
def test_whitespace_runs_fold(original, expected):
    assert prepare(original).text == expected


def test_html_tags_and_entities_are_stripped_but_offsets_stay_in_the_markup():
    html = "<div><h1>Stem cells</h1><p>We <b>cure</b> MS &amp; ALS</p><script>var cure=1;</script></div>"
    prepared = prepare(html)
    assert prepared.was_html
    assert "var" not in prepared.text
    assert "We cure MS & ALS" in prepared.text
    i = prepared.text.index("cure")
    start, end = prepared.to_original(i, i + 4)
    assert html[start:end] == "cure"
    j = prepared.text.index("&")
    assert html[slice(*prepared.to_original(j, j + 1))] == "&amp;"


def test_plain_ascii_is_unchanged():
    text = "Our stem cells reverse autism. Call now!"
    assert prepare(text).text == text


_alphabet = st.sampled_from(list("abc cure XY.,!?\n\t") + ["\u200b", "\u00ad", "\u043e", "\u2019",
                                                           "\u2014", "\u00a0", "\ufb01", "\u0301",
                                                           "\U0001d41c", "<b>", "&amp;"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_alphabet, max_size=60).map("".join), st.data())
def test_any_span_maps_inside_the_original(text, data):
    prepared = prepare(text)
    n = len(prepared.text)
    if n == 0:
        return
    a = data.draw(st.integers(0, n - 1))
    b = data.draw(st.integers(a + 1, n))
    start, end = prepared.to_original(a, b)
    assert 0 <= start <= end <= len(text)
    # the mapped span never starts or ends on whitespace
    if end > start:
        assert not text[start].isspace() and not text[end - 1].isspace()


_awkward = st.sampled_from(list("ab .\n\t\r\x0b\x0c\x1c\x00\x1f\x7f") + [
    "  ", "\u00a0", "\u200b", "\u00ad", "\u2028", "\u2029", "\u3000", "\ufeff", "\u202a", "\u00e9",
    "\u201c", "\u2022", "\U0001d41c", "\u0301"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_awkward, max_size=30).map("".join))
def test_the_fast_special_pattern_finds_what_the_plain_alternation_finds(text):
    """``_SPECIAL`` is written for speed; it must find the same runs as the readable pattern."""
    import re

    from checker.core.text import _SPECIAL, _SPECIAL_REFERENCE

    reference = re.compile(_SPECIAL_REFERENCE)
    assert [m.span() for m in _SPECIAL.finditer(text)] == \
        [m.span() for m in reference.finditer(text)]
