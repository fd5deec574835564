"""The writers of a run's human-readable artifacts: the diagnosis report and the support ticket.

Pure: a ``RunSummary`` in, text out. ``view`` decides what the page shows (its rows come from
``sections``), ``html`` lays it out with a jinja2 template, ``ticket`` writes the Markdown for Azure support, ``curl`` the reproduction
lines, ``evidence`` the shared reading of the evidence, and ``transcript`` the per-case request
transcripts that the pytest-html and JUnit extras attach.
"""

from __future__ import annotations

from .html import render_html
from .ticket import render_ticket
from .view import build_view

__all__ = ["build_view", "render_html", "render_ticket"]
