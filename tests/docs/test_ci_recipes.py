"""The CI recipes in docs/ci: valid YAML, the invocations the CLI accepts, no stored secret."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.cli.main import build_parser

CI_DIR = Path(__file__).resolve().parents[2] / "docs" / "ci"
GITHUB = CI_DIR / "github-actions-health-check.yml"
AZURE = CI_DIR / "azure-pipelines-health-check.yml"
RECIPES = [GITHUB, AZURE]
TOKEN_COMMAND = (
    "az account get-access-token --resource https://cognitiveservices.azure.com "
    "--query accessToken -o tsv"
)


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


def strings(node: Any) -> Iterator[str]:
    """Every string value in a parsed YAML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def invocations(document: Any) -> list[list[str]]:
    """The argument lists of every ``foundry-conformance`` command the document runs."""
    found = []
    for text in strings(document):
        # CI expressions (``${{ vars.X }}``) hold spaces; any placeholder word parses the same.
        script = re.sub(r"\$\{\{[^}]*\}\}", "PLACEHOLDER", text).replace("\\\n", " ")
        for line in script.splitlines():
            if "foundry-conformance" not in line:
                continue  # prose and other commands need not be shell words
            words = shlex.split(line, comments=True)
            if words[:1] == ["foundry-conformance"]:
                found.append(words[1:])
    return found


def steps(path: Path) -> list[dict[str, Any]]:
    document = load(path)
    if path == GITHUB:
        return [step for job in document["jobs"].values() for step in job["steps"]]
    return list(document["steps"])


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_the_recipe_is_valid_yaml(path: Path) -> None:
    assert isinstance(load(path), dict)


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_every_invocation_uses_flags_the_cli_accepts(path: Path) -> None:
    runs = invocations(load(path))
    assert runs, f"{path.name} runs foundry-conformance"
    parser = build_parser()
    for argv in runs:
        args = parser.parse_args(argv)  # an unknown flag exits 2 here
        assert args.command == "run"
        assert args.suite == "smoke" and args.auth == ["entra"] and args.report_dir


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.name)
def test_the_token_is_fetched_for_cognitive_services_and_masked(path: Path) -> None:
    text = path.read_text("utf-8")
    assert TOKEN_COMMAND in text
    assert "FOUNDRY_CONFORMANCE_ENTRA_TOKEN" in text
    assert "ANTHROPIC_FOUNDRY_API_KEY" not in text


def test_github_signs_in_with_oidc_and_stores_no_secret() -> None:
    document = load(GITHUB)
    assert document["permissions"]["id-token"] == "write"
    assert "secrets." not in GITHUB.read_text("utf-8")
    login = next(s for s in steps(GITHUB) if str(s.get("uses", "")).startswith("azure/login@"))
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}
    token_step = next(s for s in steps(GITHUB) if TOKEN_COMMAND in s.get("run", ""))
    assert "::add-mask::$token" in token_step["run"] and '"$GITHUB_ENV"' in token_step["run"]


def test_github_runs_on_a_schedule_and_keeps_the_artifacts_when_it_fails() -> None:
    document = load(GITHUB)
    # PyYAML reads the bare key ``on`` as a boolean (YAML 1.1).
    triggers = document.get("on", document.get(True))
    assert triggers["schedule"][0]["cron"]
    health = next(s for s in steps(GITHUB) if "foundry-conformance run" in s.get("run", ""))
    assert "continue-on-error" not in health  # a non-conformant run fails the job
    publish = [s for s in steps(GITHUB) if s.get("if") == "always()"]
    uses = {str(s["uses"]).split("@")[0] for s in publish}
    assert uses == {"mikepenz/action-junit-report", "actions/upload-artifact"}
    upload = next(s for s in publish if str(s["uses"]).startswith("actions/upload-artifact@"))
    assert "reports/diagnosis.html" in upload["with"]["path"]
    assert "reports/support-ticket.md" in upload["with"]["path"]


def test_azure_pipelines_uses_a_service_connection_and_publishes_either_way() -> None:
    document = load(AZURE)
    assert document["schedules"][0]["cron"]
    tasks = {step.get("task"): step for step in steps(AZURE) if "task" in step}
    cli = tasks["AzureCLI@2"]
    assert cli["inputs"]["azureSubscription"]
    assert "##vso[task.setsecret]" in cli["inputs"]["inlineScript"]
    assert "continueOnError" not in cli
    assert tasks["PublishTestResults@2"]["inputs"]["testResultsFormat"] == "JUnit"
    assert tasks["PublishTestResults@2"]["condition"] == "succeededOrFailed()"
    assert tasks["PublishPipelineArtifact@1"]["condition"] == "always()"


FLEET = CI_DIR / "github-actions-fleet.yml"


def test_the_fleet_recipe_fans_out_per_target_and_merges_in_a_final_job() -> None:
    document = load(FLEET)
    jobs = document["jobs"]
    assert jobs["target"]["strategy"]["fail-fast"] is False
    assert jobs["target"]["strategy"]["matrix"]["target"]
    assert jobs["index"]["needs"] == "target" and jobs["index"]["if"] == "always()"
    runs = invocations(document)
    parser = build_parser()
    commands = [parser.parse_args(argv) for argv in runs]
    fleet_runs = [args for args in commands if args.command == "run"]
    assert fleet_runs and all(args.fleet == "fleet.toml" and args.only for args in fleet_runs)
    # With a baseline, the job fails only on what got worse; without one, on the verdict.
    assert {(args.baseline, args.fail_on) for args in fleet_runs} == {
        ("baseline", "regressions"),
        (None, None),
    }
    (merge,) = [args for args in commands if args.command == "merge"]
    assert merge.dirs == ["jobs/*"] and merge.out == "reports"


def test_the_fleet_recipe_keeps_each_run_as_the_next_runs_baseline_and_stores_no_secret() -> None:
    text = FLEET.read_text("utf-8")
    assert "secrets." not in text and "ANTHROPIC_FOUNDRY_API_KEY" not in text
    assert TOKEN_COMMAND in text and "::add-mask::$token" in text
    target_steps = load(FLEET)["jobs"]["target"]["steps"]
    restore = next(
        s for s in target_steps if str(s.get("uses", "")).startswith("actions/cache/restore@")
    )
    save = next(s for s in target_steps if str(s.get("uses", "")).startswith("actions/cache/save@"))
    assert restore["with"]["path"] == save["with"]["path"] == "baseline"
    assert restore["with"]["restore-keys"] in save["with"]["key"]
    assert save.get("if") == "always()"
    upload = next(
        s for s in target_steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")
    )
    assert upload["with"]["name"].startswith("fleet-") and upload.get("if") == "always()"
