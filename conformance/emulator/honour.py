"""What the emulated model produces for the capabilities a request asks for, so that client code can
be tested against it: a signed thinking block, JSON valid against the requested schema, citations
of the documents and search results that enable them, server-tool blocks with canned results, the
report of the context edits applied, and a refusal for the models that answer with one.

Only what the hosting option offers reaches here (``logic`` refuses the rest first); all of it is
deterministic. The canned results name ``example.com`` (never fetched) and say they are canned.
A request whose last user turn contains ``REFUSAL_TRIGGER`` is refused, on a model whose profile
says it answers with ``stop_reason: "refusal"`` — the emulator's own convention, since no prompt
reliably makes a real model refuse.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from ..core.platform import PlatformProfile
from .bodies import JsonObject
from .ids import IdSource
from .schemas import example_for_schema

THINKING_TEXT = "The question is plain; I can answer it directly."
REFUSAL_TRIGGER = "[emulator: refuse]"
CANNED_URL = "https://example.com/foundry-emulator"
CANNED_TEXT = "A canned result of the Foundry emulator: no search or fetch was made."
# The features whose tools run on the server, and the block each answers with.
SERVER_FEATURES = ("web_search", "web_fetch", "code_execution", "tool_search")
SERVER_TOOL_BLOCK_ID = 7  # the index ids.tool_use_id() draws the server tool's id from
CAPABILITY_FIELDS = ("thinking", "output_format", "context_management", "cache_control")


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _json_key(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def last_user_text(body: Mapping[str, Any]) -> str:
    """The text of the last user turn (blocks joined)."""
    for message in reversed(body.get("messages") or ()):
        if not isinstance(message, Mapping) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        return " ".join(
            str(b.get("text", "")) for b in content or () if isinstance(b, Mapping)
        ).strip()
    return ""


# -- thinking -------------------------------------------------------------------------------


def thinks(body: Mapping[str, Any]) -> bool:
    """Whether the request asks for thinking (adaptive thinks too: the emulator always does)."""
    thinking = body.get("thinking")
    return isinstance(thinking, Mapping) and thinking.get("type") in ("adaptive", "enabled")


def thinking_block(body: Mapping[str, Any]) -> JsonObject:
    """A thinking block with a signature derived from the request (opaque, stable)."""
    digest = hashlib.sha256(b"thinking:" + _json_key(body.get("messages"))).digest()
    signature = base64.b64encode(digest * 2).decode()
    return {"type": "thinking", "thinking": THINKING_TEXT, "signature": signature}


# -- structured outputs ---------------------------------------------------------------------


def output_schema(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The JSON schema ``output_config.format`` (or the legacy ``output_format``) asks for."""
    config = body.get("output_config")
    for form in (
        config.get("format") if isinstance(config, Mapping) else None,
        body.get("output_format"),
    ):
        if isinstance(form, Mapping) and form.get("type") == "json_schema":
            schema = form.get("schema")
            return schema if isinstance(schema, Mapping) else {}
    return None


def structured_text(schema: Mapping[str, Any]) -> str:
    """JSON valid against ``schema``."""
    return json.dumps(example_for_schema(schema), separators=(",", ":"))


# -- citations ------------------------------------------------------------------------------


def citation(body: Mapping[str, Any]) -> JsonObject | None:
    """A citation of the first source in the request that enables citations."""
    documents = results = 0
    for block in _user_blocks(body):
        kind = block.get("type")
        enabled = isinstance(block.get("citations"), Mapping) and block["citations"].get("enabled")
        if kind == "document":
            if enabled:
                return _document_citation(block, documents)
            documents += 1
        elif kind == "search_result":
            if enabled:
                return _search_citation(block, results)
            results += 1
    return None


def _user_blocks(body: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for message in body.get("messages") or ():
        content = message.get("content") if isinstance(message, Mapping) else None
        yield from (
            (b for b in content if isinstance(b, Mapping)) if isinstance(content, list) else ()
        )


def _first_sentence(text: str) -> str:
    sentence = text.strip().split(". ")[0]
    return sentence if sentence.endswith(".") else f"{sentence}."


def _document_citation(block: Mapping[str, Any], index: int) -> JsonObject:
    source = _mapping(block.get("source"))
    title = block.get("title") if isinstance(block.get("title"), str) else None
    common = {"document_index": index, "document_title": title, "file_id": None}
    if source.get("type") == "text":
        cited = _first_sentence(str(source.get("data", "")))
        return {
            "type": "char_location",
            "cited_text": cited,
            "start_char_index": 0,
            "end_char_index": len(cited),
            **common,
        }
    if source.get("type") == "content":
        parts = source.get("content")
        first = (
            parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], Mapping) else {}
        )
        cited = str(first.get("text", ""))
        return {
            "type": "content_block_location",
            "cited_text": cited,
            "start_block_index": 0,
            "end_block_index": 1,
            **common,
        }
    # A PDF (base64, URL or file): the emulator reads no pages, so it cites the first one.
    return {
        "type": "page_location",
        "cited_text": "(page 1)",
        "start_page_number": 1,
        "end_page_number": 2,
        **common,
    }


def _search_citation(block: Mapping[str, Any], index: int) -> JsonObject:
    parts = block.get("content")
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], Mapping) else {}
    return {
        "type": "search_result_location",
        "cited_text": str(first.get("text", "")),
        "search_result_index": index,
        "source": str(block.get("source", "")),
        "title": block.get("title") if isinstance(block.get("title"), str) else None,
        "start_block_index": 0,
        "end_block_index": 1,
    }


# -- server tools ---------------------------------------------------------------------------


def server_tool(
    body: Mapping[str, Any], profile: PlatformProfile
) -> tuple[str, Mapping[str, Any]] | None:
    """The server tool the model calls, and its feature: the one ``tool_choice`` forces, else
    (``auto`` or none given) the first server tool declared; never under ``tool_choice: none``."""
    tools = [t for t in body.get("tools") or () if isinstance(t, Mapping)]
    choice = _mapping(body.get("tool_choice"))
    kind = choice.get("type", "auto")
    if kind == "none":
        return None
    candidates = (
        [t for t in tools if t.get("name") == choice.get("name")] if kind == "tool" else tools
    )
    if kind == "any":
        candidates = tools[:1]
    for tool in candidates:
        feature = _server_feature(tool, profile)
        if feature is not None:
            return feature, tool
    return None


def _server_feature(tool: Mapping[str, Any], profile: PlatformProfile) -> str | None:
    kind = str(tool.get("type") or "")
    for feature in SERVER_FEATURES:
        marker = profile.markers.get(feature)
        if marker is not None and any(kind.startswith(prefix) for prefix in marker.tools):
            return feature
    return None


def server_tool_blocks(
    feature: str, tool: Mapping[str, Any], body: Mapping[str, Any], ids: IdSource
) -> tuple[JsonObject, JsonObject]:
    """The ``server_tool_use`` block and its canned result."""
    use_id = "srvtoolu_" + ids.tool_use_id(SERVER_TOOL_BLOCK_ID).removeprefix("toolu_")
    query = last_user_text(body)[:80] or "foundry emulator"
    name, tool_input, result = _canned(feature, tool, body, query)
    use: JsonObject = {"type": "server_tool_use", "id": use_id, "name": name, "input": tool_input}
    return use, {**result, "tool_use_id": use_id}


def _canned(
    feature: str, tool: Mapping[str, Any], body: Mapping[str, Any], query: str
) -> tuple[str, JsonObject, JsonObject]:
    if feature == "web_search":
        found = {
            "type": "web_search_result",
            "url": CANNED_URL,
            "title": CANNED_TEXT,
            "encrypted_content": "ZW11bGF0b3I=",
            "page_age": None,
        }
        return (
            "web_search",
            {"query": query},
            {"type": "web_search_tool_result", "content": [found]},
        )
    if feature == "web_fetch":
        document = {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": CANNED_TEXT},
            "title": CANNED_TEXT,
            "citations": None,
        }
        fetched = {
            "type": "web_fetch_result",
            "url": CANNED_URL,
            "content": document,
            "retrieved_at": "2026-01-01T00:00:00Z",
        }
        return (
            "web_fetch",
            {"url": CANNED_URL},
            {"type": "web_fetch_tool_result", "content": fetched},
        )
    if feature == "code_execution":
        ran = {
            "type": "bash_code_execution_result",
            "stdout": "ok\n",
            "stderr": "",
            "return_code": 0,
            "content": [],
        }
        return (
            "bash_code_execution",
            {"command": "echo ok"},
            {"type": "bash_code_execution_tool_result", "content": ran},
        )
    deferred = [
        str(t.get("name"))
        for t in body.get("tools") or ()
        if isinstance(t, Mapping) and t.get("defer_loading")
    ]
    references = [{"type": "tool_reference", "tool_name": name} for name in deferred[:1]]
    name = str(tool.get("name") or "tool_search_tool_bm25")
    found_tools = {"type": "tool_search_tool_search_result", "tool_references": references}
    return name, {"query": query}, {"type": "tool_search_tool_result", "content": found_tools}


# -- the rest -------------------------------------------------------------------------------


def context_report(body: Mapping[str, Any]) -> JsonObject | None:
    """What context editing reports (the emulator's conversations are too short to edit)."""
    return {"applied_edits": []} if body.get("context_management") is not None else None


def refuses(body: Mapping[str, Any]) -> bool:
    """Whether the request asks the emulator to refuse (see the module docstring)."""
    return REFUSAL_TRIGGER in last_user_text(body)


def ignored(body: Mapping[str, Any], *, count_tokens: bool = False) -> dict[str, Any]:
    """``body`` as an endpoint that silently ignores every capability field would read it
    (the ``features-ignored`` fault): no thinking, no output format, no citations, no cache
    breakpoints, no context editing, no forced tool, no stream, no media (and, when counting
    tokens, no tools) to count."""
    stripped = copy.deepcopy(dict(body))
    for name in (*CAPABILITY_FIELDS, "tool_choice", "stream"):
        stripped.pop(name, None)
    config = stripped.get("output_config")
    if isinstance(config, dict):
        config.pop("format", None)
    for message in stripped.get("messages") or ():
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):
            message["content"] = [
                {k: v for k, v in b.items() if k not in ("citations", "cache_control")}
                for b in content
                if isinstance(b, dict) and b.get("type") not in ("image", "document")
            ] or ""
    system = stripped.get("system")
    if isinstance(system, list):
        stripped["system"] = [
            {k: v for k, v in b.items() if k != "cache_control"}
            for b in system
            if isinstance(b, dict)
        ]
    if count_tokens:
        stripped.pop("tools", None)
    return stripped
