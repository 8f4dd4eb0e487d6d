"""The apps depend one way: threads on forum.accounts, forum.accounts on forum, never back."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_nothing_in_forum_imports_threads():
    # Settings and URLs name threads' modules as strings (apps, context processors, include):
    # that is configuration, not an import.
    backwards = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / "forum").rglob("*.py"))
        for module in sorted(_imported_modules(path))
        if module == "threads" or module.startswith("threads.")
    ]
    assert backwards == []
