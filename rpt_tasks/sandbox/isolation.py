"""Locking a candidate process down: own session and uid, no network, resource limits, clean
fds and environment, and a filesystem that holds nothing of the evaluator's (a chroot into an
empty folder, or in command mode a private mount namespace with read-only system folders)."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import tempfile
from pathlib import Path

from rpt_tasks.sandbox.jobs import Limits


def lock_down(limits: Limits, uid: int, workdir: Path, keep_fds: dict[int, int], status_w: int,
               view: list[str] | None = None) -> None:
    """Own session, no network, own uid, limits, clean fds and environment, and (as root) the
    working directory as the whole filesystem: benchmark files, datasets and caches that hold
    expected outputs are out of reach (the modules it may import are preloaded in memory).
    With a `view` (command mode) the filesystem is instead a private mount namespace holding the
    system folders and `view` read-only, a private /tmp and the working folder at /project.
    The active isolation goes on the status pipe before any candidate code runs."""
    os.setsid()
    isolation = _isolate_network()
    os.chdir(workdir)
    home = str(workdir)
    devnull = os.open(os.devnull, os.O_RDWR)  # before the chroot: there is no /dev inside
    if view is not None:
        if os.geteuid() != 0:
            raise PermissionError("command mode needs root (a mount namespace hides the host's files)")
        _enter_system_view(workdir, view)
        isolation, home = isolation + "+mntns", PROJECT_FOLDER
    elif os.geteuid() == 0:
        os.chroot(workdir)
        os.chdir("/")
        isolation, home = isolation + "+chroot", "/"
    os.write(status_w, f"isolation {isolation} pid {os.getpid()}\n".encode())
    _remap_fds(keep_fds, devnull)  # closes status_w and everything else inherited
    _set_limits(limits)
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    os.environ.clear()
    tmp = "/tmp" if view is not None else home
    os.environ.update(PATH="/usr/bin:/bin", HOME=home, LANG="C.UTF-8", TMPDIR=tmp)
    tempfile.tempdir = tmp
    if isolation == "socket-guard":
        _block_sockets()


# Shown read-only to command-mode candidates: the system, the interpreter (and its venv), and
# the usual toolchain homes. Never the checkout, the data mirror, caches or /root itself.
PROJECT_FOLDER = "/project"  # where the working folder appears
SYSTEM_FOLDERS = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin", "/etc")
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = (
    1, 2, 4, 8, 32, 4096, 16384, 1 << 18)


def system_view(extra: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The folders a command-mode candidate sees (read-only), those that exist here."""
    folders = [*SYSTEM_FOLDERS, sys.base_prefix, sys.prefix, *extra,
               *[p for p in os.environ.get("RPT_SANDBOX_BINDS", "").split(":") if p]]
    seen: list[str] = []
    temp = os.path.abspath(tempfile.gettempdir())
    for folder in folders:
        folder = os.path.abspath(folder)
        if os.path.commonpath([folder, temp]) == folder:
            continue  # "/" or /tmp itself would show other candidates' working folders
        if os.path.lexists(folder) and folder not in seen:
            seen.append(folder)
    return seen


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    encode = lambda v: v.encode() if v is not None else None  # noqa: E731
    if libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) != 0:
        raise OSError(ctypes.get_errno(), f"mount {source} on {target}: {os.strerror(ctypes.get_errno())}")


def _enter_system_view(workdir: Path, view: list[str]) -> None:
    """A private mount namespace whose root is a fresh tmpfs holding `view` (read-only binds),
    /dev's harmless nodes, a /proc that shows only our own processes, a private /tmp and the
    working folder at PROJECT_FOLDER; then chroot into it."""
    if ctypes.CDLL(None, use_errno=True).unshare(0x00020000) != 0:  # CLONE_NEWNS
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)  # nothing we mount leaks back to the host
    root = str(workdir) + "-root"
    _mount("tmpfs", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=16m,mode=755")
    os.makedirs(root + "/tmp")  # first: a folder shown from under /tmp (a venv) is mounted inside it
    _mount("tmpfs", root + "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, "size=512m,mode=1777")
    for folder in view:
        target = root + folder
        if os.path.islink(folder):  # merged-/usr systems: /bin -> usr/bin
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.readlink(folder), target)
            continue
        os.makedirs(target, exist_ok=True)
        _mount(folder, target, None, _MS_BIND | _MS_REC)
        _mount(None, target, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)
    os.makedirs(root + "/dev", exist_ok=True)
    for node in ("null", "zero", "random", "urandom"):
        open(f"{root}/dev/{node}", "w").close()
        _mount(f"/dev/{node}", f"{root}/dev/{node}", None, _MS_BIND)
    os.makedirs(root + "/dev/shm")  # POSIX semaphores (multiprocessing's locks) live here
    _mount("tmpfs", root + "/dev/shm", "tmpfs", _MS_NOSUID | _MS_NODEV, "size=64m,mode=1777")
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "hidepid=2")
    os.makedirs(root + PROJECT_FOLDER, exist_ok=True)
    _mount(str(workdir), root + PROJECT_FOLDER, None, _MS_BIND)
    os.chroot(root)
    os.chdir(PROJECT_FOLDER)


def _remap_fds(keep_fds: dict[int, int], devnull: int) -> None:
    """Move the fds we keep to their target numbers, point the rest of 0-2 at /dev/null, close
    everything else."""
    import fcntl

    # Park the kept fds high first, so moving one into place cannot clobber another.
    moved = {target: fcntl.fcntl(fd, fcntl.F_DUPFD, 512) for target, fd in keep_fds.items()}
    for std in (0, 1, 2):
        if std not in keep_fds:
            os.dup2(devnull, std)
    for target, fd in moved.items():
        os.dup2(fd, target)
    top = max([2, *keep_fds])
    os.closerange(top + 1, 65536)  # the parked copies and everything inherited
    for fd in range(3, top + 1):
        if fd not in keep_fds:
            try:
                os.close(fd)
            except OSError:
                pass


def _isolate_network() -> str:
    libc = ctypes.CDLL(None, use_errno=True)
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    if os.geteuid() == 0 and libc.unshare(clone_newnet) == 0:
        _loopback_up()
        return "netns"
    if libc.unshare(clone_newuser | clone_newnet) == 0:
        return "userns+netns"
    return "socket-guard"


def _loopback_up() -> None:
    """The new network namespace's own loopback, down until raised: programs that talk to
    themselves over 127.0.0.1 (a server and its client) work; nothing leaves the namespace."""
    import fcntl
    import socket
    import struct

    siocsifflags, iff_up, iff_loopback, iff_running = 0x8914, 0x1, 0x8, 0x40
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            fcntl.ioctl(sock, siocsifflags, struct.pack("16sh", b"lo", iff_up | iff_loopback | iff_running))
        except OSError:
            pass  # no loopback then; the namespace is isolated either way


def _block_sockets() -> None:
    import socket

    def refuse(*args, **kwargs):
        raise PermissionError("network access is disabled in the sandbox")

    socket.socket = socket.create_connection = socket.socketpair = refuse  # type: ignore[assignment]


def _set_limits(limits: Limits) -> None:
    import resource

    cpu = int(limits.timeout_s) + 1
    for name, value in [("RLIMIT_CPU", cpu), ("RLIMIT_AS", limits.memory_mb << 20),
                        ("RLIMIT_FSIZE", limits.file_size_mb << 20), ("RLIMIT_NPROC", limits.processes),
                        ("RLIMIT_NOFILE", limits.open_files), ("RLIMIT_CORE", 0)]:
        resource.setrlimit(getattr(resource, name), (value, value))


def kill_uid(uid: int) -> None:
    """Kill every process of a candidate's uid, also those that left its process group."""
    if os.geteuid() != 0:
        return
    pid = os.fork()
    if pid == 0:
        try:
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)  # as that uid, -1 reaches exactly that uid's processes
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
