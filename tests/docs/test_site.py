"""The documentation site: `mkdocs build --strict` passes and nothing the code defines is missing from it.

Checks, rules, configuration keys, hooks, CLI commands and Action inputs are collected from
the code (the registry, the source's rule ids, the options dataclasses, the hook manifest,
`action.yml`), and each must be documented: a failure names what is missing and where to add it.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from html import escape as html_escape
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import PROJECT_ROOT

from mlaudit.model import CheckResult, Finding, Pillar, Report, Severity, Status
from mlaudit.registry import REGISTRY
from mlaudit.render.sarif import DOCS_URL, sarif_log

DOCS = PROJECT_ROOT / "docs"
SRC = PROJECT_ROOT / "src" / "mlaudit"


def _docs_hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mlaudit_docs_hooks", DOCS / "hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


HOOKS = _docs_hooks()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The site built with `mkdocs build --strict` into a temporary folder (warnings are errors)."""
    dest = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(dest)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, env=env, check=False, timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "WARNING" not in proc.stderr, proc.stderr[-4000:]
    yield dest


def _page(site: Path, rel: str) -> str:
    path = site / rel / "index.html" if rel else site / "index.html"
    assert path.is_file(), f"the site has no page {rel}"
    return path.read_text(encoding="utf-8")


# --- rule ids, from the source ------------------------------------------------------------------


def _kebab(check: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(check)}\.[a-z0-9]+(?:-[a-z0-9]+)*$")


def _option_paths(check_id: str) -> set[str]:
    """``<check>.<key>`` strings name a configuration key (in error messages), not a rule."""
    cls = REGISTRY[check_id].options_type
    return {f"{check_id}.{f.name.replace('_', '-')}" for f in dataclasses.fields(cls)} | {
        f"{check_id}.{f.name}" for f in dataclasses.fields(cls)
    }


def _serialization_kinds() -> dict[str, str]:
    """``serialization.<kind>`` rules: the kinds the scanner and the format parsers name."""
    kinds: dict[str, str] = {}
    for path in [*sorted((SRC / "serialization").glob("*.py")), *sorted((SRC / "formats").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("FormatIssue", "add") and isinstance(node.args[0].value, str):
                    kinds.setdefault(node.args[0].value, str(path.relative_to(PROJECT_ROOT)))
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and node.target.id == "REMEDIATIONS" and isinstance(node.value, ast.Dict)):
                for key in node.value.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        kinds.setdefault(key.value, str(path.relative_to(PROJECT_ROOT)))
    return {f"serialization.{k}": where for k, where in kinds.items() if re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", k)}


def source_rule_ids() -> tuple[dict[str, str], dict[str, str]]:
    """(rule id -> a file that raises it, rule-id prefix of an f-string -> its file), from src/mlaudit.

    A rule is a string literal ``<check>.<kebab-name>`` for a registered check (not a configuration
    key), or any ``rule="<prefix>.<kebab-name>"`` keyword (``config.loosened`` has no check of its own).
    """
    patterns = {check: _kebab(check) for check in REGISTRY}
    not_rules = {path for check in REGISTRY for path in _option_paths(check)}
    rules: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        where = str(path.relative_to(PROJECT_ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "rule" and isinstance(node.value, ast.Constant):
                value = str(node.value.value)
                if re.fullmatch(r"[a-z][a-z0-9_]*\.[a-z0-9]+(?:-[a-z0-9]+)*", value):
                    rules.setdefault(value, where)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                check = node.value.split(".", 1)[0]
                if check in patterns and patterns[check].match(node.value) and node.value not in not_rules:
                    rules.setdefault(node.value, where)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                head = str(node.values[0].value)
                check = head.split(".", 1)[0]
                if check in patterns and re.fullmatch(rf"{re.escape(check)}\.[a-z0-9-]*", head):
                    prefixes.setdefault(head, where)
    for rule, where in _serialization_kinds().items():
        rules.setdefault(rule, where)
    return rules, prefixes


def test_rule_ids_are_collected_from_the_source() -> None:
    rules, prefixes = source_rule_ids()
    assert {"weights.mismatch", "pins.action-unpinned", "serialization.dangerous-import",
            "serialization.archive-bomb", "privacy.secret-in-data", "access.tags-unprotected"} <= set(rules)
    assert "drift.current" not in rules  # a configuration key in an error message, not a rule
    assert {"access.workflow-", "provenance.card-missing-", "serialization."} <= set(prefixes)


def test_every_rule_has_an_anchor_on_its_checks_page(site: Path) -> None:
    rules, prefixes = source_rule_ids()
    missing: list[str] = []
    documented: dict[str, set[str]] = {}
    for check in sorted({*REGISTRY, *(rule.split(".", 1)[0] for rule in rules)}):
        page = DOCS / "checks" / f"{check}.md"
        documented[check] = HOOKS.documented_rules(page.read_text(encoding="utf-8"), check) if page.is_file() else set()
        html = _page(site, f"checks/{check}") if page.is_file() else ""
        for rule in documented[check]:
            assert f'id="{rule}"' in html, f"{rule}: documented in {page} but the built page has no anchor"
    for rule, where in sorted(rules.items()):
        check = rule.split(".", 1)[0]
        if rule not in documented[check]:
            new_page = "" if (DOCS / "checks" / f"{check}.md").is_file() else " (a new page: add it to mkdocs.yml)"
            missing.append(f"{rule} (raised in {where}): add a row `| `{rule}` | <severity> | <why> |` to the "
                           f"rules table of docs/checks/{check}.md{new_page}")
    for prefix, where in sorted(prefixes.items()):
        check = prefix.split(".", 1)[0]
        if not any(rule.startswith(prefix) for rule in documented[check]):
            missing.append(f"rules {prefix}<…> (made in {where}): document them in docs/checks/{check}.md")
    assert not missing, "rules without documentation:\n" + "\n".join(missing)


def test_every_check_has_a_page_in_the_nav(site: Path) -> None:
    nav = (PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    index = _page(site, "checks")
    for check_id, check in REGISTRY.items():
        assert f"checks/{check_id}.md" in nav, f"check {check_id}: add docs/checks/{check_id}.md to the nav of mkdocs.yml"
        assert f"<code>{check_id}</code>" in index, f"check {check_id} is not in the generated checks table"
        assert check.title in _page(site, f"checks/{check_id}")


def test_every_configuration_key_has_a_type_default_and_meaning(site: Path) -> None:
    html = _page(site, "configuration")
    undocumented: list[str] = []
    for header, cls in HOOKS.config_sections().values():
        assert f"<code>{header}</code>" in html, f"section {header} is missing from docs/configuration.md"
        for doc in HOOKS.option_docs(cls):
            if not doc.meaning:
                undocumented.append(f"{header} {doc.key}: add a docstring under the field in {cls.__module__}."
                                    f"{cls.__qualname__}")
            assert f"<code>{html_escape(doc.key)}</code>" in html, f"{header} {doc.key} is not on the configuration page"
    assert not undocumented, "configuration keys without a meaning:\n" + "\n".join(undocumented)


def test_the_configuration_reference_shows_real_defaults() -> None:
    text = HOOKS.options_markdown("general")
    assert '| `fail_on` | `"critical"` \\| `"high"`' in text and '| `"high"` |' in text
    weights = HOOKS.options_markdown("weights")
    assert '| `manifest` | string | `"weights.lock.json"` |' in weights
    performance = HOOKS.options_markdown("performance")
    assert "`metrics.<name>.direction`" in performance  # nested tables are flattened


def test_every_action_input_and_output_is_documented(site: Path) -> None:
    action = yaml.safe_load((PROJECT_ROOT / "action.yml").read_text(encoding="utf-8"))
    html = _page(site, "action")
    for kind in ("inputs", "outputs"):
        for name, spec in action[kind].items():
            assert str(spec.get("description", "")).strip(), f"action.yml {kind}.{name} has no description"
            assert f"<td><code>{name}</code></td>" in html, f"action.yml {kind}.{name} is not on the Action page"


def test_every_hook_is_documented(site: Path) -> None:
    html = _page(site, "hooks")
    for hook in yaml.safe_load((PROJECT_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")):
        assert f"<td><code>{hook['id']}</code></td>" in html, f"hook {hook['id']}: add a row to docs/hooks.md"


def test_every_cli_command_is_documented(site: Path) -> None:
    from mlaudit.cli.main import COMMANDS

    html = _page(site, "cli")
    for name in COMMANDS:
        assert f'id="mlaudit-{name}"' in html, f"mlaudit {name} has no reference section"
        assert f"<code>mlaudit {name}" in html, f"mlaudit {name}: add a row to the table of docs/cli.md"


def test_sarif_help_uri_lands_on_the_rule_anchor(site: Path) -> None:
    """Every rule's helpUri is a page of this site with the rule's anchor (and mkdocs.yml's site_url)."""
    config = yaml.safe_load((PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python", "#"))
    assert config["site_url"] == DOCS_URL
    rules, _ = source_rule_ids()
    rules = {**rules, "weights.waiver-expired": "waivers"}
    findings = tuple(Finding(rule=r, severity=Severity.LOW, message="m") for r in sorted(rules))
    report = Report(tool_version="0", root=".", status=Status.FAIL, fail_on=Severity.HIGH, checks=(
        CheckResult("all", "All", Pillar.SECURITY, Status.FAIL, "", findings),))
    for rule in sarif_log(report)["runs"][0]["tool"]["driver"]["rules"]:
        uri = urlsplit(rule["helpUri"])
        assert rule["helpUri"].startswith(DOCS_URL)
        page = uri.path[len(urlsplit(DOCS_URL).path):].strip("/")
        assert f'id="{uri.fragment}"' in _page(site, page), f"{rule['id']}: {rule['helpUri']} has no such anchor"


def test_the_json_schema_is_linked_from_the_docs() -> None:
    text = (DOCS / "json-report.md").read_text(encoding="utf-8")
    assert "mlaudit/schemas/report.schema.json" in text
    assert json.loads((SRC / "schemas" / "report.schema.json").read_text(encoding="utf-8"))["properties"]


def test_no_stale_names_in_the_docs() -> None:
    for path in [PROJECT_ROOT / "README.md", PROJECT_ROOT / "CONTRIBUTING.md", *DOCS.rglob("*.md")]:
        text = path.read_text(encoding="utf-8")
        assert "mlaudit.checks.REGISTRY" not in text, f"{path}: the registry is mlaudit.registry.REGISTRY"
        assert "Check ids are fixed: `weights`" not in text, f"{path}: a hand-written check list goes stale"


def _toml_examples() -> list[tuple[str, str]]:
    examples = []
    for page in sorted(DOCS.rglob("*.md")):
        for block in re.findall(r"```toml\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            if re.search(r"^\[+tool\.mlaudit", block, re.M):
                examples.append((str(page.relative_to(PROJECT_ROOT)), block))
    return examples


@pytest.mark.parametrize(("page", "block"), _toml_examples(), ids=lambda v: v if v.endswith(".md") else "")
def test_every_configuration_example_in_the_docs_is_valid(tmp_path: Path, page: str, block: str) -> None:
    """A copied example must load: unknown keys and wrong types are errors (ConfigError)."""
    from mlaudit.config import load_config
    from mlaudit.registry import SECTION_TYPES

    (tmp_path / "pyproject.toml").write_text(block, encoding="utf-8")
    load_config(tmp_path).validate(SECTION_TYPES)


def test_the_docs_have_configuration_examples() -> None:
    pages = {page for page, _ in _toml_examples()}
    assert {"docs/configuration.md", "docs/checks/pins.md", "docs/checks/privacy.md", "docs/evidence.md"} <= pages
