"""The package as users get it: a wheel that holds every module, and modules without cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "digest"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that `name` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {module for module in found if module in known and module != name}


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:` (imports for annotations only)."""
    found = []
    pending = [tree]
    while pending:
        node = pending.pop()
        found.append(node)
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return found


def test_no_module_imports_itself_through_others() -> None:
    modules = _modules()
    known = set(modules)
    graph = {name: _imports(name, path, known) for name, path in modules.items()}
    for package in known:  # importing a submodule runs its package's __init__ first
        for name in graph:
            if name.startswith(package + ".") and package in graph[name]:
                graph[name].discard(package)
    cycles = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == [], "\n".join(" → ".join(cycle) for cycle in cycles)


def test_a_built_wheel_holds_and_imports_every_module(tmp_path: Path) -> None:
    wheel_command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*wheel_command, "-q", "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp_path / "dist").glob("newsroom_digest-*.whl")
    unpacked = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(unpacked)
    expected = {str(path.relative_to(ROOT)) for path in _modules().values()}
    assert expected <= set(names)
    assert any(name.startswith("digest/templates/") and name.endswith(".html") for name in names)
    script = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(unpacked)!r})\n"
        f"for name in {sorted(_modules())!r}:\n"
        "    module = importlib.import_module(name)\n"
        f"    assert module.__file__.startswith({str(unpacked)!r}), module.__file__\n"
        "from digest.config import DEFAULT_TEMPLATES\n"
        f"assert str(DEFAULT_TEMPLATES).startswith({str(unpacked)!r}), DEFAULT_TEMPLATES\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def _package_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def test_reading_and_caching_import_no_later_stage() -> None:
    """Sources read without enrichment or rendering; the cache knows no stage's internals."""
    graph = _package_graph()
    later = ("digest.enrich", "digest.feeds", "digest.mail", "digest.preview", "digest.stages")
    for name, imported in graph.items():
        if name.startswith("digest.sources"):
            assert not {m for m in imported if m.startswith(later)}, name
    stages = ("digest.sources", "digest.enrich", "digest.feeds", "digest.mail", "digest.stages")
    seams = {"digest.sources.base"}  # the Source protocol and its record type, not a stage
    assert not {m for m in graph["digest.incremental.cache"] if m.startswith(stages)} - seams
