"""Files held in memory: locked while wanted, followed as they grow, given back when not, read once when
locking is refused; held by a keeper process, so a server's SQLite locks are never dropped."""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dream_mosaic.core import residency

PAGE = os.sysconf("SC_PAGE_SIZE")


def require_locking(nbytes: int) -> None:
    soft, _ = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    held = residency.locked_memory()
    if not (os.geteuid() == 0 or soft == resource.RLIM_INFINITY or soft >= nbytes + held):
        pytest.skip(f"this process may not lock {nbytes} bytes (no CAP_IPC_LOCK and a small RLIMIT_MEMLOCK)")


def write(path: Path, pages: int, mode: str = "wb") -> Path:
    with path.open(mode) as handle:
        handle.write(os.urandom(pages * PAGE))
    return path


def locked_here() -> int:
    return residency.locked_memory()


def test_sync_locks_new_files_and_releases_changed_and_gone_ones(tmp_path):
    require_locking(12 * PAGE)
    a, b = write(tmp_path / "a", 8), write(tmp_path / "b", 4)
    base = locked_here()
    resident = residency.Resident()
    report = resident.sync([a, b, tmp_path / "missing"])
    assert (report.locked_files, report.locked_bytes, report.read_bytes) == (2, 12 * PAGE, 0)
    assert report.paths == [a, b]
    assert locked_here() - base == 12 * PAGE  # the kernel holds them
    assert resident.sync([a, b]).released == 0  # unchanged: nothing mapped again

    b.unlink()  # as tantivy does after a merge: the mapping would keep it in memory, so it is released
    write(tmp_path / "a.new", 2).replace(a)  # a file replaced under the same name is mapped anew
    report = resident.sync([a, b])
    assert (report.released, report.locked_files, report.locked_bytes) == (2, 1, 2 * PAGE)
    assert locked_here() - base == 2 * PAGE

    resident.release_all()
    assert locked_here() == base


def test_a_growing_file_costs_only_its_new_chunks(tmp_path, monkeypatch):
    require_locking(10 * PAGE)
    monkeypatch.setattr(residency, "CHUNK", 4 * PAGE)
    db = write(tmp_path / "mosaic.db", 6)  # chunks of 4 and 2 pages
    base = locked_here()
    resident = residency.Resident()
    assert resident.sync([db]).locked_bytes == 6 * PAGE
    write(db, 4, mode="ab")  # an SQLite checkpoint appends pages: 4 + 4 + 2
    report = resident.sync([db])
    assert report.released == 1  # only the chunk that grew was mapped again
    assert report.locked_bytes == 10 * PAGE == locked_here() - base
    resident.release_all()


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
    base = locked_here()
    resident = residency.Resident()
    report = resident.sync([a])
    assert (report.locked_files, report.locked_bytes, report.read_bytes) == (0, 0, 3 * PAGE)
    assert report.refused and report.refused[0].startswith("mlock:")
    assert locked_here() == base  # nothing left mapped
    again = resident.sync([a])  # not tried, nor read, again at every sync: once per file
    assert (again.read_bytes, again.refused) == (0, [])
    write(tmp_path / "a.new", 1).replace(a)  # a new file under the name is tried again
    assert resident.sync([a]).read_bytes == PAGE


def test_hold_follows_new_files_until_stopped(tmp_path):
    require_locking(6 * PAGE)
    folder = tmp_path / "index"
    folder.mkdir()
    write(folder / "seg1", 2)
    base = locked_here()
    reports: list[residency.SyncReport] = []
    stop = threading.Event()

    def files() -> list[Path]:
        return sorted(folder.iterdir())

    worker = threading.Thread(target=residency.hold, args=(files, stop),
                              kwargs={"mode": "on", "every": 0.02, "seen": reports.append})
    worker.start()

    def wait_for(check) -> None:
        deadline = time.monotonic() + 5
        while not check() and time.monotonic() < deadline:
            time.sleep(0.01)

    wait_for(lambda: locked_here() - base == 2 * PAGE)
    write(folder / "seg2", 4)  # a commit's new segment
    # The pages are locked inside a sync, and its report is delivered just after: wait for both.
    wait_for(lambda: locked_here() - base == 6 * PAGE and bool(reports) and reports[-1].paths == files())
    assert locked_here() - base == 6 * PAGE
    assert reports[-1].paths == files()
    stop.set()
    worker.join(timeout=5)
    assert locked_here() == base  # stopping gives it back



def test_modes_from_the_environment(monkeypatch):
    cases = (("", "auto"), ("auto", "auto"), ("1", "on"), ("ON", "on"), ("0", "off"), ("false", "off"),
             ("sometimes", "auto"))
    for value, mode in cases:
        monkeypatch.setenv("MOSAIC_X_LOCK", value)
        assert residency.mode_from_environment("MOSAIC_X_LOCK") == mode


def test_auto_lets_go_of_files_that_outgrow_a_quarter_of_memory(tmp_path, monkeypatch):
    require_locking(4 * PAGE)
    folder = tmp_path / "index"
    folder.mkdir()
    write(folder / "seg1", 2)
    monkeypatch.setattr(residency, "physical_memory", lambda: 4 * 3 * PAGE)  # a quarter is 3 pages
    base = locked_here()
    reports: list[residency.SyncReport] = []
    worker = threading.Thread(target=residency.hold, args=(lambda: sorted(folder.iterdir()), threading.Event()),
                              kwargs={"mode": "auto", "every": 0.02, "seen": reports.append})
    worker.start()
    deadline = time.monotonic() + 5
    while not reports and time.monotonic() < deadline:
        time.sleep(0.01)
    assert reports and reports[0].locked_bytes == 2 * PAGE  # two pages fit in a quarter
    write(folder / "seg2", 2)  # four pages do not: it stops holding and gives the memory back
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert locked_here() == base


def wait_until(check, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.02)


def test_a_keeper_process_holds_a_folder_and_files_and_lets_go_when_closed(tmp_path):
    require_locking(7 * PAGE)
    folder = tmp_path / "index"
    folder.mkdir()
    write(folder / "seg1", 2)
    (folder / ".tantivy-writer.lock").write_bytes(b"x")  # lock files are not held
    db = write(tmp_path / "mosaic.db", 3)
    reports: list[residency.SyncReport] = []
    keeper = residency.Keeper([folder], [db], mode="on", every=0.05, seen=reports.append).start()
    try:
        assert keeper.process is not None
        pid = keeper.process.pid
        wait_until(lambda: residency.locked_memory(pid) == 5 * PAGE)
        assert residency.locked_memory(pid) == 5 * PAGE  # in the keeper, not in this process
        write(folder / "seg2", 2)
        wait_until(lambda: bool(reports) and reports[-1].locked_bytes == 7 * PAGE)
        assert reports[-1].paths == [folder / "seg1", folder / "seg2", db]
    finally:
        keeper.close()
    assert keeper.process.returncode == 0  # it ended when its input closed


def test_holding_the_database_never_drops_this_process_s_sqlite_locks(tmp_path):
    """Closing any descriptor of a file drops every POSIX lock the process holds on it. Had the database
    been mapped in this process, another process closing its connection would take itself for the last one
    and delete the write-ahead log under this one's open connection (two servers on one SQLite file then
    answered "disk I/O error"); the keeper maps it in a process of its own."""
    require_locking(64 * PAGE)
    db = tmp_path / "mosaic.db"
    mine = sqlite3.connect(db, isolation_level=None)
    mine.execute("PRAGMA journal_mode=WAL")
    mine.execute("CREATE TABLE t (x)")
    mine.execute("INSERT INTO t VALUES (1)")
    reports: list[residency.SyncReport] = []
    keeper = residency.Keeper([], [db], mode="on", every=0.05, seen=reports.append).start()
    try:
        wait_until(lambda: bool(reports))
        assert reports and reports[-1].paths == [db]
        other = subprocess.run(
            [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
             "c.execute('INSERT INTO t VALUES (2)'); c.close()", str(db)], capture_output=True, text=True)
        assert other.returncode == 0, other.stderr
        assert (tmp_path / "mosaic.db-wal").exists()  # it saw this process's connection: not the last one
        mine.execute("INSERT INTO t VALUES (3)")
        assert mine.execute("SELECT count(*) FROM t").fetchone() == (3,)
    finally:
        keeper.close()
        mine.close()


def test_a_keeper_ends_when_its_server_is_killed(tmp_path):
    """A server killed with SIGKILL closes nothing itself: the kernel closes the keeper's standard input,
    and the keeper ends, giving the memory back (no orphan holding gigabytes)."""
    db = write(tmp_path / "mosaic.db", 2)
    server = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; from dream_mosaic.core import residency; "
         "k = residency.Keeper([], [Path(sys.argv[1])], mode='on', every=0.05).start(); "
         "print(k.process.pid, flush=True); time.sleep(60)", str(db)], stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    keeper_pid = int(server.stdout.readline())
    assert Path(f"/proc/{keeper_pid}").exists()
    server.kill()
    server.wait(5)
    def gone() -> bool:  # ended (a zombie until init reaps it, as its parent is dead)
        try:
            return "zombie" in Path(f"/proc/{keeper_pid}/status").read_text()
        except OSError:
            return True

    wait_until(gone)
    assert gone()
