"""The import contracts of pyproject.toml ([tool.importlinter]), which `make test` runs with
lint-imports: an import against the layering fails the run and names both modules."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("strategy", "releases", "feedback", "roadmap", "tests", "bench")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([LINT_IMPORTS, "--no-cache"], cwd=root, capture_output=True, text=True, timeout=120)


def copy_of_the_project(destination: Path) -> Path:
    """The packages lint-imports reads and the contracts, without templates, data or caches."""
    shutil.copy(ROOT / "pyproject.toml", destination)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, destination / package,
                        ignore=shutil.ignore_patterns("__pycache__", "templates", "results", "*.html"))
    return destination


def test_the_project_keeps_every_import_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_strategy_module_importing_roadmap_breaks_the_layers_contract_naming_both_modules(tmp_path):
    project = copy_of_the_project(tmp_path)
    assert lint_imports(project).returncode == 0
    (project / "strategy" / "upward.py").write_text("from roadmap.models import ShareLink  # noqa: F401\n")

    result = lint_imports(project)

    assert result.returncode != 0
    assert "Apps import only downwards" in result.stdout
    assert "BROKEN" in result.stdout
    assert "strategy.upward -> roadmap.models" in result.stdout


def test_an_app_importing_the_tests_breaks_the_forbidden_contract(tmp_path):
    project = copy_of_the_project(tmp_path)
    (project / "releases" / "fixtures.py").write_text("from tests.factories import ProductFactory  # noqa: F401\n")

    result = lint_imports(project)

    assert result.returncode != 0
    assert "releases.fixtures -> tests.factories" in result.stdout
