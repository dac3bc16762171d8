"""Hugging Face model cards: the YAML front matter of a model repository's ``README.md``.

Spec: https://huggingface.co/docs/hub/model-cards — the card starts with a line
``---``, YAML metadata follows (read with ``yaml.safe_load``: no tags, no
objects), and a second ``---`` line closes it. Only the keys the audit uses are
kept: ``license``, ``license_name``, ``license_link``, ``base_model``,
``datasets``, ``model-index`` metrics, ``tags``, ``pipeline_tag``, ``language``.

Parsing never raises: ``parse_model_card`` returns either a ``ModelCard`` (with
``problems`` for single keys of the wrong type, which are then left out) or a
``ModelCardError`` when there is no usable front matter at all. Reads are
bounded (``MAX_CARD_BYTES``) so a hostile README cannot exhaust memory.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_CARD_BYTES = 1024 * 1024
"""A README larger than this is read only up to this size (front matter is at the top)."""

CARD_FILE_NAMES = ("README.md", "readme.md", "Readme.md", "README.MD", "MODEL_CARD.md", "model_card.md")
"""Names tried, in order, by ``find_model_card``."""


@dataclass(frozen=True)
class CardMetric:
    """One metric of the card's ``model-index`` (``value`` as the card states it)."""

    model_name: str
    task_type: str
    dataset_type: str
    dataset_name: str
    metric_type: str
    value: float | str | None
    split: str = ""
    verified: bool = False


@dataclass(frozen=True)
class CardProblem:
    """A key of the front matter that was present but unusable (left out of the card)."""

    key: str
    message: str


@dataclass(frozen=True)
class ModelCard:
    """The facts of a model card's front matter; absent keys are empty."""

    path: str | None
    licenses: tuple[str, ...] = ()
    license_name: str | None = None
    license_link: str | None = None
    base_models: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    metrics: tuple[CardMetric, ...] = ()
    tags: tuple[str, ...] = ()
    pipeline_tag: str | None = None
    languages: tuple[str, ...] = ()
    problems: tuple[CardProblem, ...] = ()

    @property
    def license(self) -> str | None:
        """The card's licence id (the first when a card lists several), or None."""
        return self.licenses[0] if self.licenses else None


class CardErrorKind(str, enum.Enum):
    """Why a card has no usable front matter."""

    UNREADABLE = "unreadable"
    NOT_TEXT = "not-text"
    NO_FRONT_MATTER = "no-front-matter"
    UNTERMINATED = "unterminated-front-matter"
    MALFORMED_YAML = "malformed-yaml"
    NOT_A_MAPPING = "not-a-mapping"


@dataclass(frozen=True)
class ModelCardError:
    """A card whose front matter could not be read; ``line`` is 1-based in the file."""

    path: str | None
    kind: CardErrorKind
    message: str
    line: int | None = None


ModelCardResult = ModelCard | ModelCardError


def find_model_card(root: Path) -> Path | None:
    """The model card of the repository at ``root`` (its top-level README), or None.

    A README that is a symlink out of the repository (or a FIFO) is not a card: never read.
    """
    from mlaudit.repo_paths import OutsideRepository, contained_file

    for name in CARD_FILE_NAMES:
        candidate = root / name
        if candidate.is_file() and not isinstance(contained_file(root, name), OutsideRepository):
            return candidate
    return None


def read_model_card(path: Path, display_path: str | None = None) -> ModelCardResult:
    """Read and parse the card at ``path``; ``display_path`` names it in messages."""
    shown = display_path if display_path is not None else str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CARD_BYTES)
    except OSError as exc:
        return ModelCardError(shown, CardErrorKind.UNREADABLE, f"cannot read {shown}: {exc.strerror or exc}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A cut in the middle of a multi-byte character at the size limit is not an error.
        if len(data) == MAX_CARD_BYTES and exc.start >= len(data) - 4:
            text = data[: exc.start].decode("utf-8-sig")
        else:
            return ModelCardError(shown, CardErrorKind.NOT_TEXT, f"{shown} is not UTF-8 text")
    return parse_model_card(text, shown)


def parse_model_card(text: str, path: str | None = None) -> ModelCardResult:
    """Parse the front matter of a card's text; never raises."""
    shown = path or "model card"
    lines = text.splitlines()
    if not lines or lines[0].rstrip() != "---":
        return ModelCardError(
            path,
            CardErrorKind.NO_FRONT_MATTER,
            f"{shown} has no YAML front matter (it must start with a line '---')",
            line=1,
        )
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return ModelCardError(
            path,
            CardErrorKind.UNTERMINATED,
            f"{shown}: front matter opened on line 1 is never closed by '---'",
            1,
        )
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else None  # +1 for 1-based, +1 for the opening '---'
        reason = exc.problem or exc.context or "invalid YAML"
        where = f" line {line}" if line else ""
        return ModelCardError(
            path, CardErrorKind.MALFORMED_YAML, f"{shown}{where}: malformed YAML: {reason}", line
        )
    except yaml.YAMLError as exc:
        return ModelCardError(path, CardErrorKind.MALFORMED_YAML, f"{shown}: malformed YAML: {exc}", None)
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        return ModelCardError(
            path,
            CardErrorKind.NOT_A_MAPPING,
            f"{shown}: front matter must be a mapping of keys, not {type(meta).__name__}",
            2,
        )
    return _card_from_mapping(meta, path)


def _card_from_mapping(meta: dict[Any, Any], path: str | None) -> ModelCard:
    problems: list[CardProblem] = []

    def strings(key: str) -> tuple[str, ...]:
        value = meta.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),) if value.strip() else ()
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(v.strip() for v in value if v.strip())
        problems.append(
            CardProblem(key, f"'{key}' must be a string or a list of strings, not {_kind(value)}")
        )
        return ()

    def string(key: str) -> str | None:
        value = meta.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return value.strip() or None
        problems.append(CardProblem(key, f"'{key}' must be a string, not {_kind(value)}"))
        return None

    licenses = strings("license")
    license_name = string("license_name")
    license_link = string("license_link")
    base_models = strings("base_model")
    datasets = strings("datasets")
    metrics = _metrics(meta.get("model-index"), problems)
    tags = strings("tags")
    pipeline_tag = string("pipeline_tag")
    languages = strings("language")
    return ModelCard(
        path=path,
        licenses=licenses,
        license_name=license_name,
        license_link=license_link,
        base_models=base_models,
        datasets=datasets,
        metrics=metrics,
        tags=tags,
        pipeline_tag=pipeline_tag,
        languages=languages,
        problems=tuple(problems),
    )


def _metrics(index: object, problems: list[CardProblem]) -> tuple[CardMetric, ...]:
    """Flatten ``model-index: [{name, results: [{task, dataset, metrics: [...]}]}]``."""
    if index is None:
        return ()
    if not isinstance(index, list):
        problems.append(CardProblem("model-index", f"'model-index' must be a list, not {_kind(index)}"))
        return ()
    found: list[CardMetric] = []
    for model in index:
        if not isinstance(model, dict):
            problems.append(CardProblem("model-index", "each 'model-index' entry must be a mapping"))
            continue
        for result in _dicts(model.get("results")):
            task = _first_dict(result.get("task"))
            dataset = _first_dict(result.get("dataset"))
            for metric in _dicts(result.get("metrics")):
                value = metric.get("value")
                found.append(
                    CardMetric(
                        model_name=_text(model.get("name")),
                        task_type=_text(task.get("type")),
                        dataset_type=_text(dataset.get("type")),
                        dataset_name=_text(dataset.get("name")),
                        metric_type=_text(metric.get("type")),
                        value=_metric_value(value),
                        split=_text(dataset.get("split")),
                        verified=metric.get("verified") is True,
                    )
                )
    return tuple(found)


def _metric_value(value: object) -> float | str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return str(value)


def _dicts(value: object) -> Sequence[dict[Any, Any]]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []


def _first_dict(value: object) -> dict[Any, Any]:
    # The spec has one mapping; some cards write a one-element list.
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return {}


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def _kind(value: object) -> str:
    names = {dict: "a mapping", list: "a list", int: "a number", float: "a number", bool: "a boolean"}
    return names.get(type(value), type(value).__name__)
