"""One direction of dependency (issue 16): the layers contract is in `make lint`, ignores nothing,
counts imports inside functions, and the tree keeps it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["teaching", "content", "ingestion | flags", "accounts", "schools", "vividly"]


def _config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_the_layers_contract_covers_every_app_and_ignores_nothing():
    config = _config()
    [contract] = config["contracts"]
    assert contract["type"] == "layers"
    assert contract["layers"] == LAYERS
    assert not contract.get("ignore_imports")
    assert not config.get("exclude_type_checking_imports")
    apps = {name.strip() for layer in LAYERS for name in layer.split("|")}
    assert set(config["root_packages"]) == apps
    # every first-party app of the project is in a layer
    assert apps >= {path.parent.name for path in ROOT.glob("*/apps.py")}


def test_imports_inside_functions_are_edges_of_the_graph():
    # content.alerts imports content.tasks inside its function only: the graph still has the edge
    source = (ROOT / "content" / "alerts.py").read_text()
    assert re.search(r"^    from content\.tasks import", source, re.M)
    assert not re.search(r"^from content\.tasks import", source, re.M)
    graph = grimp.build_graph("content", cache_dir=None)
    assert graph.direct_import_exists(importer="content.alerts", imported="content.tasks")


def test_make_lint_runs_the_contract_and_the_tree_keeps_it(monkeypatch, capsys):
    lint = re.search(r"^lint:.*\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert "lint-imports" in lint
    monkeypatch.chdir(ROOT)  # lint-imports reads ./pyproject.toml
    exit_code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "1 kept, 0 broken" in report
