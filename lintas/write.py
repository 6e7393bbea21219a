"""WRITE: build into a staging folder beside site/, then swap it in; never leave a half site.

The swap uses Linux's renameat2(RENAME_EXCHANGE), which exchanges the two folders in one step, so
a reader or a killed build sees either the old site or the new one. Where that call is missing, two
renames are used and a site left in `.site.old-*` by a kill between them is restored by the next
build. One build at a time: an exclusive lock file beside site/.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from .outputs import OutputError, check_dest_path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class WriteError(Exception):
    """The output location cannot be written (read-only, full, missing)."""


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; False when the system does not offer it."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is None:
        return False
    result = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _mount_point(path: Path) -> Path:
    path = path.absolute()
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


def _describe_os_error(exc: OSError, where: Path) -> str:
    """One line: what failed and where. `shutil.Error` (from copytree/move) carries a list of
    (src, dst, why) with the errno only inside `why`: the first entry stands for all."""
    code, strerror = exc.errno, exc.strerror
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        _src, dst, why = exc.args[0][0]
        found = re.search(r"\[Errno (\d+)\] ([^:']+)", str(why))
        code, strerror = (int(found.group(1)), found.group(2)) if found else (None, str(why)[:200])
        where = Path(dst)
    elif exc.filename:
        where = Path(os.fsdecode(exc.filename))
    if code == errno.ENOSPC:
        return f"no space left on the device holding {_mount_point(where)} (while writing {where})"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where} is not writable ({strerror})"
    if code == errno.ENOENT:
        # Mostly a file the build reads (a template asset) that is not there.
        return f"{where} is missing ({strerror})"
    return f"cannot read or write {where}: {strerror or type(exc).__name__}"


@contextlib.contextmanager
def build_lock(site_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock for the whole build; a second build waits for the first."""
    parent = site_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(parent / f".{site_dir.name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WriteError(_describe_os_error(exc, parent)) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            recover(site_dir)
            yield
        except OSError as exc:
            # A full disk or a read-only folder met anywhere in the build (MkDocs, shutil, our own
            # writes): one clear line instead of a traceback; the caller discards the staging.
            raise WriteError(_describe_os_error(exc, parent)) from exc
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# Every folder a build makes beside site/ holds this file with exactly this content; recovery
# removes a leftover folder only when it does, so a folder of someone else's that happens to be
# called `.site.new-notes` or `lintas-offline-archive` is never touched (issue 13).
WORK_MARKER = ".lintas-work"
WORK_TOKEN = b"Lintas build work folder: the next build removes it.\n"


def mark_ours(folder: Path) -> None:
    """Claim `folder` as a Lintas work folder (see WORK_MARKER)."""
    (folder / WORK_MARKER).write_bytes(WORK_TOKEN)


def remove_work_folder(folder: Path) -> None:
    """Remove a work folder, its marker last: a kill half-way leaves a folder recover() still knows."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name == WORK_MARKER:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                entry.unlink()
    with contextlib.suppress(OSError):
        (folder / WORK_MARKER).unlink()
        folder.rmdir()


def is_ours(folder: Path) -> bool:
    try:
        marker = folder / WORK_MARKER
        return (folder.is_dir() and not folder.is_symlink() and not marker.is_symlink()
                and marker.read_bytes() == WORK_TOKEN)
    except OSError:
        return False


def recover(site_dir: Path) -> None:
    """Clean up after a killed build: restore a site caught between renames, drop stale staging.

    Only folders holding Lintas' work marker are touched."""
    parent = site_dir.parent
    olds = [p for p in sorted(parent.glob(f".{site_dir.name}.old-*")) if is_ours(p)]
    if not site_dir.exists() and olds:
        os.rename(olds[-1], site_dir)
        olds = olds[:-1]
    if is_ours(site_dir):  # a site restored above, or one killed just before it was set aside
        (site_dir / WORK_MARKER).unlink()
    # `lintas-offline-*`: the offline bundle's work folder of builds before it was kept in memory.
    for stale in [*olds, *parent.glob(f".{site_dir.name}.new-*"), *parent.glob("lintas-offline-*")]:
        if is_ours(stale):
            remove_work_folder(stale)
        elif stale.is_dir() and not stale.is_symlink():
            # A build killed between making a folder and marking it leaves it empty, or holding
            # only a half-written marker; either holds nothing to lose, so it goes whoever made it.
            with contextlib.suppress(OSError):
                _remove_half_marker(stale)
                stale.rmdir()


def _remove_half_marker(folder: Path) -> None:
    """Unlink `folder`'s marker when it is the folder's only entry and a prefix of the token."""
    entries = list(folder.iterdir())
    marker = folder / WORK_MARKER
    if (entries == [marker] and marker.is_file() and not marker.is_symlink()
            and WORK_TOKEN.startswith(marker.read_bytes())):
        marker.unlink()


def make_staging(site_dir: Path) -> Path:
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.new-", dir=site_dir.parent))
        mark_ours(staging)
        return staging
    except OSError as exc:
        raise WriteError(_describe_os_error(exc, site_dir.parent)) from exc


def write_outputs(staging: Path, outputs: Mapping[str, bytes], *, replace: frozenset[str] = frozenset()) -> None:
    """Write publisher outputs into the staging tree; refuse to overwrite a rendered file unless allowed."""
    root = staging.resolve()
    for rel in outputs:
        check_dest_path(rel)
        path = staging / rel
        if path.exists() and rel not in replace:
            raise OutputError(f"output {rel!r} would overwrite a rendered file")
        if not path.resolve().is_relative_to(root):
            raise OutputError(f"output {rel!r} leaves the site folder")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(outputs[rel])
        except OSError as exc:
            raise WriteError(_describe_os_error(exc, path)) from exc


def swap_in(staging: Path, site_dir: Path) -> None:
    """Make `staging` the new site/; the old one is removed afterwards."""
    try:
        os.chmod(staging, 0o755)
        # The staging keeps its marker until it is site/ (a kill before that leaves it recognisably
        # ours); then the marker goes, and recovery removes one that a kill left in site/.
        if site_dir.exists():
            # The old site is marked before it moves: a kill while it sits beside site/ (or while
            # it is being removed, marker last) leaves a folder recovery knows as ours.
            mark_ours(site_dir)
            if _renameat2_exchange(staging, site_dir):
                (site_dir / WORK_MARKER).unlink(missing_ok=True)
                remove_work_folder(staging)  # now holds the old site
                return
            old = site_dir.parent / f".{site_dir.name}.old-{os.getpid()}"
            os.rename(site_dir, old)
            os.rename(staging, site_dir)
            (site_dir / WORK_MARKER).unlink(missing_ok=True)
            remove_work_folder(old)
        else:
            os.rename(staging, site_dir)
            (site_dir / WORK_MARKER).unlink(missing_ok=True)
    except OSError as exc:
        raise WriteError(_describe_os_error(exc, site_dir)) from exc


def replace_files(site_dir: Path, files: Mapping[str, bytes]) -> int:
    """Replace files of a live site/ (`serve`'s preview), each in one rename, under the build lock.

    Only files whose folder already exists in site/ are written; anything else is an OutputError
    and the caller builds in full."""
    if not files:
        return 0
    with build_lock(site_dir):
        work = make_staging(site_dir)  # on the same file system; a killed run's copy is cleared
        try:
            for i, (rel, data) in enumerate(sorted(files.items())):
                check_dest_path(rel)
                target = site_dir / rel
                if not target.parent.is_dir() or not target.resolve().is_relative_to(site_dir.resolve()):
                    raise OutputError(f"{rel} is not in site/")
                tmp = work / str(i)
                tmp.write_bytes(data)
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
        finally:
            discard(work)
    return len(files)


def replace_folder(site_dir: Path, name: str, fill: Callable[[Path], object]) -> None:
    """Make site/<name>/ anew under the build lock: `fill` writes the folder it is given (beside
    site/), which then takes the old one's place."""
    with build_lock(site_dir):
        work = make_staging(site_dir)
        try:
            fill(work / name)
            old = work / "old"
            os.rename(site_dir / name, old)
            os.rename(work / name, site_dir / name)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            discard(work)


def discard(staging: Path) -> None:
    remove_work_folder(staging)
