"""The one entry-file store under every cache: merged, atomic, and never trusting a file it should not."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from mlaudit.store.entry_file import CacheRejected, EntryFile, read_entries


def _valid(key: str, value: object) -> bool:
    return isinstance(value, int)


def _write(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    path.chmod(0o600)


def test_two_writers_merge(tmp_path: Path) -> None:
    path = tmp_path / "c" / "cache.json"
    first, second = EntryFile(path, version=1, valid=_valid), EntryFile(path, version=1, valid=_valid)
    first.set("a", 1)
    second.set("b", 2)
    assert first.save() and second.save()
    assert dict(EntryFile(path, version=1, valid=_valid).entries) == {"a": 1, "b": 2}
    assert sorted(p.name for p in path.parent.iterdir()) == ["cache.json"]  # no temporary file left behind


@pytest.mark.parametrize("content", ["{not json", json.dumps({"version": 9, "entries": {}}),
                                     json.dumps({"version": 1, "entries": {"a": 1, "b": "poison"}}),
                                     json.dumps([1, 2, 3])], ids=["corrupt", "version", "poisoned", "layout"])
def test_untrusted_files_are_discarded_whole_and_rebuilt(tmp_path: Path, content: str) -> None:
    path = tmp_path / "cache.json"
    path.write_text(content)
    path.chmod(0o600)
    cache = EntryFile(path, version=1, valid=_valid)
    assert dict(cache.entries) == {}
    assert cache.rebuilt
    cache.set("c", 3)
    assert cache.save()
    assert json.loads(path.read_text()) == {"version": 1, "entries": {"c": 3}}


def test_foreign_files_are_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    _write(path, {"version": 1, "entries": {"a": 1}})
    path.chmod(0o666)  # anyone could have written it
    with pytest.raises(CacheRejected, match="foreign"):
        read_entries(path, 1, _valid)
    path.chmod(0o600)
    assert read_entries(path, 1, _valid) == {"a": 1}
    if os.getuid() == 0:
        os.chown(path, 4242, -1)  # another user's file
        with pytest.raises(CacheRejected, match="foreign"):
            read_entries(path, 1, _valid)


def test_a_symlinked_cache_file_is_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "repo" / "poison.json"
    _write(target, {"version": 1, "entries": {"a": 1}})
    link = tmp_path / "cache" / "cache.json"
    link.parent.mkdir()
    link.symlink_to(target)
    cache = EntryFile(link, version=1, valid=_valid)
    assert dict(cache.entries) == {} and cache.rebuilt


def test_size_and_depth_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "cache.json"
    _write(path, {"version": 1, "entries": {"a": 1}})
    with pytest.raises(CacheRejected, match="larger"):
        read_entries(path, 1, _valid, max_bytes=10)
    deep = tmp_path / "deep.json"
    deep.write_text('{"version": 1, "entries": {"a": ' + "[" * 100 + "]" * 100 + "}}")
    deep.chmod(0o600)
    with pytest.raises(CacheRejected, match="nested"):
        read_entries(deep, 1, lambda k, v: True)
    deeper = tmp_path / "deeper.json"
    deeper.write_text("[" * 200_000 + "]" * 200_000)
    deeper.chmod(0o600)
    with pytest.raises(CacheRejected):
        read_entries(deeper, 1, _valid)


def test_a_value_the_rule_rejects_is_never_written(tmp_path: Path) -> None:
    cache = EntryFile(tmp_path / "cache.json", version=1, valid=_valid)
    with pytest.raises(ValueError):
        cache.set("a", "not an int")


def test_unwritable_cache_costs_only_the_work(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    cache = EntryFile(blocker / "cache.json", version=1, valid=_valid)
    cache.set("a", 1)
    assert cache.save() is False


def _four_caches(tmp_path: Path, *, fill: bool) -> dict[str, Any]:
    from mlaudit.licenses.scan_cache import CachedScan, ScanCache
    from mlaudit.serialization.file_report import FileReport
    from mlaudit.serialization.options import SerializationOptions
    from mlaudit.serialization.scan_cache import ScanCache as SerializationCache
    from mlaudit.store.hash_cache import ContentDigests
    from mlaudit.vulns.answer_cache import AnswerCache

    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    (root / "m.pkl").write_bytes(b"x")
    caches: dict[str, Any] = {
        "hashes": ContentDigests(tmp_path / "h" / "content.json"),
        "licences": ScanCache(tmp_path / "l" / "scan.json"),
        "serialization": SerializationCache(tmp_path / "s", root, SerializationOptions()),
        "vulns": AnswerCache(tmp_path / "v" / "answers.json", "db", max_age_s=None),
    }
    if fill:
        caches["hashes"].put("a" * 40, 1, "b" * 64)
        caches["licences"].put("c" * 40, CachedScan("MIT", 1, 50.0))
        report = FileReport("m.pkl", parsers=["pickle"], unscanned=[])
        report.content_key = "ab" * 20  # the blob id of the bytes the scanner read
        caches["serialization"].put("m.pkl", report)
        caches["vulns"].put("six", "1.0", ())
        for cache in caches.values():
            cache.save()
    return caches


def test_the_four_caches_share_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mlaudit.serialization.scan_cache.RACY_WINDOW_NS", 0)
    for name, cache in _four_caches(tmp_path, fill=True).items():
        data = json.loads(cache.path.read_text())
        assert set(data) == {"version", "entries"}, name
        assert len(data["entries"]) == 1, name
        assert cache._file.entries, name
        cache.path.chmod(0o666)  # foreign now: every cache must discard it
    for name, cache in _four_caches(tmp_path, fill=False).items():
        assert dict(cache._file.entries) == {}, name
        assert cache._file.rebuilt, name
