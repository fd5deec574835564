"""The capability probes' requests: the smallest body that proves each capability.

The harness's own test content lives here (a one-property schema, a one-sentence document, a tiny
image and PDF, a filler prefix for caching); what marks each capability on the wire — tool types
and names, beta headers, TTLs, the context edit — comes from the platform profile
(``capabilities.<CHECK-ID>``).
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from typing import Any

from ..core.platform import CapabilityFacts
from .helpers import PROMPT, count_tokens_body, message_body

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": False,
}
TOOL: dict[str, Any] = {
    "name": "record_answer",
    "description": "Record whether the answer is yes.",
    "input_schema": SCHEMA,
}
FORCED = {"type": "tool", "name": TOOL["name"]}
# Keeps a declared tool from running: the answer shows that the request was accepted, and a server
# tool that bills per call is never called.
NO_TOOL = {"type": "none"}
JSON_PROMPT = "Is the sky blue? Answer as JSON."
THINK_PROMPT = "What is 17 × 23? Reply with the number only."
DOCUMENT = "The probe is amber."
CITE_PROMPT = "What colour is the probe? Answer in a few words, citing the source."
SEARCH_SOURCE = "https://example.com/foundry-conformance-probe"
MCP_SERVER = {"type": "url", "url": "https://mcp.invalid/mcp", "name": "probe"}
# A 400 of the MCP probe in none of the field's refusal wordings, and that does not name
# `mcp_servers`, may be the endpoint failing to reach the probe's server rather than refusing the
# connector: it is not judged.
MCP_UNSURE = (
    "mcp_servers",
    "it does not name mcp_servers, so the connector may be taken and only the probe's MCP server "
    "(under .invalid, which never resolves) unreachable",
)
# A thinking budget is at least 1,024 tokens and max_tokens must exceed it.
THINKING_BUDGET = 1024
# Caching: the filler is a quarter longer than the model's minimum, in ~10-token sentences.
FILLER_SENTENCE = "The quick brown fox jumps over the lazy dog again. "
FILLER_MARGIN = 1.25
SENTENCE_TOKENS = 10


def _png(size: int = 16) -> str:
    """A ``size`` × ``size`` grey PNG, base64."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(png).decode()


def _pdf(text: str = "ok") -> str:
    """A one-page PDF that says ``text``, base64. Its cross-reference table is a compressed
    stream (PDF 1.5), not the classic table of zero-padded offsets: those encode as long runs of
    zeros, which the secret scan rightly treats as a fragment of a test token's all-zero IDs."""
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.5\n"
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    xref_at = len(out)
    size = len(objects) + 2  # the free entry 0, the objects, the cross-reference stream itself
    rows = struct.pack(">BIH", 0, 0, 0xFFFF)
    rows += b"".join(struct.pack(">BIH", 1, at, 0) for at in [*offsets, xref_at])
    packed = zlib.compress(rows)
    header = b"<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length %d >>"
    out += b"%d 0 obj\n" % (size - 1) + header % (size, len(packed))
    out += b"\nstream\n" + packed + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return base64.b64encode(out).decode()


PNG_BASE64 = _png()
PDF_BASE64 = _pdf()


def _user(*blocks: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"role": "user", "content": list(blocks)}]


def _text(text: str) -> dict[str, Any]:
    return {"type": "text", "text": text}


def streamed(deployment: str) -> dict[str, Any]:
    return message_body(deployment, 1)


def forced_tool(deployment: str, *, strict: bool = False) -> dict[str, Any]:
    tool = {**TOOL, "strict": True} if strict else TOOL
    body = message_body(deployment, 64, tools=[tool], tool_choice=FORCED)
    body["messages"] = [{"role": "user", "content": JSON_PROMPT}]
    return body


def json_output(deployment: str, *, legacy: bool = False) -> dict[str, Any]:
    form = {"type": "json_schema", "schema": SCHEMA}
    extra = {"output_format": form} if legacy else {"output_config": {"format": form}}
    body = message_body(deployment, 32, **extra)
    body["messages"] = [{"role": "user", "content": JSON_PROMPT}]
    return body


def thinking(deployment: str, kind: str) -> dict[str, Any]:
    if kind == "disabled":
        return message_body(deployment, 1, thinking={"type": "disabled"})
    config: dict[str, Any] = {"type": kind}
    if kind == "enabled":
        config["budget_tokens"] = THINKING_BUDGET
    body = message_body(deployment, THINKING_BUDGET + 64, thinking=config)
    body["messages"] = [{"role": "user", "content": THINK_PROMPT}]
    return body


def effort(deployment: str, level: str) -> dict[str, Any]:
    return message_body(deployment, 1, output_config={"effort": level})


def mid_conversation_system(deployment: str) -> dict[str, Any]:
    body = message_body(deployment, 1)
    body["messages"] = [
        {"role": "user", "content": "Hello."},
        {"role": "assistant", "content": "Hello."},
        {"role": "system", "content": "Answer in one word."},
        *body["messages"],
    ]
    return body


def counted(deployment: str, media: str | None = None, *, tools: bool = False) -> dict[str, Any]:
    """A count_tokens body, with an image or a PDF (``media``) or a tool, or none of them."""
    body = count_tokens_body(deployment)
    if media == "image":
        source = {"type": "base64", "media_type": "image/png", "data": PNG_BASE64}
        body["messages"] = _user({"type": "image", "source": source}, _text(PROMPT))
    elif media == "pdf":
        source = {"type": "base64", "media_type": "application/pdf", "data": PDF_BASE64}
        body["messages"] = _user({"type": "document", "source": source}, _text(PROMPT))
    if tools:
        body["tools"] = [TOOL]
    return body


def cited_document(deployment: str) -> dict[str, Any]:
    source = {"type": "text", "media_type": "text/plain", "data": DOCUMENT}
    document = {
        "type": "document",
        "source": source,
        "title": "probe",
        "citations": {"enabled": True},
    }
    body = message_body(deployment, 64)
    body["messages"] = _user(document, _text(CITE_PROMPT))
    return body


def cited_search_result(deployment: str) -> dict[str, Any]:
    result = {
        "type": "search_result",
        "source": SEARCH_SOURCE,
        "title": "probe",
        "content": [_text(DOCUMENT)],
        "citations": {"enabled": True},
    }
    body = message_body(deployment, 64)
    body["messages"] = _user(result, _text(CITE_PROMPT))
    return body


def filler(tokens: int, ttl: str) -> str:
    """A prefix of at least ``tokens`` tokens (a quarter more), distinct per TTL."""
    sentences = math.ceil(tokens * FILLER_MARGIN / SENTENCE_TOKENS)
    return f"Cache probe, TTL {ttl}. " + FILLER_SENTENCE * sentences


def cached(deployment: str, ttl: str, tokens: int) -> dict[str, Any]:
    block = {
        "type": "text",
        "text": filler(tokens, ttl),
        "cache_control": {"type": "ephemeral", "ttl": ttl},
    }
    return message_body(deployment, 1, system=[block])


def context_edited(deployment: str, facts: CapabilityFacts) -> dict[str, Any]:
    return message_body(deployment, 1, context_management={"edits": [{"type": facts.edit}]})


def server_tool(deployment: str, facts: CapabilityFacts) -> dict[str, Any]:
    tool: dict[str, Any] = {"type": facts.tool_type, "name": facts.tool_name}
    tools = [tool]
    if facts.feature in ("web_search", "web_fetch"):
        tool["max_uses"] = 1
    if facts.feature == "tool_search":
        tools.append({**TOOL, "defer_loading": True})  # tool search needs a tool to find
    return message_body(deployment, 1, tools=tools, tool_choice=NO_TOOL)


def mcp_connector(deployment: str) -> dict[str, Any]:
    toolset = {"type": "mcp_toolset", "mcp_server_name": MCP_SERVER["name"]}
    return message_body(
        deployment, 1, mcp_servers=[MCP_SERVER], tools=[toolset], tool_choice=NO_TOOL
    )
