"""The apps depend one way: threads on forum.accounts, forum.accounts on forum, never back."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    """The modules the file imports, function-level imports counted; `from a import b` counts as
    importing a.b where that is a module of this project, else a."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            named = {f"{node.module}.{alias.name}" for alias in node.names}
            found.update({name for name in named if _is_module(name)} or {node.module})
    return found


def _is_module(name: str) -> bool:
    path = ROOT / name.replace(".", "/")
    return path.with_suffix(".py").exists() or path.is_dir()


def test_nothing_in_forum_imports_threads():
    # Settings and URLs name threads' modules as strings (apps, context processors, include):
    # that is configuration, not an import.
    backwards = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / "forum").rglob("*.py"))
        for module in sorted(_imports(path))
        if module == "threads" or module.startswith("threads.")
    ]
    assert backwards == []


# What each of threads' packages may import of threads, as its __init__ says.
MAY_IMPORT = {
    "text": set(),
    "core": {"models", "text"},
    "models": {"text"},
    "services": {"models", "core", "text", "hn.story_files"},
    "drawing": {"models", "core", "text"},
    "caching": {"drawing", "models", "core", "text"},
    "pages": {"caching", "drawing", "services", "models", "core", "text"},
    "search": {"drawing", "models", "core", "text"},
    "hn": {"search", "caching", "drawing", "models", "core", "text"},
    "admin": {"services", "models", "core", "text"},
}
VIEW_MODULES = {
    "threads.pages.reading",
    "threads.pages.writing",
    "threads.pages.voting",
    "threads.pages.favorites",
    "threads.pages.users",
    "threads.pages.lists",
    "threads.pages.inbox",
    "threads.pages.feeds",
    "threads.search.views",
    "threads.hn.item_api",
    "threads.hn.search_api",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _threads_imports(path: Path) -> set[str]:
    return {name for name in _imports(path) if name.startswith("threads.")}


def _part(module: str) -> str:
    return module.split(".")[1]


def _allowed(importer: str, imported: str) -> bool:
    part, target = _part(importer), imported.removeprefix("threads.")
    if part not in MAY_IMPORT or _part(imported) == part:
        return True
    return any(target == rule or target.startswith(rule + ".") for rule in MAY_IMPORT[part])


def test_threads_packages_import_only_what_they_say():
    wrong = [
        f"{_module_name(path)} imports {imported}"
        for path in sorted((ROOT / "threads").rglob("*.py"))
        if "migrations" not in path.parts
        for imported in sorted(_threads_imports(path))
        if imported != "threads" and not _allowed(_module_name(path), imported)
    ]
    assert wrong == []


def test_no_view_module_imports_another():
    wrong = [
        f"{_module_name(path)} imports {imported}"
        for path in sorted((ROOT / "threads").rglob("*.py"))
        if _module_name(path) in VIEW_MODULES
        for imported in sorted(_threads_imports(path))
        if imported in VIEW_MODULES
    ]
    assert wrong == []


def test_threads_has_few_modules_at_its_top_and_none_passes_400_lines():
    top = sorted(path.name for path in (ROOT / "threads").glob("*.py"))
    assert len(top) <= 12, top
    long = [
        f"{path.relative_to(ROOT)}: {len(path.read_text().splitlines())} lines"
        for folder in ("forum", "threads", "scripts", "bench", "harness")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts and len(path.read_text().splitlines()) > 400
    ]
    assert long == []


def _imports_of_package(package: str) -> dict[str, set[str]]:
    """Each module of `package` with the modules of it that it imports, function-level imports
    counted (as _imports counts them)."""
    paths = [path for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts]
    modules = {_module_name(path) for path in paths}
    graph = {}
    for path in sorted(paths):
        graph[_module_name(path)] = _imports(path) & modules - {_module_name(path)}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """For every module that can reach itself through imports, one loop it is on."""
    loops = []
    for start in sorted(graph):
        paths, seen = [[start]], {start}
        while paths:
            path = paths.pop()
            if start in graph[path[-1]]:
                loops.append([*path, start])
                break
            for imported in sorted(graph[path[-1]] - seen):
                seen.add(imported)
                paths.append([*path, imported])
    return loops


def test_no_module_imports_one_that_imports_it():
    # A function-level import hides such a loop from the top of a module, not from this.
    loops = [
        loop for package in ("forum", "threads") for loop in _cycles(_imports_of_package(package))
    ]
    assert loops == []


def _is_test_module_or_bench(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "bench" or (parts[0] == "tests" and parts[-1].startswith("test_"))


def test_tests_share_helpers_without_importing_a_test_module_or_bench():
    # Helpers live in tests/factories.py, tests/conftest.py or a helper module of tests/, and
    # what tests share with the benches in harness/, which imports neither.
    wrong = [
        f"{path.relative_to(ROOT)} imports {module}"
        for folder in ("tests", "harness")
        for path in sorted((ROOT / folder).glob("*.py"))
        for module in sorted(_imports(path))
        if _is_test_module_or_bench(module) or (folder == "harness" and module.startswith("tests"))
    ]
    assert wrong == []


@pytest.mark.slow  # starts a Python process
def test_every_bench_command_imports_before_django_is_set_up():
    # `python -m bench.x` sets Django up itself, in main(): a model or service imported at the
    # top of the module would stop the command before it starts.
    commands = sorted(set(re.findall(r"-m (bench\.\w+)", (ROOT / "Makefile").read_text())))
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    code = "; ".join(f"import {module}" for module in commands)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert len(commands) >= 6 and done.returncode == 0, done.stderr[-2000:]
