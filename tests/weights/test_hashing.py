"""Digests of weight files: correctness, the stat cache, LFS pointers, and files that misbehave."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from mlaudit.store import hash_cache
from mlaudit.store.hash_cache import HashCache
from mlaudit.weights.hashing import CHUNK_SIZE, digest_files, sha256_file


@pytest.fixture(autouse=True)
def _no_racy_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # Files written by a test are seconds old at most; let the cache trust them.
    monkeypatch.setattr(hash_cache, "RACY_WINDOW_NS", 0)


def _write(path: Path, size: int, seed: int = 0) -> bytes:
    data = hashlib.sha256(str(seed).encode()).digest() * (size // 32 + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[:size])
    return data[:size]


def test_sha256_matches_hashlib_across_chunk_boundaries(tmp_path: Path) -> None:
    for size in (0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17):
        data = _write(tmp_path / f"f{size}", size, size)
        assert sha256_file(tmp_path / f"f{size}") == hashlib.sha256(data).hexdigest()


def test_parallel_digests_equal_sequential(tmp_path: Path) -> None:
    names = [f"w{i}.bin" for i in range(6)]
    expected = {n: hashlib.sha256(_write(tmp_path / n, 200_000 * (i + 1), i)).hexdigest() for i, n in enumerate(names)}
    for workers in (1, 4):
        result = digest_files(tmp_path, names, workers=workers)
        assert {n: d.digest for n, d in result.digests.items()} == expected
        assert not result.problems


def test_cache_hit_and_invalidation(tmp_path: Path) -> None:
    _write(tmp_path / "w.bin", 50_000, 1)
    cache_path = tmp_path / "cache.json"
    first = digest_files(tmp_path, ["w.bin"], cache=HashCache(cache_path))
    assert first.digests["w.bin"].source == "hashed"
    second = digest_files(tmp_path, ["w.bin"], cache=HashCache(cache_path))
    assert second.digests["w.bin"].source == "cache"
    assert second.digests["w.bin"].digest == first.digests["w.bin"].digest
    # Same size, new content, new mtime: hashed again, new digest.
    time.sleep(0.01)
    data = _write(tmp_path / "w.bin", 50_000, 2)
    third = digest_files(tmp_path, ["w.bin"], cache=HashCache(cache_path))
    assert third.digests["w.bin"].source == "hashed"
    assert third.digests["w.bin"].digest == hashlib.sha256(data).hexdigest()


def test_racily_clean_files_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hash_cache, "RACY_WINDOW_NS", 3_600 * 10**9)
    _write(tmp_path / "w.bin", 5_000, 1)
    cache_path = tmp_path / "cache.json"
    digest_files(tmp_path, ["w.bin"], cache=HashCache(cache_path))
    assert digest_files(tmp_path, ["w.bin"], cache=HashCache(cache_path)).digests["w.bin"].source == "hashed"


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"version": 1, "entries": {"w.bin": [1, 2, 3, 4, "zz"]}}', b'{"version": 7, "entries": {}}',
     b"\x00\xff" * 10, b"[]"],
)
def test_corrupt_cache_is_rebuilt_not_trusted(tmp_path: Path, content: bytes) -> None:
    data = _write(tmp_path / "w.bin", 5_000, 3)
    cache_path = tmp_path / "cache.json"
    cache_path.write_bytes(content)
    cache = HashCache(cache_path)
    result = digest_files(tmp_path, ["w.bin"], cache=cache)
    assert result.digests["w.bin"].digest == hashlib.sha256(data).hexdigest()
    assert cache.rebuilt
    assert json.loads(cache_path.read_text())["version"] == 1


def test_poisoned_cache_entry_with_other_stat_is_ignored(tmp_path: Path) -> None:
    data = _write(tmp_path / "w.bin", 5_000, 4)
    cache_path = tmp_path / "cache.json"
    st = os.stat(tmp_path / "w.bin")
    fake = [st.st_size + 1, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, "0" * 64]
    cache_path.write_text(json.dumps({"version": 1, "entries": {"w.bin": fake}}))
    result = digest_files(tmp_path, ["w.bin"], cache=HashCache(cache_path))
    assert result.digests["w.bin"].digest == hashlib.sha256(data).hexdigest()


def test_two_caches_saving_merge_their_entries(tmp_path: Path) -> None:
    _write(tmp_path / "a.bin", 5_000, 1)
    _write(tmp_path / "b.bin", 5_000, 2)
    cache_path = tmp_path / "cache.json"
    one, two = HashCache(cache_path), HashCache(cache_path)
    digest_files(tmp_path, ["a.bin"], cache=one)
    digest_files(tmp_path, ["b.bin"], cache=two)  # saved after one: must keep a.bin
    entries = json.loads(cache_path.read_text())["entries"]
    assert set(entries) == {"a.bin", "b.bin"}


def test_lfs_pointer_gives_its_oid_without_download(tmp_path: Path) -> None:
    oid = hashlib.sha256(b"the real weights").hexdigest()
    (tmp_path / "m.safetensors").write_text(
        f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 123456789\n"
    )
    got = digest_files(tmp_path, ["m.safetensors"]).digests["m.safetensors"]
    assert (got.digest, got.size, got.source) == (oid, 123456789, "lfs-pointer")


def test_file_vanishing_mid_hash(tmp_path: Path) -> None:
    _write(tmp_path / "w.bin", 3 * CHUNK_SIZE, 1)

    def delete_during(done: int, total: int) -> None:
        if (tmp_path / "w.bin").exists():
            (tmp_path / "w.bin").unlink()

    result = digest_files(tmp_path, ["w.bin"], progress=delete_during)
    assert not result.digests
    assert result.problems["w.bin"].kind == "vanished"


def test_file_changing_mid_hash(tmp_path: Path) -> None:
    _write(tmp_path / "w.bin", 3 * CHUNK_SIZE, 1)

    def grow(done: int, total: int) -> None:
        with open(tmp_path / "w.bin", "ab") as fh:
            fh.write(b"x")

    result = digest_files(tmp_path, ["w.bin"], progress=grow)
    assert result.problems["w.bin"].kind == "changed"


def test_symlink_outside_repository(tmp_path: Path) -> None:
    outside = tmp_path / "outside.bin"
    _write(outside, 5_000)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "w.bin").symlink_to(outside)
    result = digest_files(root, ["w.bin"])
    assert result.problems["w.bin"].kind == "symlink-outside"


def test_symlink_inside_repository_is_followed(tmp_path: Path) -> None:
    data = _write(tmp_path / "real.bin", 5_000)
    (tmp_path / "link.bin").symlink_to("real.bin")
    assert digest_files(tmp_path, ["link.bin"]).digests["link.bin"].digest == hashlib.sha256(data).hexdigest()


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path / "w.bin", 5_000)

    def refuse(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    # Tests run as root, which reads any file: stand in for the permission boundary.
    monkeypatch.setattr("mlaudit.weights.hashing.open", refuse, raising=False)
    result = digest_files(tmp_path, ["w.bin"])
    assert result.problems["w.bin"].kind == "unreadable"
    assert "Permission denied" in result.problems["w.bin"].message


def test_fifo_is_not_a_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "w.bin")
    assert digest_files(tmp_path, ["w.bin"]).problems["w.bin"].kind == "not-a-file"


def test_read_ahead_digest_equals_plain_and_honours_limit(tmp_path: Path) -> None:
    for size in (0, 1, CHUNK_SIZE, 5 * CHUNK_SIZE + 3, 9 * CHUNK_SIZE):
        data = _write(tmp_path / f"f{size}", size, size)
        assert sha256_file(tmp_path / f"f{size}", pipelined=True) == hashlib.sha256(data).hexdigest()
        cut = size // 2
        assert sha256_file(tmp_path / f"f{size}", pipelined=True, limit=cut) == hashlib.sha256(data[:cut]).hexdigest()


def test_read_ahead_stops_cleanly_when_the_consumer_fails(tmp_path: Path) -> None:
    _write(tmp_path / "w.bin", 9 * CHUNK_SIZE, 1)
    seen: list[int] = []

    def fail(n: int) -> None:
        seen.append(n)
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        sha256_file(tmp_path / "w.bin", fail, pipelined=True)
    assert seen == [CHUNK_SIZE]


def test_one_large_file_uses_read_ahead_and_is_correct(tmp_path: Path) -> None:
    data = _write(tmp_path / "big.bin", 12 * CHUNK_SIZE + 5, 9)
    result = digest_files(tmp_path, ["big.bin"], workers=2)
    assert result.digests["big.bin"].digest == hashlib.sha256(data).hexdigest()
