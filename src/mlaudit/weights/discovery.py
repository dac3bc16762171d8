"""Which files are model weights: by extension, by the user's globs, and by magic bytes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from mlaudit.formats.lfs_pointer import looks_like_pointer
from mlaudit.formats.model_format import magic_format
from mlaudit.globs import compile_globs
from mlaudit.repo_paths import OutsideRepository, contained_file

WEIGHT_EXTENSIONS = frozenset(
    {".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".pkl", ".joblib", ".npy", ".npz",
     ".onnx", ".gguf", ".h5", ".keras", ".msgpack", ".tflite"}
)

# Files with these endings are text or source: never sniffed for magic bytes.
_TEXT_EXTENSIONS = frozenset(
    {".py", ".md", ".txt", ".json", ".jsonl", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".sh",
     ".js", ".ts", ".html", ".css", ".rst", ".lock", ".csv", ".tsv", ".xml", ".ipynb", ".c",
     ".h", ".cpp", ".rs", ".go", ".java", ".j2", ".jinja", ".in", ".sig", ".pem", ".svg",
     ".gitignore", ".gitattributes", ".dockerignore", ".env", ".mermaid", ".sql", ".r"}
)

# Formats whose magic bytes alone make a file a weight file. Containers (zip,
# tar, gzip, ...) are weights only by extension: most zip files are not models.
_WEIGHT_FORMATS = frozenset({"numpy", "gguf", "hdf5", "tflite", "pickle", "safetensors"})


def sniff_weight_format(head: bytes) -> str | None:
    """The weight format named by a file's first 16 bytes, or None."""
    fmt = magic_format(head)
    return fmt if fmt in _WEIGHT_FORMATS else None


class WeightDetector:
    """Decides whether a repository path is a weight file."""

    def __init__(
        self,
        include: Iterable[str] = (),
        exclude: Iterable[str] = (),
        *,
        by_content: bool = True,
    ) -> None:
        self._included: Callable[[str], bool] = compile_globs(include)
        self._excluded: Callable[[str], bool] = compile_globs(exclude)
        self._by_content = by_content

    def is_weight(self, root: Path, rel_path: str) -> bool:
        """True for a weight file: known extension, included glob, or weight magic bytes."""
        if self._excluded(rel_path):
            return False
        ext = os.path.splitext(rel_path)[1].lower()
        if ext in WEIGHT_EXTENSIONS or self._included(rel_path):
            return True
        if not self._by_content or ext in _TEXT_EXTENSIONS:
            return False
        head = _read_head(root, rel_path)
        return head is not None and not looks_like_pointer(head) and sniff_weight_format(head) is not None

    def select(self, root: Path, rel_paths: Iterable[str]) -> list[str]:
        """The weight files among ``rel_paths``, in the given order."""
        return [p for p in rel_paths if self.is_weight(root, p)]


def _read_head(root: Path, rel_path: str, size: int = 16) -> bytes | None:
    """The first bytes of a regular file inside the root; None for a symlink out of it, a FIFO, a device."""
    found = contained_file(root, rel_path)
    if isinstance(found, OutsideRepository) or not found.exists:
        return None
    try:
        with open(found.real, "rb") as fh:
            return fh.read(size)
    except OSError:
        return None
