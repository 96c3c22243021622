"""Locking a candidate process down: own session and uid, no network, resource limits, clean
fds and environment, and a filesystem that holds nothing of the evaluator's (a chroot into an
empty folder, or in command mode a private mount namespace with read-only system folders)."""

from __future__ import annotations

import ctypes
import fcntl
import os
import resource
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imports stay light: the stdio server loads this module and forks per case
    from rpt_tasks.sandbox.jobs import Limits

_LIBC = ctypes.CDLL(None, use_errno=True)
CLONE_NEWIPC = 0x08000000


def lock_down(limits: Limits, uid: int, workdir: Path, keep_fds: dict[int, int], status_w: int,
              view: list[str] | None = None, keep_root: bool = False) -> None:
    """Own session, no network, own uid, limits, clean fds and environment, and (as root) the
    working directory as the whole filesystem: benchmark files, datasets and caches that hold
    expected outputs are out of reach (the modules it may import are preloaded in memory).
    With a `view` (command mode) the filesystem is instead a private mount namespace holding the
    system folders and `view` read-only, a private /tmp and the working folder at /project.
    The active isolation goes on the status pipe before any candidate code runs.
    `keep_root`: the stdin/stdout server, which runs no candidate code itself and locks each
    case down further (case_lock_down), keeps root and sets no limits of its own."""
    os.setsid()
    isolation = _isolate_network()
    os.chdir(workdir)
    home = str(workdir)
    devnull = os.open(os.devnull, os.O_RDWR)  # before the chroot: there is no /dev inside
    if view is not None:
        if os.geteuid() != 0:
            raise PermissionError("command mode needs root (a mount namespace hides the host's files)")
        _enter_system_view(workdir, view, server=keep_root)
        isolation, home = isolation + "+mntns", PROJECT_FOLDER
    elif os.geteuid() == 0:
        os.chroot(workdir)
        os.chdir("/")
        isolation, home = isolation + "+chroot", "/"
    os.write(status_w, f"isolation {isolation} pid {os.getpid()}\n".encode())
    if keep_root:
        keep_fds = {**keep_fds, SERVER_DEVNULL: devnull}  # the cases' stderr
    _remap_fds(keep_fds, devnull)  # closes status_w and everything else inherited
    if keep_root:
        os.environ.clear()
        os.environ.update(PATH="/usr/bin:/bin", HOME=home, LANG="C.UTF-8", TMPDIR=home)
        return
    _set_limits(limits)
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    os.environ.clear()
    tmp = "/tmp" if view is not None else home
    os.environ.update(PATH="/usr/bin:/bin", HOME=home, LANG="C.UTF-8", TMPDIR=tmp)
    import tempfile

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
    import tempfile

    temp = os.path.abspath(tempfile.gettempdir())
    for folder in folders:
        folder = os.path.abspath(folder)
        if os.path.commonpath([folder, temp]) == folder:
            continue  # "/" or /tmp itself would show other candidates' working folders
        if os.path.lexists(folder) and folder not in seen:
            seen.append(folder)
    return seen


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    libc = _LIBC
    encode = lambda v: v.encode() if v is not None else None  # noqa: E731
    if libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)) != 0:
        raise OSError(ctypes.get_errno(), f"mount {source} on {target}: {os.strerror(ctypes.get_errno())}")


def _enter_system_view(workdir: Path, view: list[str], server: bool = False) -> None:
    """A private mount namespace whose root is a fresh tmpfs holding `view` (read-only binds),
    /dev's harmless nodes, a /proc that shows only our own processes, a private /tmp and
    /dev/shm, and the working folder at PROJECT_FOLDER; then chroot into it.
    For the stdio `server`, /tmp is writable by root only (it makes each case's folder there, on
    tmpfs: a folder on disk costs a journal write per case) and /dev/shm is read-only: no case may
    leave a file for the next."""
    tmp_flags = _MS_NOSUID | _MS_NODEV
    tmp_mode, shm_flags = ("711", tmp_flags | _MS_RDONLY) if server else ("1777", tmp_flags)
    if _LIBC.unshare(0x00020000) != 0:  # CLONE_NEWNS
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)  # nothing we mount leaks back to the host
    root = str(workdir) + "-root"
    _mount("tmpfs", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=16m,mode=755")
    os.makedirs(root + "/tmp")  # first: a folder shown from under /tmp (a venv) is mounted inside it
    _mount("tmpfs", root + "/tmp", "tmpfs", tmp_flags, f"size=512m,mode={tmp_mode}")
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
    _mount("tmpfs", root + "/dev/shm", "tmpfs", shm_flags, "size=64m,mode=1777")
    os.makedirs(root + "/proc", exist_ok=True)
    _mount("proc", root + "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, "hidepid=2")
    os.makedirs(root + PROJECT_FOLDER, exist_ok=True)
    _mount(str(workdir), root + PROJECT_FOLDER, None, _MS_BIND)
    os.chroot(root)
    os.chdir(PROJECT_FOLDER)


def _remap_fds(keep_fds: dict[int, int], devnull: int) -> None:
    """Move the fds we keep to their target numbers, point the rest of 0-2 at /dev/null, close
    everything else."""
    # Park the kept fds high first, so moving one into place cannot clobber another.
    moved = {target: fcntl.fcntl(fd, fcntl.F_DUPFD, 512) for target, fd in keep_fds.items()}
    for std in (0, 1, 2):
        if std not in keep_fds:
            os.dup2(devnull, std)
    for target, fd in moved.items():
        os.dup2(fd, target)
    top = max([2, *keep_fds])
    _close_from(top + 1)  # the parked copies and everything inherited
    for fd in range(3, top + 1):
        if fd not in keep_fds:
            try:
                os.close(fd)
            except OSError:
                pass



def _close_from(first: int) -> None:
    """Close every fd from `first` on: one close_range(2) call where the kernel has it (a loop
    over 65,536 fds costs more than the rest of a stdin/stdout case)."""
    if getattr(_LIBC, "close_range", None) is None or _LIBC.close_range(first, 0xFFFFFFFF, 0) != 0:
        os.closerange(first, 65536)


def _isolate_network() -> str:
    """A network namespace (no network but its own loopback) and an IPC namespace: SysV shared
    memory, semaphores and message queues of one candidate are invisible to every other and die
    with it (remove_ipc cleans up where no IPC namespace could be made)."""
    libc = _LIBC
    clone_newnet, clone_newuser, clone_newipc = 0x40000000, 0x10000000, CLONE_NEWIPC
    if os.geteuid() == 0 and (libc.unshare(clone_newnet | clone_newipc) == 0 or libc.unshare(clone_newnet) == 0):
        _loopback_up()
        return "netns"
    if libc.unshare(clone_newuser | clone_newnet | clone_newipc) == 0 or libc.unshare(clone_newuser | clone_newnet) == 0:
        return "userns+netns"
    return "socket-guard"


SERVER_DEVNULL = 5  # the stdio server's /dev/null, opened before its chroot


def new_ipc_namespace() -> bool:
    """Move this (root) process into a fresh IPC namespace: the stdio server does so for each
    program, so the cases of different candidates never share one."""
    return os.geteuid() == 0 and _LIBC.unshare(CLONE_NEWIPC) == 0


def case_lock_down(rlimits: list[tuple[int, tuple[int, int]]], uid: int, folder: str, stdin_fd: int,
                   stdout_fd: int) -> None:
    """One stdin/stdout case, forked from the stdio server (root in its read-only system view):
    its own session, folder (mode 700, its only writable place), uid and limits, stdin and stdout
    on the given fds, stderr on /dev/null, nothing else open. As few steps as possible, each
    precomputed by the server: every page this child touches is copied (a fault costs microseconds)."""
    os.setsid()
    os.chdir(folder)
    os.dup2(stdin_fd, 0)
    os.dup2(stdout_fd, 1)
    os.dup2(SERVER_DEVNULL, 2)
    _close_from(3)
    for resource_id, value in rlimits:
        resource.setrlimit(resource_id, value)
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)


_IPC_RMID = 0
_IPC_TABLES = (("shm", "shmid", "shmctl"), ("msg", "msqid", "msgctl"), ("sem", "semid", "semctl"))


def remove_ipc(uid: int) -> None:
    """Remove the SysV IPC objects (shared memory, message queues, semaphore sets) that `uid`
    created or owns in this IPC namespace, so nothing of a candidate outlives it (the creator
    cannot be changed, the owner can: both are checked). Plain fd reads: this runs after every
    stdin/stdout case."""
    wanted = str(uid)
    for kind, id_field, call in _IPC_TABLES:
        try:
            fd = os.open(f"/proc/sysvipc/{kind}", os.O_RDONLY)
        except OSError:
            continue
        try:
            chunks = [os.read(fd, 1 << 16)]
            while chunks[-1]:
                chunks.append(os.read(fd, 1 << 16))
        finally:
            os.close(fd)
        lines = b"".join(chunks).decode().splitlines()
        if len(lines) < 2:
            continue
        header = lines[0].split()
        for line in lines[1:]:
            fields = dict(zip(header, line.split()))
            if wanted in (fields.get("uid"), fields.get("cuid")):
                identifier = int(fields[id_field])
                if kind == "sem":
                    _LIBC.semctl(identifier, 0, _IPC_RMID)
                else:
                    getattr(_LIBC, call)(identifier, _IPC_RMID, None)


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


def rlimit_settings(limits: Limits) -> list[tuple[int, tuple[int, int]]]:
    """The resource limits of a candidate, as (resource, (soft, hard)) pairs for setrlimit."""
    cpu = int(limits.timeout_s) + 1
    address_space = limits.address_space_mb or limits.memory_mb
    return [(getattr(resource, name), (value, value))
            for name, value in [("RLIMIT_CPU", cpu), ("RLIMIT_AS", address_space << 20),
                                ("RLIMIT_DATA", limits.memory_mb << 20),
                                ("RLIMIT_FSIZE", limits.file_size_mb << 20), ("RLIMIT_NPROC", limits.processes),
                                ("RLIMIT_NOFILE", limits.open_files), ("RLIMIT_CORE", 0)]]


def _set_limits(limits: Limits) -> None:
    for resource_id, value in rlimit_settings(limits):
        resource.setrlimit(resource_id, value)


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
