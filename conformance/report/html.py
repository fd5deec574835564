"""``diagnosis.html``: the view-model laid out by a jinja2 template with autoescape (pure).

One self-contained file: the CSS and the copy button's script are inline, and a Content Security
Policy forbids the page any fetch, so it reads the same offline, in a CI artifact or attached to
a ticket. Everything from the wire is escaped by the template; the one filter that emits markup
(``inline_code``) escapes its input first.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ..summary.model import RunSummary
from .pacing_view import pacing_view, since_view
from .ticket import render_ticket
from .view import build_view, cases_by_check

TEMPLATE = "diagnosis.html.j2"


def inline_code(text: str) -> Markup:
    """Escaped ``text`` with its `backtick` spans as ``<code>`` (unbalanced ticks stay literal)."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:
        return escape(text)
    out = Markup("")
    for index, part in enumerate(parts):
        out += Markup("<code>{}</code>").format(part) if index % 2 else escape(part)
    return out


@cache
def environment() -> Environment:
    """The template environment: templates from the package, autoescape on, strict names."""
    env = Environment(
        loader=PackageLoader("conformance.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["inline_code"] = inline_code
    env.filters["by_check"] = cases_by_check
    return env


def render_html(summary: RunSummary) -> str:
    """The diagnosis report for ``summary``, as one HTML document."""
    template = environment().get_template(TEMPLATE)
    return template.render(
        view=build_view(summary),
        ticket=render_ticket(summary),
        pacing=pacing_view(summary),
        since=since_view(summary),
    )
