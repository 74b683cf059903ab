"""Templates and links shared by the static report and the web UI.

Article text, titles and metadata are untrusted: every template is rendered with
autoescaping on, and URLs from articles are linked only when they are http(s).
The two front ends differ only in :class:`Links` (file names or routes) and in how the
stylesheet arrives (inline in a self-contained report, a static file on the server).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from newstrace.records import DatePrecision, PartialDate, SpeakerKind
from newstrace.web.ledger import excerpt, number
from newstrace.web.speakers import speaker_ref

STATIC = files("newstrace.web") / "static"
COUNTRIES = "vendor/world-atlas/countries-50m.json"
COUNTRIES_SCRIPT = "countries.js"


@dataclass(frozen=True, slots=True)
class Links:
    """Where each view lives: ``root`` is ``/`` on the server, ``""`` or ``../`` in a report."""

    root: str
    static_site: bool

    def _page(self, path: str) -> str:
        return f"{self.root}{path}.html" if self.static_site else f"{self.root}{path}"

    def home(self) -> str:
        return self._page("index") if self.static_site else self.root

    def document(self, doc_id: int, anchor: str = "") -> str:
        return self._page(f"documents/{doc_id}") + (f"#{anchor}" if anchor else "")

    def speakers(self) -> str:
        return self._page("speakers/index") if self.static_site else f"{self.root}speakers"

    def speaker(self, slug: str) -> str:
        return self._page(f"speakers/{slug}")

    def events(self, params: Mapping[str, str] | None = None) -> str | None:
        """The events view, narrowed by ``params``; a static report has only the whole view."""
        if self.static_site:
            return None if params else self._page("events")
        return f"{self.root}events" + (f"?{urlencode(params)}" if params else "")

    def claims(self) -> str:
        return self._page("claims/index") if self.static_site else f"{self.root}claims"

    def claim(self, key: str) -> str:
        return self._page(f"claims/{key}")

    def asset(self, name: str) -> str:
        return f"{self.root}static/{name}"

    def countries(self) -> str:
        """The script that hands the map its country borders (see :func:`countries_script`)."""
        return self.asset(COUNTRIES_SCRIPT) if self.static_site else f"{self.root}map/countries.js"

    @property
    def search(self) -> str | None:
        """The search page; a static report has none (there is no server to ask)."""
        return None if self.static_site else f"{self.root}search"


def published(date: PartialDate | None) -> str:
    """A date only as precise as the source states it, saying how precise that is."""
    if date is None:
        return "unknown"
    if date.precision is DatePrecision.WEEK:
        return f"week of {date.iso()}"
    return date.iso()


def safe_url(url: str | None) -> str | None:
    """``url`` if a browser may follow it (http or https), else ``None``: never ``javascript:``."""
    if not url:
        return None
    return url if urlsplit(url.strip()).scheme.lower() in {"http", "https"} else None


def words(value: str) -> str:
    """An enum value as words: `anonymous_person` -> `anonymous person`."""
    return str(value).replace("_", " ")


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("newstrace.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        published=published,
        safe_url=safe_url,
        words=words,
        excerpt=excerpt,
        counted=counted,
        number=number,
    )
    env.globals.update(speaker_kinds=list(SpeakerKind), speaker_ref=speaker_ref)
    return env


@cache
def countries_script() -> str:
    """The world-atlas borders wrapped as a script, so the map loads them from a file:// page
    too (where a browser refuses to fetch JSON); built from the shipped file, not article input.
    """
    borders = STATIC.joinpath(COUNTRIES).read_text(encoding="utf-8")
    return f"window.newstraceCountries = {borders};\n"


def inline_css() -> Markup:
    """The stylesheet for a self-contained page (our own file, not article input)."""
    return Markup(STATIC.joinpath("style.css").read_text(encoding="utf-8"))


class Pages:
    """Renders views for one front end: a static report (file links, inline CSS) or the server."""

    def __init__(self, static_site: bool) -> None:
        self.env = environment()
        self.static_site = static_site
        self.css = inline_css() if static_site else None

    def links(self, root: str = "/") -> Links:
        """Links from a page ``root`` away from the site's top (``../`` in a report)."""
        return Links(root, self.static_site)

    def render(self, template: str, root: str = "/", **context: Any) -> str:
        """Render ``template`` for a page ``root`` away from the site's top (``../``)."""
        return self.env.get_template(template).render(
            links=self.links(root), css=self.css, **context
        )
