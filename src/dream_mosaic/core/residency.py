"""Keeping files in memory: mapped and locked (``mlock``), so the kernel cannot drop them from the page cache.

Why: a search index is read at random, a few pages per query. When the operating system evicts pages
that nobody touched for a while (a busy host's other work, or a virtual machine's proactive reclaim such
as the kernel's DAMON ``pageout``, which on the benchmark machine dropped the archive's text index within
a minute of idling), the next query waits on the disk, and a 10 ms search becomes a 30 ms one. Locking
is what Elasticsearch's ``bootstrap.memory_lock`` does for the same reason.

A locked page is the page cache's own page (the mapping is shared and read-only), so every process that
maps the same file shares it and the memory is counted once. ``mlock`` needs ``CAP_IPC_LOCK`` or a large
enough ``RLIMIT_MEMLOCK`` (systemd: ``LimitMEMLOCK=infinity``); where it is refused the file is read once
instead (into the page cache, unprotected) and the report says so.

Linux and other POSIX systems only; elsewhere :meth:`Resident.sync` only reads the files.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import mmap
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_MAP_FAILED = ctypes.c_void_p(-1).value
_CHUNK = 1 << 20


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None or not hasattr(mmap, "MAP_SHARED"):
        return None
    libc = ctypes.CDLL(name, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                          ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.mlock.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    return libc


_LIBC = _libc()


def physical_memory() -> int:
    """Bytes of RAM on this machine (0 when the system does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 0


def read_through(path: Path) -> int:
    """Read a file once, so that it is in the page cache (not protected from eviction); returns its bytes."""
    done = 0
    buffer = bytearray(_CHUNK)
    with path.open("rb", buffering=0) as handle:
        while n := handle.readinto(buffer):
            done += n
    return done


@dataclass
class _Mapping:
    stamp: tuple[int, int, int]
    address: int
    size: int


@dataclass
class SyncReport:
    locked_bytes: int = 0  # bytes now held in memory by this Resident
    locked_files: int = 0
    read_bytes: int = 0  # bytes only read into the page cache (locking refused or unavailable)
    released_files: int = 0
    refused: list[str] = field(default_factory=list)  # why locking was refused, once per reason
    paths: list[Path] = field(default_factory=list)  # the files now held


class Resident:
    """A set of files kept locked in memory. :meth:`sync` makes the set exactly the files given: it maps
    and locks new or changed ones and releases those no longer given (a file deleted on disk stays in
    memory while it is mapped, so releasing it is what gives its memory back)."""

    def __init__(self) -> None:
        self._maps: dict[Path, _Mapping] = {}

    @property
    def locked_bytes(self) -> int:
        return sum(m.size for m in self._maps.values())

    def sync(self, files: Iterable[Path]) -> SyncReport:
        report = SyncReport()
        wanted: dict[Path, tuple[int, int, int]] = {}
        for path in files:
            try:
                st = path.stat()
            except OSError:
                continue  # gone meanwhile (a segment merged away)
            if path.is_file() and st.st_size > 0:
                wanted[path] = (st.st_ino, st.st_mtime_ns, st.st_size)
        for path in [p for p, m in self._maps.items() if wanted.get(p) != m.stamp]:
            self._release(path)
            report.released_files += 1
        for path, stamp in wanted.items():
            if path in self._maps:
                continue
            reason = self._lock(path, stamp)
            if reason is not None:
                if reason not in report.refused:
                    report.refused.append(reason)
                try:
                    report.read_bytes += read_through(path)
                except OSError:
                    continue
        report.paths = sorted(self._maps)
        report.locked_files = len(self._maps)
        report.locked_bytes = self.locked_bytes
        return report

    def release_all(self) -> None:
        for path in list(self._maps):
            self._release(path)

    def _lock(self, path: Path, stamp: tuple[int, int, int]) -> str | None:
        """Map and lock one file; None when done, else why not."""
        if _LIBC is None:
            return "no mmap/mlock on this system"
        size = stamp[2]
        fd = os.open(path, os.O_RDONLY)
        try:
            address = _LIBC.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
        finally:
            os.close(fd)  # the mapping keeps the file open
        if address is None or address == _MAP_FAILED:
            return f"mmap: {os.strerror(ctypes.get_errno())}"
        if _LIBC.mlock(address, size) != 0:
            errno = ctypes.get_errno()
            _LIBC.munmap(address, size)
            return f"mlock: {os.strerror(errno)} (raise RLIMIT_MEMLOCK or grant CAP_IPC_LOCK)"
        self._maps[path] = _Mapping(stamp, address, size)
        return None

    def _release(self, path: Path) -> None:
        mapping = self._maps.pop(path)
        if _LIBC is not None:
            _LIBC.munmap(mapping.address, mapping.size)  # also unlocks

    def __del__(self) -> None:
        self.release_all()


def locked_memory_of_this_process() -> int:
    """Bytes this process holds locked (``VmLck`` in /proc/self/status; 0 where there is none)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmLck:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
