"""The support ticket: what support asks for, loud about emulator and replay runs, no secrets."""

from __future__ import annotations

import re
from dataclasses import replace

from conformance.report.ticket import code, fenced, render_ticket
from conformance.summary.model import CutShort

from .factory import GATEWAY_401, check, diagnosis, evidence, failing_summary, summary


def test_the_ticket_names_resource_region_deployments_auth_and_the_time_window() -> None:
    ticket = render_ticket(failing_summary())
    assert ticket.startswith("# Support ticket: Claude in Microsoft Foundry — contoso-ai\n")
    assert "| Resource | contoso-ai |" in ticket
    assert "| Region | not reported by the service |" in ticket
    assert "| Deployment(s) | claude-sonnet-4-5 |" in ticket
    assert "| Auth mode(s) | x-api-key, entra |" in ticket
    assert "2026-06-01 12:00:00 UTC → 2026-06-01 12:01:00 UTC" in ticket
    assert "| anthropic SDK | 2.14.0 |" in ticket and "| Python | 3.11.7 |" in ticket


def test_each_failing_request_has_its_ids_status_code_and_body() -> None:
    ticket = render_ticket(failing_summary())
    section = ticket.split("## Failing requests", 1)[1].split("## Reproduce", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[1:] == [
        "| 5 | AUTH-API-KEY | POST /anthropic/v1/messages | api-key | 401 | 401 | — "
        "| 00000000-0000-4000-8000-000000000005 | 11111111-0000-4000-8000-000000000005 "
        "| 2026-06-01 12:00:05.000 UTC |",
        "| 9 | MSG-STREAM | POST /anthropic/v1/messages | x-api-key | 429 | RateLimitReached "
        "| req_000000000000000000000009 | 00000000-0000-4000-8000-000000000009 "
        "| 11111111-0000-4000-8000-000000000009 | 2026-06-01 12:00:09.000 UTC |",
    ]
    assert "A request-id of — was not returned: an Azure gateway answer" in section
    assert "Error body of #5, redacted:" in section
    assert '"message": "Access denied due to invalid subscription key' in section
    assert '"message": "Try again in 7 seconds."' in section
    # An error its check expected (AUTH-MISSING's 401) is no failure.
    assert "000000000007" not in section


def test_bodies_alike_but_for_their_request_id_are_quoted_once() -> None:
    rows = [
        evidence(n, 500, check="MSG-BASIC", error_body=f'{{"request_id":"req_{n:024d}"}}')
        for n in (2, 3)
    ]
    ticket = render_ticket(summary([check("MSG-BASIC", "error", evidence=rows)]))
    assert "Error body of #2, #3 (alike but for their own request_id), redacted:" in ticket
    assert ticket.count("```json") == 1


def test_diagnoses_come_with_remedies_blockers_first() -> None:
    ticket = render_ticket(failing_summary())
    titles = re.findall(r"^### \d\. Title of ([a-z-]+)", ticket, flags=re.MULTILINE)
    assert titles == ["api-key-header-rejected", "missing-request-id", "rate-limited"]
    assert "**Remedy.** What to do about api-key-header-rejected: send `x-api-key`." in ticket


def test_a_curl_line_per_distinct_failing_request_with_placeholders() -> None:
    run = failing_summary()
    refused = run.checks[1].evidence[0]
    run.checks[1].evidence.append(
        evidence(6, 401, check="AUTH-API-KEY", auth="api-key", error_body=GATEWAY_401)
    )
    ticket = render_ticket(run)
    reproduce = ticket.split("## Reproduce", 1)[1]
    assert reproduce.count("curl -sS -i") == 2  # two api-key 401s are one shape; the 429 another
    assert '-H "api-key: $ANTHROPIC_FOUNDRY_API_KEY"' in reproduce
    assert refused.apim_request_id in ticket


def test_request_headers_are_never_printed() -> None:
    ticket = render_ticket(failing_summary())
    assert "x-api-key: [REDACTED]" not in ticket
    assert "> " + "accept" not in ticket


def test_an_emulator_run_says_loudly_not_to_file_it() -> None:
    ticket = render_ticket(summary(kind="emulator"))
    assert "**⚠ EMULATOR RUN — this proves nothing about Azure.**" in ticket
    assert "Do not send this ticket to Azure support" in ticket


def test_a_replay_says_the_ids_are_those_of_the_recording() -> None:
    ticket = render_ticket(summary(kind="replay", recorded_at="2026-05-02T12:00:00+00:00"))
    assert "**⚠ REPLAY — no request reached Azure in this run.**" in ticket
    assert "30 days before this replay" in ticket


def test_when_nothing_failed_the_ticket_says_so_and_still_lists_the_ids() -> None:
    ticket = render_ticket(summary())
    assert "**Nothing failed** (verdict: conformant). A support ticket is not needed" in ticket
    assert "## Failing requests" not in ticket and "## Reproduce" not in ticket
    assert "## Correlation IDs of this run" in ticket
    assert (
        "| 1 | MSG-BASIC | POST /anthropic/v1/messages | 200 | req_000000000000000000000001 |"
        in ticket
    )


def test_long_tables_are_cut_with_a_pointer_to_summary_json() -> None:
    rows = [evidence(n) for n in range(1, 15)]
    ticket = render_ticket(
        summary([check("MSG-BASIC", "failed")], [diagnosis("missing-request-id", evidence=rows)])
    )
    assert "…and 6 more (all of them are in summary.json)." in ticket


def test_incomplete_runs_are_flagged_with_what_cut_them_short() -> None:
    why = CutShort("budget", "The run's request budget of 5 requests is spent.", ["MSG-BASIC"])
    why.details = ["a detail"]
    ticket = render_ticket(summary(verdict="incomplete", incomplete=True, cut_short=[why]))
    # The verdict says it was cut short; the block says why, once.
    assert (
        "**Why it is incomplete:**\n\n"
        "- The run's request budget of 5 requests is spent.\n  - a detail\n\n"
    ) in ticket
    # A failure that finished outranks incomplete; the flag then says the run was cut short too.
    failed = render_ticket(summary(verdict="nonconformant", incomplete=True, cut_short=[why]))
    assert "**The run is incomplete:** it was cut short before every check was judged." in failed


def test_cases_the_run_was_cut_short_in_are_not_counted_as_failed() -> None:
    cut = replace(check("MSG-STREAM", "error"), cut_short="budget")
    ticket = render_ticket(summary(verdict="incomplete", incomplete=True, checks=[cut]))
    assert "failed or could not judge" not in ticket


def test_backticks_in_wire_text_cannot_break_the_markdown() -> None:
    assert code("a`b") == "`` a`b ``"
    block = fenced("```\nx\n```", "json")
    assert block.startswith("````json\n") and block.endswith("\n````")
