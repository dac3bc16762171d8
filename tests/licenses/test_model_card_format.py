"""The model card parser: real front matter, and every way a card can be unusable."""

from __future__ import annotations

from pathlib import Path

from mlaudit.formats.model_card import (
    MAX_CARD_BYTES,
    CardErrorKind,
    ModelCard,
    ModelCardError,
    find_model_card,
    parse_model_card,
    read_model_card,
)

FULL_CARD = """---
license: other
license_name: llama3
license_link: https://llama.meta.com/llama3/license
base_model:
  - meta-llama/Meta-Llama-3-8B
  - mistralai/Mistral-7B-v0.1
datasets: [imdb]
language: en
pipeline_tag: text-classification
tags: [sentiment, llama]
model-index:
  - name: demo
    results:
      - task: {type: text-classification}
        dataset: {type: imdb, name: IMDb, split: test}
        metrics:
          - {type: accuracy, value: 0.93, verified: true}
          - {type: f1, value: "0.91"}
---
# Demo
"""


def test_full_card_is_parsed() -> None:
    card = parse_model_card(FULL_CARD, "README.md")
    assert isinstance(card, ModelCard)
    assert card.license == "other"
    assert card.license_name == "llama3"
    assert card.license_link == "https://llama.meta.com/llama3/license"
    assert card.base_models == ("meta-llama/Meta-Llama-3-8B", "mistralai/Mistral-7B-v0.1")
    assert card.datasets == ("imdb",)
    assert card.languages == ("en",)
    assert card.pipeline_tag == "text-classification"
    assert card.tags == ("sentiment", "llama")
    assert [(m.metric_type, m.value, m.verified) for m in card.metrics] == [
        ("accuracy", 0.93, True),
        ("f1", "0.91", False),
    ]
    assert card.metrics[0].dataset_type == "imdb" and card.metrics[0].split == "test"
    assert card.problems == ()


def test_base_model_as_string() -> None:
    card = parse_model_card("---\nlicense: mit\nbase_model: bert-base-uncased\n---\n")
    assert isinstance(card, ModelCard)
    assert card.base_models == ("bert-base-uncased",)


def test_no_front_matter() -> None:
    result = parse_model_card("# Just a readme\n", "README.md")
    assert isinstance(result, ModelCardError)
    assert result.kind is CardErrorKind.NO_FRONT_MATTER
    assert "README.md" in result.message and "front matter" in result.message


def test_unterminated_front_matter() -> None:
    result = parse_model_card("---\nlicense: mit\n# heading\n")
    assert isinstance(result, ModelCardError)
    assert result.kind is CardErrorKind.UNTERMINATED


def test_malformed_yaml_reports_file_line() -> None:
    text = "---\nlicense: mit\ntags: [a, b\ndatasets: x\n---\n"
    result = parse_model_card(text, "README.md")
    assert isinstance(result, ModelCardError)
    assert result.kind is CardErrorKind.MALFORMED_YAML
    assert result.line is not None and 3 <= result.line <= 5
    assert f"line {result.line}" in result.message


def test_python_tags_are_refused_not_executed() -> None:
    result = parse_model_card("---\nlicense: !!python/object/apply:os.system ['echo pwned']\n---\n")
    assert isinstance(result, ModelCardError)
    assert result.kind is CardErrorKind.MALFORMED_YAML


def test_front_matter_not_a_mapping() -> None:
    result = parse_model_card("---\n- a\n- b\n---\n")
    assert isinstance(result, ModelCardError)
    assert result.kind is CardErrorKind.NOT_A_MAPPING


def test_wrong_types_become_problems_and_keep_the_rest() -> None:
    card = parse_model_card("---\nlicense: 5\nlicense_name: {a: 1}\ndatasets: [x]\nmodel-index: 3\n---\n")
    assert isinstance(card, ModelCard)
    assert card.licenses == () and card.license_name is None
    assert card.datasets == ("x",)
    assert {p.key for p in card.problems} == {"license", "license_name", "model-index"}
    assert any("a number" in p.message for p in card.problems)


def test_empty_front_matter_is_an_empty_card() -> None:
    card = parse_model_card("---\n---\n")
    assert card == ModelCard(path=None)


def test_find_and_read(tmp_path: Path) -> None:
    assert find_model_card(tmp_path) is None
    (tmp_path / "README.md").write_text(FULL_CARD, encoding="utf-8")
    path = find_model_card(tmp_path)
    assert path == tmp_path / "README.md"
    card = read_model_card(path, "README.md")
    assert isinstance(card, ModelCard) and card.path == "README.md"


def test_binary_and_huge_files(tmp_path: Path) -> None:
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"---\nlicense: \xff\xfe\n---\n")
    result = read_model_card(binary)
    assert isinstance(result, ModelCardError) and result.kind is CardErrorKind.NOT_TEXT
    huge = tmp_path / "huge.md"
    huge.write_text("---\nlicense: mit\n---\n" + "x" * (MAX_CARD_BYTES * 2), encoding="utf-8")
    card = read_model_card(huge)
    assert isinstance(card, ModelCard) and card.license == "mit"
    missing = read_model_card(tmp_path / "absent.md")
    assert isinstance(missing, ModelCardError) and missing.kind is CardErrorKind.UNREADABLE
