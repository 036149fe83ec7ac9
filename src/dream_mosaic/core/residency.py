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

Files are mapped in chunks of :data:`CHUNK` bytes, so a file that grows (an SQLite database) costs only
its new chunks at the next :meth:`Resident.sync`, and a page written in place is the same locked page.

A server holds its files through a :class:`Keeper`, a small child process (``python -m
dream_mosaic.core.residency``), never in its own process: mapping a file means opening it and closing that
descriptor, and on POSIX systems closing *any* descriptor of a file drops every ``fcntl`` lock the process
holds on it, SQLite's included (SQLite's documentation warns of exactly this; two servers on one SQLite
file then answered "disk I/O error"). The keeper has no database connection, so it has no lock to drop.
It ends when its server closes its standard input, or dies.

Linux and other POSIX systems only; elsewhere :meth:`Resident.sync` only reads the files.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import logging
import mmap
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

_MAP_FAILED = ctypes.c_void_p(-1).value
_READ = 1 << 20
CHUNK = 64 << 20  # mapped and locked at a time; a multiple of every page size


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


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_through(path: Path) -> int:
    """Read a file once, so that it is in the page cache (not protected from eviction); returns its bytes."""
    done = 0
    buffer = bytearray(_READ)
    with path.open("rb", buffering=0) as handle:
        while n := handle.readinto(buffer):
            done += n
    return done


@dataclass
class _Mapping:
    stamp: tuple[int, int]  # the file's inode and this chunk's length: a replaced file or a grown chunk differ
    address: int
    size: int


@dataclass
class SyncReport:
    locked_bytes: int = 0  # bytes now held in memory by this Resident
    read_bytes: int = 0  # bytes only read into the page cache (locking refused or unavailable)
    released: int = 0  # chunks given back: their file is gone, replaced, or no longer wanted
    refused: list[str] = field(default_factory=list)  # why locking was refused, once per reason
    paths: list[Path] = field(default_factory=list)  # the files now held

    @property
    def locked_files(self) -> int:
        return len(self.paths)


class Resident:
    """A set of files kept locked in memory. :meth:`sync` makes the set exactly the files given: it maps
    and locks what is new (new files, new chunks of a grown file, every chunk of a replaced one) and
    releases what is no longer given (a file deleted on disk stays in memory while it is mapped, so
    releasing it is what gives its memory back)."""

    def __init__(self) -> None:
        self._maps: dict[tuple[Path, int], _Mapping] = {}
        # Files whose locking was refused, by inode: read once, not tried (and read) again at every sync.
        self._refused: dict[Path, int] = {}

    @property
    def locked_bytes(self) -> int:
        return sum(m.size for m in self._maps.values())

    def sync(self, files: Iterable[Path]) -> SyncReport:
        report = SyncReport()
        wanted: dict[tuple[Path, int], tuple[int, int]] = {}
        for path in files:
            try:
                st = path.stat()
            except OSError:
                continue  # gone meanwhile (a segment merged away)
            if path.is_file():
                for offset in range(0, st.st_size, CHUNK):
                    wanted[(path, offset)] = (st.st_ino, min(CHUNK, st.st_size - offset))
        for key in [k for k, m in self._maps.items() if wanted.get(k) != m.stamp]:
            self._release(key)
            report.released += 1
        refused_files: set[Path] = set()
        for key, stamp in wanted.items():
            if key in self._maps or key[0] in refused_files or self._refused.get(key[0]) == stamp[0]:
                continue
            reason = self._lock(key, stamp)
            if reason is not None:
                refused_files.add(key[0])
                if reason not in report.refused:
                    report.refused.append(reason)
        for path in refused_files:  # not locked: at least read once (what was locked of it is given back)
            for key in [k for k in self._maps if k[0] == path]:
                self._release(key)
            self._refused[path] = wanted[(path, 0)][0]
            try:
                report.read_bytes += read_through(path)
            except OSError:
                continue
        report.paths = sorted({path for path, _ in self._maps})
        report.locked_bytes = self.locked_bytes
        return report

    def release_all(self) -> None:
        for key in list(self._maps):
            self._release(key)

    def _lock(self, key: tuple[Path, int], stamp: tuple[int, int]) -> str | None:
        """Map and lock one chunk of a file; None when done, else why not."""
        if _LIBC is None:
            return "no mmap/mlock on this system"
        path, offset = key
        size = stamp[1]
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as e:
            return f"open: {e.strerror}"
        try:
            if os.fstat(fd).st_ino != stamp[0]:
                return "replaced while being locked"
            address = _LIBC.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, offset)
        finally:
            os.close(fd)  # the mapping keeps the file open
        if address is None or address == _MAP_FAILED:
            return f"mmap: {os.strerror(ctypes.get_errno())}"
        if _LIBC.mlock(address, size) != 0:
            errno = ctypes.get_errno()
            _LIBC.munmap(address, size)
            return f"mlock: {os.strerror(errno)} (raise RLIMIT_MEMLOCK or grant CAP_IPC_LOCK)"
        self._maps[key] = _Mapping(stamp, address, size)
        return None

    def _release(self, key: tuple[Path, int]) -> None:
        mapping = self._maps.pop(key)
        if _LIBC is not None:
            _LIBC.munmap(mapping.address, mapping.size)  # also unlocks

    def __del__(self) -> None:
        self.release_all()


def mode_from_environment(variable: str) -> str:
    """``auto`` (the default), ``on`` or ``off``, from an environment variable."""
    value = os.environ.get(variable, "").strip().lower() or "auto"
    mode = {"1": "on", "true": "on", "yes": "on", "0": "off", "false": "off", "no": "off"}.get(value, value)
    if mode not in {"auto", "on", "off"}:
        log.warning("%s=%r is not auto, on or off: using auto", variable, value)
        return "auto"
    return mode


def hold(files: Callable[[], Iterable[Path]], stop: threading.Event, *, mode: str = "auto", every: float = 2.0,
         what: str = "files", seen: Callable[[SyncReport], None] | None = None) -> None:
    """Until ``stop`` is set: keep ``files()`` (asked again every ``every`` seconds, so new and grown files
    are followed) locked in memory, then give the memory back. ``mode``: ``on`` locks; ``auto`` locks while
    they take up to a quarter of the machine's memory (a larger set is read once, not locked). Where locking
    is refused they are read once, and a warning says why. ``seen`` receives each sync's report. This runs
    inside a :class:`Keeper`'s process: see the module's docstring for why not in a server's."""
    quarter = physical_memory() // 4
    resident = Resident()
    try:
        while True:
            current = list(files())
            if mode == "auto" and (size := sum(_size(f) for f in current)) > quarter:
                if not resident.locked_bytes:  # too large from the start: at least read once
                    for file in current:
                        try:
                            read_through(file)
                        except OSError:
                            continue
                log.warning("%s (%d MB) are more than a quarter of this machine's memory: not locked",
                            what, size >> 20)
                return
            report = resident.sync(current)
            if seen is not None:
                seen(report)
            if report.refused:
                log.warning("%s not locked in memory: %s", what, "; ".join(report.refused))
                if not report.locked_files:
                    return  # nothing can be locked here: they were read once
            if stop.wait(every):
                return
    finally:
        resident.release_all()


def listing(folders: Sequence[Path], files: Sequence[Path]) -> Callable[[], list[Path]]:
    """What a keeper holds: every file in ``folders`` as they are now (an index's segments come and go; its
    dot files are locks) and ``files``."""
    def now() -> list[Path]:
        found: list[Path] = []
        for folder in folders:
            try:
                found.extend(sorted(f for f in folder.iterdir() if f.is_file() and not f.name.startswith(".")))
            except OSError:
                continue
        return found + [f for f in files if f.is_file()]
    return now


def size_of(folders: Sequence[Path], files: Sequence[Path]) -> int:
    return sum(_size(f) for f in listing(folders, files)())


class Keeper:
    """Files held in memory by a child process (see the module's docstring). Its reports reach ``seen``."""

    def __init__(self, folders: Sequence[Path], files: Sequence[Path] = (), *, mode: str = "auto",
                 every: float = 2.0, what: str = "files", seen: Callable[[SyncReport], None] | None = None) -> None:
        self.folders, self.files, self.mode, self.every, self.what = list(folders), list(files), mode, every, what
        self.seen = seen
        self.process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> Keeper:
        command = [sys.executable, "-m", "dream_mosaic.core.residency", "--mode", self.mode, "--every",
                   str(self.every), "--what", self.what]
        for folder in self.folders:
            command += ["--folder", str(folder)]
        for file in self.files:
            command += ["--file", str(file)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read, name="residency-keeper", daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            try:
                data = json.loads(line)
            except ValueError:
                continue
            if self.seen is not None:
                data["paths"] = [Path(p) for p in data.get("paths", [])]
                self.seen(SyncReport(**data))

    def close(self, timeout: float = 5.0) -> None:
        """End the keeper, which gives the memory back (it exits when its standard input closes)."""
        if self.process is None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._reader is not None:
            self._reader.join(timeout)


def locked_memory(pid: int | str = "self") -> int:
    """Bytes a process holds locked (``VmLck`` in /proc/PID/status; 0 where there is none)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmLck:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    """The keeper's process: hold the files until standard input closes (its server closed it, or died)."""
    parser = argparse.ArgumentParser(prog="python -m dream_mosaic.core.residency", description=main.__doc__)
    parser.add_argument("--folder", type=Path, action="append", default=[])
    parser.add_argument("--file", type=Path, action="append", default=[])
    parser.add_argument("--mode", choices=("auto", "on"), default="auto")
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--what", default="files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    stop = threading.Event()

    def until_closed() -> None:
        sys.stdin.buffer.read()
        stop.set()

    threading.Thread(target=until_closed, daemon=True).start()

    last: list[str] = []

    def report(sync: SyncReport) -> None:  # to the server, when something changed
        line = json.dumps({**sync.__dict__, "paths": [str(p) for p in sync.paths]})
        if not last or line != last[0]:
            last[:] = [line]
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    hold(listing(args.folder, args.file), stop, mode=args.mode, every=args.every, what=args.what, seen=report)
    stop.wait()  # not holding (nothing to lock, or refused): stay until the server goes, as it expects


if __name__ == "__main__":
    main()
