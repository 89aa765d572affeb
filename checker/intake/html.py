"""The visible main text of an HTML page: what a reader sees, with its headings, list items,
table rows and paragraphs on lines of their own, and none of the page's furniture.

Dropped: what a browser never shows (``script``, ``style``, ``template``, ``noscript``, ``svg``,
the ``head``, form controls; elements with ``hidden``, ``aria-hidden="true"`` or an inline
``display:none`` / ``visibility:hidden``) and what is not the page's own content (``nav``,
``footer``, ``aside``, the site's ``header``, forms, navigation, banner, footer and dialog
roles, cookie and consent banners, menus, breadcrumbs and sidebars named by class or id).
When the page has one ``main`` (or one ``article``, or a ``role="main"``) only that is read;
without one, the page's content starts at its ``h1`` when less than ``PREAMBLE_WORDS`` come
before it (a top bar with a phone number, a language notice). A ``footer`` inside a quotation
is its attribution, and is kept.

selectolax's lexbor parser reads the page as a browser would (entities decoded, broken markup
mended); the walk is iterative, so no nesting depth can exhaust Python's stack.
"""

from __future__ import annotations

import re
from typing import Any

EXTRACTOR_VERSION = "1"

NEVER_SHOWN = frozenset({
    "script", "style", "template", "noscript", "svg", "math", "iframe", "object", "embed",
    "canvas", "head", "title", "meta", "link", "input", "select", "option", "textarea", "img",
    "picture", "video", "audio", "source", "track", "map", "area",
})
FURNITURE = frozenset({"nav", "footer", "aside", "form", "dialog"})
FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search",
                             "dialog", "alertdialog", "menu", "menubar"})
FURNITURE_NAMES = frozenset({
    "cookie", "cookies", "consent", "gdpr", "cookiebanner", "cookielaw", "breadcrumb",
    "breadcrumbs", "navbar", "nav", "navigation", "menu", "submenu", "megamenu", "sidebar",
    "footer", "masthead", "topbar", "skip", "newsletter", "popup",
})
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "details", "dd", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tr",
    "ul", "caption", "button", "legend", "html",
})
LINES = frozenset({"li", "tr", "dt", "dd"})   # kept one to a line, without a blank line between
CELLS = frozenset({"td", "th"})
PREAMBLE_WORDS = 80   # at most this much text before a page's <h1> is its top bar, not content

_SPACE = re.compile(r"\s+")
_NAME_PART = re.compile(r"[^a-z0-9]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TAG = re.compile(r"<\s*(?:!doctype\s+html|html|head|body|div|p|span|h[1-6]|ul|ol|li|table|"
                  r"tr|td|br|strong|em|b|i|a|section|article|main|nav|img|meta|script|style)"
                  r"\b[^<>]{0,2000}>", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    """Whether pasted text is markup (a document, or at least three tags) rather than prose."""
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html")):
        return True
    found = 0
    for _ in _TAG.finditer(text):
        found += 1
        if found >= 3:
            return True
    return False


def _attrs(node: Any) -> dict[str, str]:
    try:
        return {k.lower(): (v or "") for k, v in node.attributes.items()}
    except Exception:  # pragma: no cover - malformed attributes read as none
        return {}


def _hidden(attrs: dict[str, str]) -> bool:
    return ("hidden" in attrs or attrs.get("aria-hidden", "").strip().lower() == "true"
            or bool(_HIDDEN_STYLE.search(attrs.get("style", ""))))


def _furniture(node: Any, tag: str, attrs: dict[str, str], inside_content: bool) -> bool:
    if tag == "footer" and (node.parent is not None
                            and (node.parent.tag or "").lower() in ("blockquote", "figure")):
        return False   # a quotation's attribution, not the site's footer
    if tag in FURNITURE or (tag == "header" and not inside_content):
        return True
    if attrs.get("role", "").strip().lower() in FURNITURE_ROLES:
        return True
    names = set(_NAME_PART.split((attrs.get("class", "") + " " + attrs.get("id", "")).lower()))
    return bool(names & FURNITURE_NAMES)


def _root(tree: Any) -> tuple[Any, bool]:
    """The node holding the page's own content, and whether it is a content element (whose
    ``header`` is the article's own)."""
    for selector in ("main", "[role=main]", "article"):
        found = tree.css(selector)
        if len(found) == 1:
            return found[0], True
    return (tree.body or tree.root), False


class _Lines:
    """Blocks of text as they are found, joined with blank lines between paragraphs and single
    line breaks between list items and table rows."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str]] = []
        self.parts: list[str] = []
        self.kind = ""
        self.title_at: int | None = None   # where the first <h1> starts

    def add(self, text: str) -> None:
        self.parts.append(text)

    def cell(self) -> None:
        if "".join(self.parts).strip():
            self.parts.append(" | ")

    def flush(self, kind: str = "") -> None:
        line = _SPACE.sub(" ", "".join(self.parts)).strip(" |")
        self.parts = []
        if line:
            self.blocks.append((line, self.kind or kind))
            self.kind = ""

    def text(self) -> str:
        out: list[str] = []
        for i, (line, kind) in enumerate(self.blocks):
            if i:
                tight = kind == "br" or (kind in LINES and self.blocks[i - 1][1] in LINES)
                out.append("\n" if tight else "\n\n")
            out.append(line)
        return "".join(out)


def visible_text(markup: str) -> str:
    """The visible main text of ``markup`` (see the module's docstring)."""
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(markup)
    root, content = _root(tree)
    if root is None:
        return ""
    text = _walk(root, content)
    if content and len(text.split()) < 20:   # a tiny <main> (a hero line): read the whole page
        whole = _walk(tree.body or tree.root, False)
        if len(whole.split()) > 3 * max(len(text.split()), 1):
            return whole
    return text


def _walk(root: Any, content: bool) -> str:
    lines = _Lines()
    cell_depth = 0
    # (node, entering, inside content, kind of line) - an explicit stack, never recursion
    stack: list[tuple[Any, bool, bool, str]] = [(root, True, content, "")]
    while stack:
        node, entering, inside, kind = stack.pop()
        tag = (node.tag or "").lower()
        if not entering:
            if tag in CELLS:
                cell_depth -= 1
            elif tag in BLOCKS and not cell_depth:
                lines.flush(kind)
            continue
        if tag == "-text":
            lines.add(node.text_content or "")
            continue
        if tag.startswith("-") or tag in NEVER_SHOWN:   # comments, doctype and the unseen
            continue
        attrs = _attrs(node)
        if node is not root and (_hidden(attrs) or _furniture(node, tag, attrs, inside)):
            continue
        if tag == "br":
            if cell_depth:
                lines.add(" ")
            else:
                lines.flush(kind)
                lines.kind = "br"   # the next line continues this block
            continue
        if tag in CELLS:
            lines.cell()
            cell_depth += 1
        elif tag in BLOCKS:
            if tag == "h1" and lines.title_at is None:
                lines.flush()
                lines.title_at = len(lines.blocks)
            if cell_depth:
                lines.add(" ")
            else:
                lines.flush()
                if tag in LINES:
                    lines.kind = tag if tag != "tr" else "li"
        inner = inside or tag in ("main", "article")
        stack.append((node, False, inside, "li" if tag in LINES else ""))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        for child in reversed(children):
            stack.append((child, True, inner, ""))
    lines.flush()
    if not content and lines.title_at:   # no <main>: the page's own content starts at its title,
        before = sum(len(line.split()) for line, _ in lines.blocks[:lines.title_at])
        if before < PREAMBLE_WORDS:      # and what comes before it is the site's top bar
            lines.blocks = lines.blocks[lines.title_at:]
    return lines.text()
