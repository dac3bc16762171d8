"""What the release gate covers: every model file on disk must be signed or attested, whatever the repository says.

The audited repository's own configuration (``exclude``, ``[weights] exclude``,
``[signing] ignore_paths``, the weight manifest's ``ignore_paths``, even its
``.gitignore``) decides what its audit and its signature look at. Left at that, a
pickle dropped in after the release was signed, and excluded by that same
configuration, would be in neither the signature nor the attested digest. So the
gate walks the model directory itself (every file but ``.git``), finds each model,
weight or pickle file by name and by content, and requires it to be listed by the
verified signature or hashed into the attested digest. Only the verifier can leave
one out: ``--ignore`` on the command line, or a configuration file outside the tree.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mlaudit.config import Config
from mlaudit.globs import compile_globs
from mlaudit.serialization.discovery import holds_model_content
from mlaudit.weights.discovery import WEIGHT_EXTENSIONS

# Names a loader reads as a model or a pickle whatever their first bytes (serialization's name rules too).
MODEL_EXTENSIONS = WEIGHT_EXTENSIONS | frozenset(
    {".pb", ".pickle", ".dat", ".p", ".dill", ".sav", ".cloudpickle", ".mar", ".pdparams", ".pkl.gz"}
)


@dataclass(frozen=True)
class VerifierExclusions:
    """Paths the verifier (not the audited repository) chose to leave out of the gate."""

    paths: tuple[str, ...] = ()
    """``model_signing``-style paths: the file itself, or everything under a folder."""
    globs: tuple[str, ...] = ()
    """``exclude`` globs of a configuration the verifier named."""

    def excludes(self, rel: str) -> bool:
        """True when ``rel`` is one of the paths, under one of them, or matches a glob."""
        for path in self.paths:
            name = path.strip("/")
            if rel == name or rel.startswith(name + "/"):
                return True
        return bool(self.globs) and compile_globs(self.globs)(rel)


def verifier_exclusions(cli_ignore: Sequence[str], config: Config, *, config_is_trusted: bool) -> VerifierExclusions:
    """``--ignore`` paths, plus the exclusions of ``config`` when the verifier named it from outside the tree."""
    if not config_is_trusted:
        return VerifierExclusions(paths=tuple(cli_ignore))
    from mlaudit.signing.policy import signing_options
    from mlaudit.weights.options import WeightsOptions

    weights = config.section("weights", WeightsOptions)
    return VerifierExclusions(
        paths=(*cli_ignore, *signing_options(config).ignore_paths),
        globs=(*config.general.exclude, *weights.exclude),
    )


def config_outside(root: Path, config_file: Path | None) -> bool:
    """True for a ``--config`` file that does not resolve inside ``root`` (the verifier's own, not the tree's)."""
    if config_file is None:
        return False
    try:
        config_file.resolve().relative_to(root.resolve())
    except ValueError:
        return True
    return False


def signed_file_names(resources: Iterable[str], method: str | None) -> frozenset[str]:
    """The file names a signature lists (shard identifiers ``name:start:end`` give their file's name)."""
    if method != "shards":
        return frozenset(resources)
    return frozenset(r.rsplit(":", 2)[0] for r in resources)


def model_files_on_disk(root: Path) -> list[str]:
    """Every model, weight or pickle file under ``root`` (by extension or by content), ``.git`` aside; sorted.

    Symbolic links are not followed: a link counts by its name.
    """
    found: list[str] = []
    base = str(root)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        rel_dir = os.path.relpath(dirpath, base)
        for filename in filenames:
            rel = (filename if rel_dir == "." else os.path.join(rel_dir, filename)).replace(os.sep, "/")
            if _named_like_a_model(filename) or holds_model_content(base, rel):
                found.append(rel)
        for d in dirnames:
            if os.path.islink(os.path.join(dirpath, d)) and _named_like_a_model(d):
                found.append((d if rel_dir == "." else os.path.join(rel_dir, d)).replace(os.sep, "/"))
    return sorted(found)


def _named_like_a_model(name: str) -> bool:
    lower = name.lower()
    return any(lower.endswith(ext) for ext in MODEL_EXTENSIONS)


def uncovered_model_files(root: Path, covered: Iterable[str], exclusions: VerifierExclusions) -> list[str]:
    """The model files on disk that neither ``covered`` lists nor the verifier excluded."""
    listed = set(covered)
    return [rel for rel in model_files_on_disk(root) if rel not in listed and not exclusions.excludes(rel)]
