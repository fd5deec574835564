"""``link_label``: a link is named from its target, and every document the harness cites
(diagnosis entries, the platform profile's sources) is named for what it is."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlsplit

import pytest

from conformance.core.links import (
    GUIDE_SECTIONS,
    GUIDE_TITLE,
    PAGES,
    PLATFORM_GUIDE,
    SDK_API_KEY_ISSUE,
    link_label,
    slug,
)
from conformance.core.platform import Source
from conformance.core.platform_load import builtin_profile
from conformance.diagnosis.catalog import ALL_CODES, CATALOG


@pytest.mark.parametrize(
    ("url", "label"),
    [
        (PLATFORM_GUIDE, "Claude in Microsoft Foundry"),
        (f"{PLATFORM_GUIDE}#correlation-request-ids",
         "Claude in Microsoft Foundry › Correlation request IDs"),
        (f"{PLATFORM_GUIDE}#no-such-heading", "Claude in Microsoft Foundry #no-such-heading"),
        (SDK_API_KEY_ISSUE, "anthropic-sdk-python issue #1661"),
        ("https://github.com/Azure/azure-sdk-for-net/issues/50872", "azure-sdk-for-net issue #50872"),
        ("https://github.com/anthropics/claude-code/pull/12", "claude-code pull request #12"),
        ("https://github.com/anthropics/anthropic-sdk-python", "anthropics/anthropic-sdk-python on GitHub"),
        ("https://github.com/MicrosoftDocs/azure-ai-docs/blob/main/articles/x/role-rename-note.md",
         "MicrosoftDocs/azure-ai-docs: role-rename-note.md"),
        ("https://github.com/search?q=capability+latch+foundry", "GitHub search: capability latch foundry"),
        ("https://learn.microsoft.com/answers/questions/5854137", "Microsoft Q&A question 5854137"),
        ("https://docs.claude.com/en/api/errors", "Claude API docs: errors"),
        ("https://example.com/some/page/", "example.com/some/page"),
    ],
)  # fmt: skip
def test_a_link_is_named_from_its_target(url: str, label: str) -> None:
    assert link_label(url) == label


def test_the_guide_anchors_are_its_headings() -> None:
    assert slug("Correlation request IDs") == "correlation-request-ids"
    assert link_label(f"{PLATFORM_GUIDE}#{slug('Rate limit headers')}") == (
        f"{GUIDE_TITLE} › Troubleshooting › Rate limits › Rate limit headers"
    )


def _named_specifically(url: str) -> bool:
    """Whether ``link_label`` knows what ``url`` is (not only its host and path)."""
    parts = urlsplit(url)
    return link_label(url) != f"{parts.netloc}{parts.path}".rstrip("/")


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_diagnosis_cites_a_guide_heading_and_a_page_named_for_what_it_is(code: str) -> None:
    info = CATALOG[code]
    if code == "check-error":
        return  # the harness's own failures rest on no platform document
    assert info.guide_section in GUIDE_SECTIONS, info.guide_section
    assert info.doc_url is not None and _named_specifically(info.doc_url), info.doc_url
    page, _, anchor = info.doc_url.partition("#")
    if anchor:  # an anchor on the guide is the heading the entry names
        assert page == PLATFORM_GUIDE
        assert info.guide_section is not None and anchor == slug(
            info.guide_section.split(" › ")[-1]
        )


def _words_a_title_needs(url: str) -> str | None:
    """What a source's title must say for it to name its URL (None: no web address)."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return None
    github = re.fullmatch(r"/([^/]+)/([^/]+)(?:/issues/(\d+)|/blob/[^/]+/(.+))?/?", parts.path)
    if parts.netloc == "github.com" and parts.path == "/search":
        return "GitHub search"
    if parts.netloc == "github.com" and github is not None:
        _, repo, number, path = github.groups()
        if number:
            return f"{repo}#{number}"
        return PurePosixPath(path).stem if path else repo
    return {
        "learn.microsoft.com": "Microsoft",
        "platform.claude.com": "Claude docs",
        "docs.claude.com": "Claude docs",
        "code.claude.com": "Claude Code docs",
    }[parts.netloc]


@pytest.mark.parametrize("source", builtin_profile().sources.values(), ids=lambda s: s.id)
def test_every_platform_source_title_names_its_address(source: Source) -> None:
    needed = _words_a_title_needs(source.url)
    if needed is not None:
        assert needed.lower() in source.title.lower(), (source.title, source.url)


def test_every_known_page_is_labelled_by_its_site() -> None:
    for url, label in PAGES.items():
        site = urlsplit(url).netloc
        expected = {
            "learn.microsoft.com": "Microsoft Learn: ",
            "docs.claude.com": "Claude API docs: ",
        }
        assert label.startswith(expected.get(site, GUIDE_TITLE)), (url, label)
