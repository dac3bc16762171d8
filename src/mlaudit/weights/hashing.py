"""SHA-256 of weight files: whole-file digests, parallel across files, cached by stat.

The digest of a file is the plain SHA-256 of its bytes, as Git LFS (its ``oid``)
and OpenSSF Model Signing's ``files`` serialization record it, so a file cannot
be split into shards with separate digests. Speed comes from elsewhere: large
reads into one reused buffer (hashlib releases the GIL while hashing, so threads
hash several files on several cores), biggest files first so the cores finish
together, LFS pointers read instead of hashed, and the stat cache so unchanged
files cost one ``stat``. Files are read with ``readinto``, not mapped: a file
truncated under an ``mmap`` kills the process with SIGBUS.
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import stat
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlaudit.formats.lfs_pointer import MAX_POINTER_SIZE, parse_pointer
from mlaudit.repo_paths import OutsideRepository, resolve_in_repo, shown
from mlaudit.store.hash_cache import HashCache
from mlaudit.weights.file_lookup import FileLookup

CHUNK_SIZE = 1 << 20
HASH_PARAMETERS = {"method": "files", "hash_type": "sha256", "allow_symlinks": False}

Progress = Callable[[int, int], None]
ProblemKind = Literal["unreadable", "vanished", "changed", "symlink-outside", "outside", "not-a-file", "missing"]


@dataclass(frozen=True)
class FileDigest:
    """The digest of one file and how it was obtained (hashed, cache, lfs-pointer)."""

    path: str
    size: int
    digest: str
    source: Literal["hashed", "cache", "lfs-pointer"]


@dataclass(frozen=True)
class HashProblem:
    """A file that could not be hashed, and why."""

    path: str
    kind: ProblemKind
    message: str


@dataclass(frozen=True)
class HashResult:
    """Digests of the files that could be read, problems for the others."""

    digests: dict[str, FileDigest]
    problems: dict[str, HashProblem]
    bytes_hashed: int = 0


def sha256_file(
    path: str | os.PathLike[str],
    progress: Callable[[int], None] | None = None,
    *,
    limit: int | None = None,
    pipelined: bool = False,
) -> str:
    """SHA-256 hex digest of one file, read in large chunks into reused buffers.

    ``limit`` stops after that many bytes: a file that keeps growing while it is
    read (a log, a download in progress) must not keep the hash running forever.
    ``pipelined`` reads the next chunk on a second thread while this one hashes
    (both release the GIL): worth it when a core would otherwise sit idle, as
    with one large file on two cores.
    """
    hasher = hashlib.sha256()
    with open(path, "rb", buffering=0) as fh:
        chunks = _read_ahead(fh, limit) if pipelined else _read_chunks(fh, limit)
        for view in chunks:
            hasher.update(view)
            if progress is not None:
                progress(len(view))
    return hasher.hexdigest()


def _read_chunks(fh: io.RawIOBase, limit: int | None) -> Iterator[memoryview]:
    buf = bytearray(CHUNK_SIZE)
    view = memoryview(buf)
    remaining = limit
    while remaining is None or remaining > 0:
        n = fh.readinto(view if remaining is None or remaining >= CHUNK_SIZE else view[:remaining])
        if not n:
            return
        if remaining is not None:
            remaining -= n
        yield view[:n]


def _read_ahead(fh: io.RawIOBase, limit: int | None, buffers: int = 4) -> Iterator[memoryview]:
    """Chunks read by a helper thread into a small ring of buffers (bounded memory)."""
    free: queue.SimpleQueue[memoryview | None] = queue.SimpleQueue()
    full: queue.SimpleQueue[tuple[memoryview, int] | BaseException | None] = queue.SimpleQueue()
    for _ in range(buffers):
        free.put(memoryview(bytearray(CHUNK_SIZE)))

    def reader() -> None:
        remaining = limit
        try:
            while remaining is None or remaining > 0:
                buf = free.get()
                if buf is None:  # the consumer stopped early
                    return
                n = fh.readinto(buf if remaining is None or remaining >= len(buf) else buf[:remaining])
                if not n:
                    break
                if remaining is not None:
                    remaining -= n
                full.put((buf, n))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            full.put(exc)
            return
        full.put(None)

    thread = threading.Thread(target=reader, name="mlaudit-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = full.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            buf, n = item
            yield buf[:n]
            free.put(buf)
    finally:
        free.put(None)
        thread.join()


def _stat_for_hashing(root: Path, rel: str, lookup: FileLookup) -> tuple[os.stat_result, str] | HashProblem:
    """The file's stat and real path, checked to be a regular file inside the root (every component)."""
    quick = lookup.quick_stat(rel)
    if quick is not None:
        st, real = quick
        if st is None:
            return HashProblem(rel, "missing", "file does not exist")
        if not stat.S_ISREG(st.st_mode):
            return HashProblem(rel, "not-a-file", "not a regular file")
        return st, real
    try:
        found = resolve_in_repo(root, rel)
    except OutsideRepository as exc:
        symlink = "symlink" in exc.reason
        return HashProblem(rel, "symlink-outside" if symlink else "outside", f"{shown(rel)} {exc.reason}")
    if not found.exists:
        return HashProblem(rel, "missing", "file does not exist")
    real = found.real_path
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return HashProblem(rel, "missing", "file does not exist")
    except OSError as exc:
        return HashProblem(rel, "unreadable", f"cannot read: {exc.strerror}")
    if not stat.S_ISREG(st.st_mode):
        return HashProblem(rel, "not-a-file", "not a regular file")
    return st, real


def digest_files(
    root: Path,
    rel_paths: Iterable[str],
    *,
    cache: HashCache | None = None,
    workers: int = 0,
    progress: Progress | None = None,
) -> HashResult:
    """Digests of ``rel_paths`` under ``root``, using and updating ``cache``.

    ``workers`` threads hash in parallel (0: one per core). ``progress`` is called
    with (bytes done, bytes to hash) as hashing goes on.
    """
    digests: dict[str, FileDigest] = {}
    problems: dict[str, HashProblem] = {}
    to_hash: list[tuple[str, os.stat_result]] = []
    real_of: dict[str, str] = {}
    lookup = FileLookup(root)
    for rel in dict.fromkeys(rel_paths):
        checked = _stat_for_hashing(root, rel, lookup)
        if isinstance(checked, HashProblem):
            problems[rel] = checked
            continue
        st, real_of[rel] = checked
        if st.st_size <= MAX_POINTER_SIZE:
            small = _read_small(real_of[rel], rel, st.st_size)
            if isinstance(small, HashProblem):
                problems[rel] = small
                continue
            pointer = parse_pointer(small)
            if pointer is not None:
                digests[rel] = FileDigest(rel, pointer.size, pointer.oid_sha256, "lfs-pointer")
            else:
                digests[rel] = FileDigest(rel, len(small), hashlib.sha256(small).hexdigest(), "hashed")
            continue
        cached = cache.get(rel, st) if cache is not None else None
        if cached is not None:
            digests[rel] = FileDigest(rel, st.st_size, cached, "cache")
        else:
            to_hash.append((rel, st))

    total = sum(st.st_size for _, st in to_hash)
    done = [0]
    lock = threading.Lock()

    def advance(n: int) -> None:
        if progress is None:
            return
        with lock:
            done[0] += n
            progress(done[0], total)

    cores = workers or (os.cpu_count() or 1)
    n_workers = max(1, min(cores, len(to_hash)))
    # Fewer large files than cores: each file gets a read-ahead thread too.
    pipelined = cores >= 2 * n_workers

    def work(item: tuple[str, os.stat_result]) -> FileDigest | HashProblem:
        rel, before = item
        return _hash_one(real_of[rel], rel, before, advance if progress else None, pipelined=pipelined)

    to_hash.sort(key=lambda item: item[1].st_size, reverse=True)
    if n_workers == 1:
        outcomes = [work(item) for item in to_hash]
    else:
        with ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="mlaudit-hash") as pool:
            outcomes = list(pool.map(work, to_hash))
    hashed = 0
    for (rel, _), outcome in zip(to_hash, outcomes, strict=True):
        if isinstance(outcome, HashProblem):
            problems[rel] = outcome
            continue
        digests[rel] = outcome
        hashed += outcome.size
    if cache is not None:
        for rel, st in to_hash:
            if rel in digests:
                cache.put(rel, st, digests[rel].digest)
        try:
            cache.save()
        except OSError:
            pass  # a cache we cannot write only costs time next run
    return HashResult(digests=digests, problems=problems, bytes_hashed=hashed)


def _read_small(full: str, rel: str, size: int) -> bytes | HashProblem:
    try:
        fd = os.open(full, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            data = os.read(fd, MAX_POINTER_SIZE + 1)  # one call: a regular file returns all it holds
            while 0 < len(data) < size:  # short only when interrupted (a file that grew: up to the limit anyway)
                chunk = os.read(fd, MAX_POINTER_SIZE + 1 - len(data))
                if not chunk:
                    break
                data += chunk
            return data
        finally:
            os.close(fd)
    except FileNotFoundError:
        return HashProblem(rel, "vanished", "file vanished while being read")
    except OSError as exc:
        return HashProblem(rel, "unreadable", f"cannot read: {exc.strerror}")


def _hash_one(
    full: str, rel: str, before: os.stat_result, progress: Callable[[int], None] | None, *, pipelined: bool
) -> FileDigest | HashProblem:
    try:
        read_ahead = pipelined and before.st_size > 8 * CHUNK_SIZE
        digest = sha256_file(full, progress, limit=before.st_size, pipelined=read_ahead)
        after = os.stat(full)
    except FileNotFoundError:
        return HashProblem(rel, "vanished", "file vanished while being hashed")
    except OSError as exc:
        return HashProblem(rel, "unreadable", f"cannot read: {exc.strerror}")
    if (after.st_size, after.st_mtime_ns, after.st_ino) != (before.st_size, before.st_mtime_ns, before.st_ino):
        return HashProblem(rel, "changed", "file changed while being hashed; run again")
    return FileDigest(rel, before.st_size, digest, "hashed")
