"""A dashboard as a set of files: ``index.html`` (headline numbers, each figure as an SVG chart
and a table), ``adverts.html`` (every advert in triage order), one page per figure row listing
the adverts behind it, and each figure as CSV. Every link is relative, so the same files work
written to a folder (``python -m checker report``) and served under a job's web address.
"""

from __future__ import annotations

import csv
import io
import re
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from jinja2 import Environment, FileSystemLoader, select_autoescape

from checker.core.result import CATEGORIES, CATEGORY_LABELS
from checker.surfaces.dashboard.charts import alt_text, chart
from checker.surfaces.dashboard.figures import Advert, Figure, figures, ranked, summary

TEMPLATES = Path(__file__).parent / "templates"
TOP_ADVERTS = 25
_SAFE = re.compile(r"[^a-z0-9._-]+")
MIMETYPES = {".html": "text/html; charset=utf-8", ".csv": "text/csv; charset=utf-8",
             ".svg": "image/svg+xml", ".css": "text/css; charset=utf-8"}


def slug(key: str) -> str:
    """A file name for a figure row's key ("indication.unapproved-condition", "nuevavida.mx")."""
    return _SAFE.sub("_", key.lower()).strip("_") or "none"


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["slug"] = slug
    env.filters["pct"] = lambda share: f"{100 * share:.1f}%"
    return env


class Dashboard:
    """The figures of ``adverts`` and every file of their dashboard, made on demand."""

    def __init__(self, adverts: Iterable[Advert], *, title: str, subtitle: str = "") -> None:
        self.adverts = ranked(list(adverts))
        self.title = title
        self.subtitle = subtitle
        self.env = _environment()
        self._charts: dict[str, str | None] = {}

    @cached_property
    def figures(self) -> list[Figure]:
        return figures(self.adverts)

    @cached_property
    def summary(self) -> dict[str, Any]:
        return summary(self.adverts)

    @cached_property
    def _by_id(self) -> dict[str, Advert]:
        return {a.id: a for a in self.adverts}

    def figure(self, name: str) -> Figure | None:
        return next((f for f in self.figures if f.name == name), None)

    def chart(self, name: str) -> str | None:
        """A figure's SVG chart, drawn once."""
        if name not in self._charts:
            found = self.figure(name)
            self._charts[name] = chart(found) if found else None
        return self._charts[name]

    @staticmethod
    def _drawn(figure: Figure) -> bool:
        """Whether ``figure`` has a chart (what ``chart`` draws: any row with an advert)."""
        return any(r.count for r in figure.rows)

    def paths(self) -> list[str]:
        """Every file of the dashboard."""
        out = ["index.html", "adverts.html", "dashboard.css", "data/adverts.csv"]
        for f in self.figures:
            out.append(f"data/{f.name}.csv")
            if self._drawn(f):
                out.append(f"charts/{f.name}.svg")
            out += [f"lists/{f.name}/{slug(r.key)}.html" for r in f.rows if r.count]
        return out

    def file(self, path: str) -> tuple[bytes, str] | None:
        """The bytes and media type of one file, or None when there is no such file."""
        suffix = Path(path).suffix
        body = self._make(path)
        if body is None:
            return None
        return body.encode("utf-8"), MIMETYPES[suffix]

    def write(self, folder: Path) -> list[Path]:
        written = []
        for path in self.paths():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            data = self.file(path)
            assert data is not None
            target.write_bytes(data[0])
            written.append(target)
        return written

    # -- the files ------------------------------------------------------------------------

    def _make(self, path: str) -> str | None:
        parts = path.split("/")
        if path == "index.html":
            return self._page("dashboard.html", figures=self.figures,
                              top=self.adverts[:TOP_ADVERTS],
                              charts={f.name: self._drawn(f) for f in self.figures},
                              alts={f.name: alt_text(f) for f in self.figures})
        if path == "adverts.html":
            return self._page("adverts.html", adverts=self.adverts, depth="")
        if path == "dashboard.css":
            return (TEMPLATES / "dashboard.css").read_text(encoding="utf-8")
        if path == "data/adverts.csv":
            return self._adverts_csv()
        if len(parts) == 2 and parts[0] == "data" and parts[1].endswith(".csv"):
            found = self.figure(parts[1][:-4])
            return self._figure_csv(found) if found else None
        if len(parts) == 2 and parts[0] == "charts" and parts[1].endswith(".svg"):
            return self.chart(parts[1][:-4])
        if len(parts) == 3 and parts[0] == "lists" and parts[2].endswith(".html"):
            found = self.figure(parts[1])
            row = next((r for r in found.rows if slug(r.key) == parts[2][:-5] and r.count),
                       None) if found else None
            if row is None:
                return None
            return self._page("list.html", figure=found, row=row, depth="../../",
                              adverts=[self._by_id[i] for i in sorted(
                                  row.ids, key=lambda i: self._by_id[i].rank)])
        return None

    def _page(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(
            title=self.title, subtitle=self.subtitle, summary=self.summary,
            labels=CATEGORY_LABELS, categories=CATEGORIES, **context)

    def _figure_csv(self, figure: Figure) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["key", "label", "adverts", "share", *figure.columns, "ids"])
        for r in figure.rows:
            writer.writerow([r.key, r.label, r.count, r.share,
                             *[r.extra.get(c, "") for c in figure.columns], ";".join(r.ids)])
        return out.getvalue()

    def _adverts_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["rank", "id", "clinic", "clinic_key", "url", "country", "level", "score",
                         "triage", *CATEGORIES, "summary"])
        for a in self.adverts:
            counts = {c: a.result["categories"][c]["count"] for c in CATEGORIES}
            writer.writerow([a.rank, a.id, a.clinic_label, a.clinic_key, a.url, a.country,
                             a.result["level"], a.result["score"], a.triage,
                             *[counts[c] for c in CATEGORIES], a.result["summary"]])
        return out.getvalue()
