"""monitoring.scrubbing's internal API is explicit: a leading underscore means "this file only".

A newcomer renaming ``_walk_mapping`` should have to read one file, not grep the package: each
module lists in ``__all__`` what its siblings may use, no module imports a sibling's
``_private`` name, and code outside the package imports only what ``monitoring.scrubbing``
exports. These tests read the source with ``ast`` so they fail on the import itself, before it
ever runs.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import monitoring.scrubbing

PACKAGE_DIR = Path(monitoring.scrubbing.__file__).parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
MODULES = sorted(PACKAGE_DIR.glob("*.py"))
# Folders that are not the project's code: tests may reach into the package to test its parts.
NOT_PROJECT_CODE = {".venv", "tests", "node_modules", "var", ".git"}


def _package_imports(path: Path) -> list[tuple[str, str, int]]:
    """``(module, name, line)`` for every ``from monitoring.scrubbing[.x] import name`` in
    ``path``, relative imports resolved against the package."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            module = "monitoring.scrubbing" + (f".{node.module}" if node.module else "")
        else:
            module = node.module or ""
        if module == "monitoring.scrubbing" or module.startswith("monitoring.scrubbing."):
            found.extend((module, alias.name, node.lineno) for alias in node.names)
    return found


def _project_files() -> list[Path]:
    return [
        path
        for path in PROJECT_DIR.rglob("*.py")
        if not NOT_PROJECT_CODE.intersection(path.relative_to(PROJECT_DIR).parts)
        and PACKAGE_DIR not in path.parents
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_scrubbing_module__imports_no_private_name_of_a_sibling(path: Path) -> None:
    private = [
        f"{path.name}:{line}: from {module} import {name}"
        for module, name, line in _package_imports(path)
        if name.startswith("_")
    ]
    assert private == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_scrubbing_module__declares_what_it_exports(path: Path) -> None:
    module = importlib.import_module(f"monitoring.scrubbing.{path.stem}".removesuffix(".__init__"))
    exported = getattr(module, "__all__", None)
    assert exported, f"{path.name} has no __all__"
    assert [name for name in exported if name.startswith("_")] == []
    assert [name for name in exported if not hasattr(module, name)] == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_scrubbing_module__imports_only_what_siblings_export(path: Path) -> None:
    undeclared = []
    for module_name, name, line in _package_imports(path):
        exported = importlib.import_module(module_name).__all__
        if name not in exported:
            undeclared.append(f"{path.name}:{line}: {name} is not in {module_name}.__all__")
    assert undeclared == []


def test_scrubbing_package__is_used_through_its_exports_only() -> None:
    exported = set(monitoring.scrubbing.__all__)
    reaching_in = [
        f"{path.relative_to(PROJECT_DIR)}:{line}: from {module} import {name}"
        for path in _project_files()
        for module, name, line in _package_imports(path)
        if module != "monitoring.scrubbing" or name not in exported
    ]
    assert reaching_in == []


def test_scrubbing_api_check__catches_a_private_import(tmp_path: Path) -> None:
    """The check above would pass on an empty package: show it finds the import it forbids."""
    offender = tmp_path / "offender.py"
    offender.write_text(
        "from monitoring.scrubbing.walk import _walk_mapping\nfrom .text import _truncated\n"
    )
    names = [(module, name) for module, name, _ in _package_imports(offender)]
    assert names == [
        ("monitoring.scrubbing.walk", "_walk_mapping"),
        ("monitoring.scrubbing.text", "_truncated"),
    ]
