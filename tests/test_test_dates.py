"""No test module reads the clock at import: a date taken then is yesterday's for the tests
that run after midnight. Tests take the `today` fixture or read the clock themselves."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CLOCK_CALLS = ("localdate", "today", "now")


def clock_reads_at_import(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in ast.walk(statement):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in CLOCK_CALLS):
                found.append(f"{path.relative_to(TESTS)}:{node.lineno}")
    return found


def test_no_test_module_reads_the_clock_at_import():
    assert [hit for path in sorted(TESTS.rglob("*.py")) for hit in clock_reads_at_import(path)] == []
