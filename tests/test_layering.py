"""The layout is the architecture: a file's folder is its layer, and each layer imports only the
layers below it (relative imports included); the pure layers import no network, pytest, vcrpy or
SDK code, not even at run time. ARCHITECTURE.md draws the same table; a test keeps them equal.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"
ARCHITECTURE = PACKAGE.parent / "ARCHITECTURE.md"

# Which layers (folders of the package) each layer may import. The package's root module holds
# only the version, which every layer may read.
LAYERS: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "config": frozenset({"core"}),
    "emulator": frozenset({"core"}),
    "judge": frozenset({"core"}),
    "diagnosis": frozenset({"core", "judge"}),
    "recording": frozenset({"core", "config"}),
    "target": frozenset({"core", "config", "recording", "emulator", "judge"}),
    "suite": frozenset({"core", "config", "target", "judge", "diagnosis"}),
    "summary": frozenset({"core", "diagnosis"}),
    "report": frozenset({"core", "summary"}),
    "plugin": frozenset({"core", "config", "recording", "target", "summary", "report"}),
    "cli": frozenset({"core", "config", "emulator", "summary", "report", "plugin"}),
}
# Layers that do no I/O: no network, pytest, vcrpy or SDK client; the exceptions are named.
PURE = ("core", "config", "emulator", "judge", "diagnosis", "summary", "report")
PURE_EXCEPTIONS = {
    "emulator/server.py": {"http", "socket", "socketserver"},  # the emulator's socket shell
    "judge/shapes.py": {"anthropic", "pydantic"},  # the SDK's types (no client), imported lazily
}
FORBIDDEN = frozenset(
    {
        "httpx",
        "httpx2",
        "httpcore",
        "pytest",
        "_pytest",
        "vcr",
        "anthropic",
        "azure",
        "socket",
        "socketserver",
        "ssl",
        "http",
        "urllib3",
        "requests",
        "subprocess",
    }
)
# Imports of the project's own modules inside a function, each for its cost (never a cycle).
LATE_IMPORTS = {
    ("cli/main.py", "conformance.report"): "jinja2 and the templates, for report/ticket only",
    ("cli/main.py", "conformance.cli.run"): "pytest and the plugin, for `run` only",
    ("cli/main.py", "conformance.cli.emulator"): "the emulator's server, for `emulator` only",
    (
        "cli/main.py",
        "conformance.cli.fleet",
    ): "pytest, the plugin and multiprocessing, for fleets only",
    ("cli/main.py", "conformance.cli.fleet_files"): "jinja2 and the templates, for `merge` only",
    ("cli/console.py", "conformance.cli.main"): "the command line, once the signals are handled",
    ("recording/__init__.py", "conformance.recording.record"): "vcrpy, in record runs only",
    ("recording/__init__.py", "conformance.recording.replay"): "vcrpy, in replay runs only",
    ("suite/test_sdk.py", "conformance.target.sdk"): "the SDK, in the SDK checks only",
}
MAX_LINES = 400


@dataclass(frozen=True)
class Import:
    """One import of a module: the absolute name, the line, and whether it is inside a block."""

    module: str
    line: int
    late: bool


def _module_name(path: Path, root: Path) -> list[str]:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return parts[:-1] if parts[-1] == "__init__" else parts


def imports_of(path: Path, root: Path) -> list[Import]:
    """Every import in ``path``, relative ones resolved against its place under ``root``."""
    tree = ast.parse(path.read_text("utf-8"))
    top = {id(node) for node in tree.body}
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module[:-1]
    found: list[Import] = []
    for node in ast.walk(tree):
        late = id(node) not in top and not _under_type_checking(tree, node)
        if isinstance(node, ast.Import):
            found += [Import(alias.name, node.lineno, late) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if node.level and not node.module:  # ``from . import x``: x is a module
                found += [Import(f"{name}.{alias.name}", node.lineno, late) for alias in node.names]
            else:
                found.append(Import(name, node.lineno, late))
    return found


def _under_type_checking(tree: ast.Module, node: ast.AST) -> bool:
    return any(
        isinstance(block, ast.If)
        and "TYPE_CHECKING" in ast.unparse(block.test)
        and any(child is node for child in ast.walk(block))
        for block in tree.body
    )


def layer_of(path: Path, root: Path) -> str | None:
    """The layer (top folder) of a module, or None for the package's root module."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else None


def layer_violations(root: Path) -> list[str]:
    """Every import that goes against ``LAYERS``, as ``file:line: what and why``."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        layer = layer_of(path, root)
        relative = path.relative_to(root).as_posix()
        if layer is None:
            continue
        if layer not in LAYERS:
            problems.append(f"{relative}: the folder {layer}/ is not a layer of the table")
            continue
        for imported in imports_of(path, root):
            parts = imported.module.split(".")
            if parts[0] != root.name or len(parts) < 2 or parts[1] in ("__version__",):
                continue
            target = parts[1]
            if target != layer and target not in LAYERS[layer]:
                problems.append(
                    f"{relative}:{imported.line}: the {layer} layer imports {imported.module} "
                    f"({target}/), which it may not (it may import {sorted(LAYERS[layer])})"
                )
    return problems


def test_every_layer_imports_only_the_layers_below_it() -> None:
    assert layer_violations(PACKAGE) == []


def test_the_layers_form_no_cycle() -> None:
    seen: set[str] = set()

    def visit(layer: str, path: tuple[str, ...]) -> None:
        assert layer not in path, f"layer cycle: {' → '.join((*path, layer))}"
        if layer in seen:
            return
        for below in LAYERS[layer]:
            visit(below, (*path, layer))
        seen.add(layer)

    for layer in LAYERS:
        visit(layer, ())


def test_every_folder_of_the_package_is_a_layer_of_the_table() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(LAYERS)


def test_the_check_sees_a_relative_import_of_the_seam_in_a_pure_module(tmp_path: Path) -> None:
    """A test of the test: ``from ..target.seam import …`` in the summary layer is caught."""
    root = tmp_path / "conformance"
    (root / "summary").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "summary" / "__init__.py").write_text("")
    (root / "summary" / "verdict.py").write_text(
        "from __future__ import annotations\n\nfrom ..target.seam import InteractionLog\n"
    )
    (root / "summary" / "build.py").write_text("from . import verdict\nfrom ..core import errors\n")
    assert layer_violations(root) == [
        "summary/verdict.py:3: the summary layer imports conformance.target.seam (target/), "
        "which it may not (it may import ['core', 'diagnosis'])"
    ]


def _pure_modules() -> list[Path]:
    return [
        path
        for path in sorted(PACKAGE.rglob("*.py"))
        if layer_of(path, PACKAGE) in PURE or layer_of(path, PACKAGE) is None
    ]


@pytest.mark.parametrize("path", _pure_modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_pure_module_imports_no_io(path: Path) -> None:
    relative = path.relative_to(PACKAGE).as_posix()
    roots = {imported.module.split(".")[0] for imported in imports_of(path, PACKAGE)}
    bad = roots & FORBIDDEN - PURE_EXCEPTIONS.get(relative, set())
    assert not bad, (
        f"{relative} is in a pure layer but imports {sorted(bad)}; move the I/O into an I/O "
        "layer (see ARCHITECTURE.md) or pass the result in"
    )


@pytest.mark.parametrize("layer", PURE)
def test_importing_a_pure_layer_loads_no_forbidden_module(layer: str) -> None:
    """At run time too: measured against what importing the package root and reading its version
    (which every layer may do; it is read from the installed metadata on first use) loads."""
    probe = (
        "import sys\n"
        "import conformance\n"
        "conformance.__version__\n"
        "before = set(sys.modules)\n"
        f"import pkgutil, importlib, conformance.{layer} as layer\n"
        "for info in pkgutil.walk_packages(layer.__path__, layer.__name__ + '.'):\n"
        "    if info.name != 'conformance.emulator.server':\n"
        "        importlib.import_module(info.name)\n"
        f"print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in {set(FORBIDDEN)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_project_module_is_imported_late_except_for_its_cost() -> None:
    late = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        for imported in imports_of(path, PACKAGE):
            if imported.late and imported.module.startswith("conformance"):
                late.add((relative, imported.module))
    assert late == set(LATE_IMPORTS)


def test_no_project_module_is_imported_for_type_checking_only() -> None:
    """A ``TYPE_CHECKING`` import of the project's own code is a cycle in disguise."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for block in tree.body:
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test):
                for node in ast.walk(block):
                    if isinstance(node, ast.ImportFrom):
                        assert node.level == 0 and not (node.module or "").startswith(
                            "conformance"
                        ), f"{path.relative_to(PACKAGE)}:{node.lineno}"


def test_no_module_is_over_the_size_limit() -> None:
    sizes = {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text("utf-8").splitlines())
        for path in PACKAGE.rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_architecture_md_draws_the_same_table() -> None:
    """ARCHITECTURE.md's table of layers says, in folder names, what ``LAYERS`` says."""
    rows = re.findall(r"^\| `(\w+)/` \| ([^|]*) \| ([^|]*) \|", ARCHITECTURE.read_text(), re.M)
    drawn = {
        folder: frozenset(re.findall(r"`(\w+)/`", may_import)) for folder, _, may_import in rows
    }
    assert drawn == LAYERS
    pure = {folder for folder, kind, _ in rows if kind.strip().startswith("pure")}
    assert pure == set(PURE)


def test_the_plugin_imports_without_unix_only_modules() -> None:
    """The pytest11 entry point imports on Windows: no fcntl, termios, pwd, grp or resource."""
    probe = (
        "import sys\n"
        "for name in ('fcntl', 'termios', 'pwd', 'grp', 'resource'):\n"
        "    sys.modules[name] = None  # importing it raises ImportError, as on Windows\n"
        "import conformance.plugin, conformance.plugin.hooks, conformance.cli.main\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
