"""The layers point one way: core ← readers / writers / documents ← plan, settle ← cli.

core is pure (no third-party I/O libraries); readers, writers and documents use core only
(and the package's resource locations); the entry points use any of those; the CLI uses all.
A test, so an upward or sideways import fails the build instead of waiting for a review."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "budget"
RANKS = {"core": 0, "readers": 1, "writers": 1, "documents": 1, "resources": 1,
         "plan": 2, "settle": 2, "outputs": 2, "verify": 2, "roster": 2, "web": 2,
         "forecast": 2, "compare": 2, "prefetch": 2, "policy_cache": 2, "cli_text": 3, "cli_help_en": 3, "cli": 3, "console": 3}
FORBIDDEN_IN_CORE = {"yaml", "jinja2", "weasyprint", "typer", "xlsxwriter", "openpyxl", "pandas", "duckdb"}


def part(module: str) -> str:
    """budget.readers.policy_reader → readers; budget → '' (the package itself: version only)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports(path: Path) -> list[tuple[str, int]]:
    module = "budget." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    module = module.removesuffix(".__init__")
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]  # submodules
    return found


def test_no_module_imports_from_a_layer_above_or_beside_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        mine = part("budget." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
        for target, line in imports(path):
            if target.split(".")[0] != "budget":
                if RANKS.get(mine) == 0 and target.split(".")[0] in FORBIDDEN_IN_CORE:
                    wrong.append(f"{path.relative_to(PACKAGE)}:{line}: core imports {target}")
                continue
            theirs = part(target)
            if theirs not in RANKS or theirs == mine or not theirs:
                continue  # the package itself (its version), or a name inside a module
            sideways = RANKS[theirs] == RANKS.get(mine) == 1 and theirs != "resources"  # readers ↮ writers ↮ documents
            if RANKS[theirs] > RANKS.get(mine, 0) or sideways:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line}: {mine or 'budget'} imports {target}")
    assert wrong == []


def test_the_check_itself_sees_an_upward_import(tmp_path, monkeypatch):
    """The rule above must fail on a real upward import, not pass vacuously."""
    fake = tmp_path / "budget"
    (fake / "core").mkdir(parents=True)
    (fake / "core" / "bad.py").write_text("from ..plan import run_plan\n", encoding="utf-8")
    (fake / "plan.py").write_text("", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    try:
        test_no_module_imports_from_a_layer_above_or_beside_it()
    except AssertionError as failure:
        assert "core/bad.py:1: core imports budget.plan" in str(failure)
    else:
        raise AssertionError("an upward import went unnoticed")
