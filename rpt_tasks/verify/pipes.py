"""Reading a pipe without ever waiting past a deadline: the one reader behind every pipe read in
the project (the math-verify worker, the sandbox's judge, its candidates and test runners).

A reader owns its fd's buffered bytes, so a line and the rest of a stream can be read in turn.
Standard library only: the sandbox's child processes and the verifier core both use it.
"""

from __future__ import annotations

import json
import math
import os
import select
import time

CHUNK = 1 << 20


class Timeout(BaseException):
    """The deadline passed. A BaseException: code under test that catches Exception cannot swallow it."""


class Closed(Exception):
    """The other end closed the pipe before a whole line came."""


class TooLong(Exception):
    """More bytes came than the caller allowed."""


class Malformed(Exception):
    """A message that is not what the protocol allows."""


class PipeReader:
    def __init__(self, fd: int, deadline: float = math.inf):
        self.fd, self.deadline = fd, deadline
        self.buffer = b""

    def _wait(self) -> None:
        if self.deadline == math.inf:
            return
        left = self.deadline - time.monotonic()
        if left <= 0 or not select.select([self.fd], [], [], left)[0]:
            raise Timeout()

    def chunk(self) -> bytes:
        self._wait()
        return os.read(self.fd, CHUNK)

    def line(self, limit: int = 64 << 20) -> bytes:
        """The next line, without its newline."""
        while b"\n" not in self.buffer:
            chunk = self.chunk()
            if not chunk:
                raise Closed("the other end closed the pipe")
            self.buffer += chunk
            if len(self.buffer) > limit:
                raise TooLong(f"a line longer than {limit} bytes")
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line

    def exactly(self, size: int) -> bytes:
        """The next `size` bytes."""
        while len(self.buffer) < size:
            chunk = self.chunk()
            if not chunk:
                raise Closed("the other end closed the pipe")
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data


def read_rest(reader: PipeReader, cap: int, keep_ends: bool = False) -> bytes:
    """Everything until EOF from `reader`. Over `cap` bytes: TooLong, or with `keep_ends` the first and
    last cap/2 bytes (a test runner's summary comes last, so a flood is cut from the middle).
    On Timeout the bytes read so far are in `reader.buffer`."""
    head, tail = [reader.buffer], b""
    size = len(reader.buffer)
    reader.buffer = b""
    try:
        while True:
            chunk = reader.chunk()
            if not chunk:
                return b"".join(head) + tail
            if size + len(chunk) <= (cap // 2 if keep_ends else cap):
                head.append(chunk)
                size += len(chunk)
            elif keep_ends:
                tail = (tail + chunk)[-(cap // 2):]
            else:
                raise TooLong(f"more than {cap} bytes")
    except Timeout:
        reader.buffer = b"".join(head) + tail
        raise


class JsonChannel:
    """JSON lines (and raw byte blocks) over a pipe pair, every read and write bounded by the
    deadline (math.inf: none). Reads raise Timeout, Closed, TooLong or Malformed."""

    MAX_MESSAGE = 64 << 20

    def __init__(self, read_fd: int, write_fd: int, deadline: float):
        self.read_fd, self.write_fd = read_fd, write_fd
        self.reader = PipeReader(read_fd, deadline)

    @property
    def deadline(self) -> float:
        return self.reader.deadline

    @deadline.setter
    def deadline(self, value: float) -> None:
        self.reader.deadline = value

    def send(self, message) -> None:
        self.send_raw(json.dumps(message).encode() + b"\n")

    def send_raw(self, data: bytes) -> None:
        while data:
            left = None if self.deadline == math.inf else max(0.0, self.deadline - time.monotonic())
            if not select.select([], [self.write_fd], [], left)[1]:
                raise Timeout()
            data = data[os.write(self.write_fd, data[:65536]):]

    def receive(self) -> list:
        line = self.reader.line(self.MAX_MESSAGE)
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            message = None
        if not isinstance(message, list) or not message:
            raise Malformed("a malformed message")
        return message

    def close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
