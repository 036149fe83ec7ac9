"""Files held in memory: locked while wanted, given back when not, read once when locking is refused."""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest

from dream_mosaic.core import residency

PAGE = os.sysconf("SC_PAGE_SIZE")


def can_lock(nbytes: int) -> bool:
    soft, _ = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    held = residency.locked_memory_of_this_process()
    return os.geteuid() == 0 or soft == resource.RLIM_INFINITY or soft >= nbytes + held


def write(path: Path, pages: int) -> Path:
    path.write_bytes(os.urandom(pages * PAGE))
    return path


def test_sync_locks_new_files_and_releases_changed_and_gone_ones(tmp_path):
    a, b = write(tmp_path / "a", 8), write(tmp_path / "b", 4)
    if not can_lock(12 * PAGE):
        pytest.skip("this process may not lock 48 KiB (no CAP_IPC_LOCK and a small RLIMIT_MEMLOCK)")
    base = residency.locked_memory_of_this_process()
    resident = residency.Resident()
    report = resident.sync([a, b, tmp_path / "missing"])
    assert (report.locked_files, report.locked_bytes, report.read_bytes) == (2, 12 * PAGE, 0)
    assert residency.locked_memory_of_this_process() - base == 12 * PAGE  # the kernel holds them
    assert resident.sync([a, b]).released_files == 0  # unchanged: nothing mapped again

    b.unlink()  # as tantivy does after a merge: the mapping would keep it in memory, so it is released
    write(tmp_path / "a.new", 2).replace(a)  # a file replaced under the same name is mapped anew
    report = resident.sync([a, b])
    assert (report.released_files, report.locked_files, report.locked_bytes) == (2, 1, 2 * PAGE)
    assert residency.locked_memory_of_this_process() - base == 2 * PAGE

    resident.release_all()
    assert residency.locked_memory_of_this_process() == base


def test_a_refused_lock_reads_the_file_once_and_says_why(tmp_path, monkeypatch):
    a = write(tmp_path / "a", 3)

    class NoLock:  # a libc whose mlock fails as with a small RLIMIT_MEMLOCK
        def __init__(self, real):
            self.real = real

        def mlock(self, address, size):
            return -1

        def __getattr__(self, name):
            return getattr(self.real, name)

    monkeypatch.setattr(residency, "_LIBC", NoLock(residency._LIBC))
    base = residency.locked_memory_of_this_process()
    resident = residency.Resident()
    report = resident.sync([a])
    assert (report.locked_files, report.locked_bytes, report.read_bytes) == (0, 0, 3 * PAGE)
    assert report.refused and report.refused[0].startswith("mlock:")
    assert residency.locked_memory_of_this_process() == base  # nothing left mapped
