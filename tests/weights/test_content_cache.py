"""The content cache: a digest learnt in one clone serves every other clone of the same content."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import pytest
from conftest import git, init_repo

from mlaudit.repo_files import clean_blob_ids
from mlaudit.store import hash_cache
from mlaudit.store.hash_cache import ContentDigests, HashCache, cache_file_for, content_cache_file
from mlaudit.weights.hashing import digest_files


@pytest.fixture(autouse=True)
def _no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hash_cache, "RACY_WINDOW_NS", 0)


def _cache(cache_dir: Path, root: Path) -> HashCache:
    return HashCache(cache_file_for(cache_dir, root), content=ContentDigests(content_cache_file(cache_dir)),
                     blob_ids=lambda: clean_blob_ids(root))


def _origin(tmp_path: Path) -> Path:
    repo = init_repo(tmp_path / "origin")
    (repo / "models").mkdir()
    for i in range(3):
        (repo / "models" / f"w{i}.bin").write_bytes(bytes([i]) * (5000 + i))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "weights")
    return repo


def test_blob_ids_of_clean_tracked_files_only(tmp_path: Path) -> None:
    repo = _origin(tmp_path)
    (repo / "models" / "w1.bin").write_bytes(b"changed")
    (repo / "untracked.bin").write_bytes(b"x")
    ids = clean_blob_ids(repo / "models")  # paths relative to the folder asked about
    assert set(ids) == {"w0.bin", "w2.bin"}
    expected = hashlib.sha1(b"blob 5000\0" + bytes([0]) * 5000).hexdigest()
    assert ids["w0.bin"] == expected
    assert clean_blob_ids(tmp_path / "not-a-repo-at-all") == {}


def test_second_clone_is_served_from_the_content_cache(tmp_path: Path) -> None:
    origin = _origin(tmp_path)
    cache_dir = tmp_path / "cache"
    names = [f"models/w{i}.bin" for i in range(3)]
    first = digest_files(origin, names, cache=_cache(cache_dir, origin))
    assert {d.source for d in first.digests.values()} == {"hashed"}

    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(origin), str(clone))
    (clone / "models" / "w2.bin").write_bytes(bytes([2]) * 5002 + b"!")  # modified in this clone
    time.sleep(0.01)
    second = digest_files(clone, names, cache=_cache(cache_dir, clone))
    assert second.digests["models/w0.bin"].source == "cache"
    assert second.digests["models/w1.bin"].source == "cache"
    assert second.digests["models/w2.bin"].source == "hashed"
    assert second.digests["models/w0.bin"].digest == first.digests["models/w0.bin"].digest
    assert second.digests["models/w2.bin"].digest == hashlib.sha256(bytes([2]) * 5002 + b"!").hexdigest()


def test_file_changed_after_git_listed_it_does_not_teach_the_content_cache(tmp_path: Path) -> None:
    origin = _origin(tmp_path)
    cache_dir = tmp_path / "cache"
    cache = _cache(cache_dir, origin)
    st_before = (origin / "models" / "w0.bin").stat()
    assert cache.get("models/w0.bin", st_before) is None  # lists the blob ids now
    time.sleep(0.01)
    (origin / "models" / "w0.bin").write_bytes(b"tampered after listing" * 300)
    st_after = (origin / "models" / "w0.bin").stat()
    cache.put("models/w0.bin", st_after, "f" * 64)
    cache.save()
    path = content_cache_file(cache_dir)
    assert not path.exists() or json.loads(path.read_text())["entries"] == {}
    assert cache_file_for(cache_dir, origin).exists()  # the stat cache did learn it


def test_corrupt_content_cache_is_rebuilt(tmp_path: Path) -> None:
    origin = _origin(tmp_path)
    cache_dir = tmp_path / "cache"
    content_cache_file(cache_dir).parent.mkdir(parents=True)
    content_cache_file(cache_dir).write_text('{"version": 1, "entries": {"nothex": [1, "zz"]}}')
    cache = _cache(cache_dir, origin)
    result = digest_files(origin, ["models/w0.bin"], cache=cache)
    assert result.digests["models/w0.bin"].source == "hashed"
    assert cache.content is not None and cache.content.rebuilt
    assert len(json.loads(content_cache_file(cache_dir).read_text())["entries"]) == 1
