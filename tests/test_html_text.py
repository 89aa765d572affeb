"""Markup into visible text (checker.intake.html) and what counts as markup or a bare address."""

from __future__ import annotations

import pytest

from checker.intake import address_of, from_pasted, is_address
from checker.intake.html import looks_like_html, visible_text


def test_headings_lists_tables_and_paragraphs_get_lines_of_their_own():
    text = visible_text("<body><h2>Benefits</h2><ul><li>Less pain</li><li>More <b>energy</b></li>"
                        "</ul><p>One visit.<br>No surgery.</p><table><tr><th>Knee</th>"
                        "<td>&#36;4,500</td></tr></table></body>")
    assert text == "Benefits\n\nLess pain\nMore energy\n\nOne visit.\nNo surgery.\n\nKnee | $4,500"


def test_what_a_browser_never_shows_is_dropped():
    text = visible_text("<body><main><p>Shown.</p><p hidden>Hidden.</p>"
                        "<p aria-hidden='true'>Aria.</p><p style='color:red; display : none'>Gone."
                        "</p><script>alert('x')</script><style>p{}</style><template>T</template>"
                        "<noscript>Enable JS</noscript><!-- a comment --></main></body>")
    assert text == "Shown."


def test_a_collapsed_accordion_panel_is_content():
    text = visible_text("<main><div class='accordion'><button>Does it hurt?</button>"
                        "<div class='panel collapsed'>Hardly at all.</div></div></main>")
    assert "Does it hurt?" in text and "Hardly at all." in text


def test_a_quotations_footer_is_kept_and_the_sites_is_not():
    text = visible_text("<body><main><h1>Stories</h1><blockquote><p>I walk again.</p>"
                        "<footer>Ann, 64</footer></blockquote></main><footer>(c) Clinic</footer>"
                        "</body>")
    assert "Ann, 64" in text and "(c) Clinic" not in text


def test_deep_nesting_does_not_exhaust_the_stack():
    markup = "<div>" * 50_000 + "Deep claim." + "</div>" * 50_000
    assert visible_text(markup) == "Deep claim."


@pytest.mark.parametrize("text, markup", [
    ("<!DOCTYPE html><html><body>x</body></html>", True),
    ("<p>One</p><p>Two</p><p>Three</p>", True),
    ("Prices < $5,000 and > $1,000 for <b>one</b> knee.", False),
    ("Our cells cure MS.", False),
])
def test_what_counts_as_markup(text, markup):
    assert looks_like_html(text) is markup


def test_plain_pasted_text_is_left_as_it_is():
    taken = from_pasted("Our cells cure MS. <b>Really</b>.")
    assert taken.text == "Our cells cure MS. <b>Really</b>." and taken.source is None


@pytest.mark.parametrize("text, address", [
    ("https://clinic.example/stem-cells", "https://clinic.example/stem-cells"),
    ("  www.clinic.example/knees \n", "https://www.clinic.example/knees"),
    ("<https://clinic.example/a?b=c>", "https://clinic.example/a?b=c"),
])
def test_a_bare_web_address_is_recognised(text, address):
    assert is_address(text) and address_of(text) == address


@pytest.mark.parametrize("text", ["See https://clinic.example for prices.", "clinic.example",
                                  "Our clinic https://a.example https://b.example"])
def test_text_with_an_address_in_it_is_not_a_bare_address(text):
    assert not is_address(text)
