"""The fleet inventory (typed validation, duplicates) and the matrix plan (chunks within Actions' 256-job limit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, run_mlaudit

from mlaudit.errors import ConfigError
from mlaudit.fleet.inventory import load_inventory
from mlaudit.fleet.plan import MATRIX_JOB_LIMIT, plan_fleet


def parse_github_output(text: str) -> dict[str, str]:
    """``name<<DELIM`` blocks as GitHub reads them."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        name, _, delimiter = line.partition("<<")
        body = []
        for value in lines:
            if value == delimiter:
                break
            body.append(value)
        values[name] = "\n".join(body)
    return values


def write_inventory(path: Path, count: int, *, extra: str = "") -> Path:
    tiers = ("high", "medium", "low")
    lines = [extra]
    for i in range(count):
        lines += ["[[repositories]]", f'name = "acme/model-{i:05d}"', f'tier = "{tiers[i % 3]}"',
                  f'owners = ["team-{i % 7}"]', ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_600_repositories_plan_into_three_chunks_within_the_limit(tmp_path: Path) -> None:
    inventory = load_inventory(write_inventory(tmp_path / "mlaudit-fleet.toml", 600))
    plan = plan_fleet(inventory)
    assert [len(c) for c in plan.chunks] == [200, 200, 200]
    assert all(len(c) <= MATRIX_JOB_LIMIT for c in plan.chunks)
    names = [row["repository"] for chunk in plan.chunks for row in chunk]
    assert sorted(names) == sorted(f"acme/model-{i:05d}" for i in range(600)), "each repository exactly once"
    # high risk first
    assert {row["tier"] for row in plan.chunks[0]} == {"high"}
    assert plan.chunks[0][0] == {"repository": "acme/model-00000", "tier": "high", "path": ".", "config": "",
                                 "artifact": "acme__model-00000"}
    assert plan.max_parallel == 20


@pytest.mark.parametrize(("count", "sizes"), [(0, []), (1, [1]), (256, [256]), (257, [129, 128]),
                                              (513, [171, 171, 171])])
def test_chunks_are_the_fewest_and_even(tmp_path: Path, count: int, sizes: list[int]) -> None:
    plan = plan_fleet(load_inventory(write_inventory(tmp_path / "f.toml", count)))
    assert [len(c) for c in plan.chunks] == sizes


def test_plan_command_prints_the_matrix_and_writes_github_outputs(tmp_path: Path) -> None:
    inventory = write_inventory(tmp_path / "mlaudit-fleet.toml", 600, extra="[fleet]\nmax_parallel = 40\n")
    outputs = tmp_path / "github_output"
    outputs.write_text("")
    result = run_mlaudit("fleet", "plan", "--inventory", str(inventory), "--github-output",
                         env={"GITHUB_OUTPUT": str(outputs)})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["chunk_count"] == 3 and data["max_parallel"] == 40 and data["repositories"] == 600
    assert [len(c["include"]) for c in data["chunks"]] == [200, 200, 200]
    assert "3 matrix chunk(s) of at most 200 jobs" in result.stderr
    written = parse_github_output(outputs.read_text())
    assert written["chunk-count"] == "3" and written["max-parallel"] == "40"
    chunks = json.loads(written["chunks"])
    assert [(c["index"], c["size"]) for c in chunks] == [(0, 200), (1, 200), (2, 200)]
    assert [json.loads(c["matrix"]) for c in chunks] == data["chunks"], "each chunk's matrix as a JSON string"
    one = run_mlaudit("fleet", "plan", "--inventory", str(inventory), "--chunk", "2")
    assert one.returncode == 0
    assert len(json.loads(one.stdout)["include"]) == 200
    bad = run_mlaudit("fleet", "plan", "--inventory", str(inventory), "--chunk", "3")
    assert bad.returncode == 2 and "the plan has 3 chunk(s)" in bad.stderr


def test_the_example_inventory_is_valid() -> None:
    inventory = load_inventory(PROJECT_ROOT / "examples" / "mlaudit-fleet.toml")
    assert [r.name for r in inventory.repositories] == ["acme/fraud-scoring", "acme/support-llm",
                                                        "acme/image-tagger"]
    assert set(inventory.slos) == {"high-risk-coverage", "critical-fixed-within-7-days", "drift-alerts"}
    assert inventory.discover[0].topic == "ml-model"


@pytest.mark.parametrize(("text", "message"), [
    ('[[repositories]]\nname = "a/b"\ncolour = "red"\n', "unknown key 'repositories[0].colour'"),
    ('[[repositories]]\nname = "a/b"\n[[repositories]]\nname = "A/B"\n',
     "repository 'A/B' is listed twice (repositories[0] and repositories[1])"),
    ('[[repositories]]\nname = "a/b"\ntier = "critical"\n', "'repositories[0].tier' must be one of"),
    ('[[repositories]]\nname = "just-a-name"\n', "must be 'owner/name'"),
    ('[[repositories]]\nname = "a/b"\npath = "../escape"\n', "relative path inside the repository"),
    ('[fleet]\nfresh_days = "thirty"\n', "'fleet.fresh_days' must be an integer"),
    ('[slos.x]\nkind = "uptime"\n', "'slos.x.kind' must be one of"),
    ('[slos.x]\nobjective = 1.5\n', "'slos.x.objective' must be between 0 and 1"),
    ('[[discover]]\norg = "acme"\n', "needs both 'org' and 'topic'"),
    ('[[discover]]\norg = "acme"\ntopic = "ml"\n[[discover]]\norg = "ACME"\ntopic = "ML"\n', "listed twice"),
    ("[fleet\n", "not valid TOML"),
])
def test_configuration_errors_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "mlaudit-fleet.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_inventory(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_configuration_error_exits_2_from_the_command(tmp_path: Path) -> None:
    path = tmp_path / "mlaudit-fleet.toml"
    path.write_text('[[repositories]]\nname = "a/b"\n[[repositories]]\nname = "a/b"\n')
    result = run_mlaudit("fleet", "plan", "--inventory", str(path))
    assert result.returncode == 2
    assert f"{path}: repository 'a/b' is listed twice" in result.stderr
