"""The framing state machine: bytes in, commands and literal requests out (h11 style, no I/O)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from govmail.imap.protocol import grammar
from govmail.imap.protocol.commands import Command
from govmail.imap.protocol.cursor import ParseError, Steps
from govmail.imap.protocol.parser import command_steps, tag_of

# An overlong line is dropped as it arrives, but its end is kept: a literal it announces
# must still be skipped, or its bytes would be read as commands.
_TAIL = 64


@dataclass(frozen=True)
class CommandReady:
    """A complete, parsed command."""

    command: Command


@dataclass(frozen=True)
class LiteralRequest:
    """A synchronizing literal {n}: write "+ Ready" and keep feeding, or call refuse_literal()."""

    tag: str | None
    size: int


@dataclass(frozen=True)
class Malformed:
    """Answer "<tag> BAD <text>" (or "* BAD <text>" when tag is None); the reader has moved on."""

    tag: str | None
    text: str


@dataclass(frozen=True)
class TooLarge:
    """A line, literal or command over the limits; answer BAD, or NO [TOOBIG] for a literal
    (RFC 7889: the message is too big, the command was well formed). The reader has moved on."""

    tag: str | None
    text: str
    literal: bool = False


Event = CommandReady | LiteralRequest | Malformed | TooLarge


class Announced(NamedTuple):
    """A literal announced at the end of a line: its size, and whether "+" must precede it."""

    size: int
    sync: bool


def literal_at_end(line: bytes) -> Announced | None:
    """The literal a line announces by ending in {n}, {n+}, ~{n} or ~{n+}, if any.

    Decided on the line's last bytes alone, even for a line the parser refuses: the client
    sends the literal of a {n+} whatever the server thinks of the line.
    """
    start = line.rfind(b"{")
    if start < 0 or not line.endswith(b"}"):
        return None
    inner = line[start + 1 : -1]
    sync = not inner.endswith(b"+")
    digits = inner if sync else inner[:-1]
    if grammar.NUMBER.fullmatch(digits) is None:
        return None
    digits = digits.lstrip(b"0") or b"0"
    # Beyond any limit anyway; int() of thousands of digits would be slow or refused.
    size = int(digits) if len(digits) <= 19 else 10**19
    return Announced(size, sync)


class _State(enum.Enum):
    LINE = enum.auto()  # reading a line: a new command, or the line after a literal
    LITERAL = enum.auto()  # collecting the bytes of an accepted literal
    SKIP = enum.auto()  # dropping the bytes of a literal of a refused command
    OVERLONG = enum.auto()  # dropping the rest of a line longer than max_line


class CommandReader:
    """Turns the bytes a client sends into events, one next_event() at a time.

    A command is one line, or lines joined by literals: a line ending in {n} is followed by n
    bytes and another line. The parser checks each line as it arrives, so a bad command is
    refused before its client is invited to send a synchronizing literal.

    Limits: a line (without its CRLF) of at most max_line bytes, a literal of at most
    max_literal bytes, and a command (its lines and literals) of at most max_command bytes,
    by default max_literal + max_line. Never more than that is held, plus what feed() was
    given and next_event() has not reached yet.
    """

    def __init__(
        self,
        max_line: int = 64 * 1024,
        max_literal: int = 64 * 1024 * 1024,
        max_command: int | None = None,
    ) -> None:
        self.max_line = max_line
        self.max_literal = max_literal
        self.max_command = max_literal + max_line if max_command is None else max_command
        self._buffer = bytearray()
        self._state = _State.LINE
        self._steps: Steps[Command] | None = None  # the command being parsed
        self._tag: str | None = None
        self._size = 0  # bytes of the current command so far
        self._literal = bytearray()
        self._literal_size = 0
        self._requested = False  # a LiteralRequest is waiting for the session's answer
        self._skip = 0
        self._tail = b""  # the last bytes of the overlong line being dropped
        self._line_end: bytes | None = None  # the end of a dropped overlong line, once seen
        self._raw_overlong = False  # the overlong line came through read_line()
        self._failed = False  # the current command is refused: drop the rest of it
        self._error: Malformed | TooLarge | None = None  # reported once the rest is dropped

    @property
    def buffered(self) -> int:
        """Bytes held: input not yet consumed plus the literal being collected."""
        return len(self._buffer) + len(self._literal)

    def feed(self, data: bytes) -> None:
        self._buffer += data
        # Bytes being thrown away go at once, so that no limit is needed for them.
        self._drop()

    def next_event(self) -> Event | None:
        """The next event, or None when more bytes are needed."""
        self._requested = False
        while True:
            self._drop()
            if self._state is _State.SKIP:
                return None
            if self._state is _State.OVERLONG:
                if self._line_end is None:
                    return None
                line_end, self._line_end = self._line_end, None
                self._state = _State.LINE
                event = self._finish_failed(line_end)
            elif self._state is _State.LITERAL:
                if not self._collect():
                    return None
                self._state = _State.LINE
                continue
            else:
                line = self._take_line()
                if line is None:
                    if not self._line_overflows():
                        return None
                    event = self._overlong(bytes(self._buffer[: self.max_line]), None)
                elif len(line) > self.max_line:
                    event = self._overlong(line[: self.max_line], line)
                else:
                    event = self._on_line(line)
            if event is not None:
                return event

    def refuse_literal(self) -> None:
        """After a LiteralRequest the session answered NO: the client sends no literal."""
        if not self._requested:
            raise RuntimeError("refuse_literal() without a pending LiteralRequest")
        self._reset()

    def read_line(self) -> bytes | None:
        """One raw line without its CRLF (or LF), for IDLE's DONE and AUTHENTICATE responses.

        Only between commands. None until a whole line is there. A line longer than max_line
        comes back cut to max_line + 1 bytes (the rest of it is dropped), so its length tells.
        """
        if self._steps is not None or self._failed or self._state is _State.LITERAL:
            raise RuntimeError("read_line() in the middle of a command")
        self._drop()
        if self._state is _State.OVERLONG:
            return None
        line = self._take_line()
        if line is not None or not self._line_overflows():
            return line
        head = bytes(self._buffer[: self.max_line + 1])
        self._drop_line(raw=True)
        return head

    # -- lines

    def _take_line(self) -> bytes | None:
        """The next line without its ending (CRLF, or a bare LF), or None."""
        # A line of max_line bytes may still be followed by CR LF: look that far, no further.
        end = self._buffer.find(b"\n", 0, self.max_line + 2)
        if end < 0:
            return None
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line.removesuffix(b"\r")

    def _line_overflows(self) -> bool:
        """No line end in sight and more than max_line bytes: a CR may still await its LF."""
        excess = len(self._buffer) - self.max_line
        return excess > 1 or (excess == 1 and not self._buffer.endswith(b"\r"))

    def _on_line(self, line: bytes) -> Event | None:
        if self._failed:
            return self._finish_failed(line)
        if self._steps is None:
            return self._start(line)
        self._size += len(line)
        if self._size > self.max_command:
            return self._fail(TooLarge(self._tag, self._command_too_large()), line)
        data = bytes(self._literal)
        self._literal = bytearray()
        steps = self._steps
        return self._advance(lambda: steps.send((data, line)), line)

    def _start(self, line: bytes) -> Event | None:
        self._tag = tag_of(line)
        if self._tag is None:
            text = "empty command line" if not line.strip() else "a command line starts with a tag"
            return self._fail(Malformed(None, text), line)
        self._size = len(line)
        steps = self._steps = command_steps(line)
        return self._advance(lambda: next(steps), line)

    def _advance(self, resume: Callable[[], object], line: bytes) -> Event | None:
        """Run the parser over a new line: a command, an error, or a stop at a literal."""
        try:
            resume()
        except StopIteration as done:
            self._reset()
            return CommandReady(done.value)
        except ParseError as error:
            self._steps = None
            return self._fail(Malformed(self._tag, str(error)), line)
        return self._accept_literal(line)

    def _accept_literal(self, line: bytes) -> Event | None:
        """The parser stopped at the literal this line announces: check it against the limits."""
        announced = literal_at_end(line)
        assert announced is not None  # the parser stops only at a literal that ends the line
        if announced.size > self.max_literal:
            text = f"literal of {announced.size} bytes is over the limit of {self.max_literal}"
            return self._fail(TooLarge(self._tag, text, literal=True), line)
        if self._size + announced.size > self.max_command:
            return self._fail(TooLarge(self._tag, self._command_too_large()), line)
        self._size += announced.size
        self._literal_size = announced.size
        self._state = _State.LITERAL
        if announced.sync:
            self._requested = True
            return LiteralRequest(self._tag, announced.size)
        return None

    def _collect(self) -> bool:
        """Move literal bytes from the input; True once the literal is complete."""
        wanted = self._literal_size - len(self._literal)
        self._literal += self._buffer[:wanted]
        del self._buffer[:wanted]
        return len(self._literal) == self._literal_size

    # -- refusing a command and finding the next one

    def _fail(self, error: Malformed | TooLarge, line: bytes) -> Event | None:
        """Refuse the current command, *line* being the last of its lines read."""
        self._close_steps()
        self._failed = True
        self._error = error
        return self._finish_failed(line)

    def _finish_failed(self, line: bytes) -> Event | None:
        """A line of a refused command is gone: skip the literal it announces, or report."""
        announced = literal_at_end(line)
        if announced is not None and not announced.sync:
            # LITERAL+: the client sends these bytes without waiting, whatever we answer;
            # the rest of the command follows them.
            self._skip = announced.size
            self._state = _State.SKIP
            self._drop()
            return None
        # The command ends here: with no literal, or with a synchronizing one, which the client
        # sends only after a "+" that will not come.
        error = self._error
        self._reset()
        return error

    def _overlong(self, head: bytes, line: bytes | None) -> Event | None:
        """A line over max_line: report it now (once per command), drop it as it comes."""
        event = None
        if not self._failed:
            tag = self._tag if self._steps is not None else tag_of(head)
            self._close_steps()
            self._failed = True
            self._error = None
            event = TooLarge(tag, f"line longer than {self.max_line} bytes")
        if line is None:
            self._drop_line(raw=False)
        else:
            self._state = _State.OVERLONG
            self._line_end = line[-_TAIL:]
        return event

    def _drop_line(self, raw: bool) -> None:
        self._state = _State.OVERLONG
        self._raw_overlong = raw
        self._line_end = None
        self._tail = b""
        self._drop()

    def _drop(self) -> None:
        """Throw away input that belongs to a refused literal or to an overlong line."""
        if self._state is _State.SKIP:
            dropped = min(self._skip, len(self._buffer))
            del self._buffer[:dropped]
            self._skip -= dropped
            if not self._skip:
                self._state = _State.LINE
        elif self._state is _State.OVERLONG and self._line_end is None:
            end = self._buffer.find(b"\n")
            if end < 0:
                self._tail = (self._tail + bytes(self._buffer[-_TAIL:]))[-_TAIL:]
                self._buffer.clear()
                return
            piece = self._tail + bytes(self._buffer[max(0, end - _TAIL - 1) : end])
            del self._buffer[: end + 1]
            if self._raw_overlong:
                self._state = _State.LINE
            else:
                self._line_end = piece.removesuffix(b"\r")[-_TAIL:]

    def _close_steps(self) -> None:
        if self._steps is not None:
            self._steps.close()
            self._steps = None

    def _command_too_large(self) -> str:
        return f"command longer than {self.max_command} bytes"

    def _reset(self) -> None:
        self._state = _State.LINE
        self._steps = None
        self._tag = None
        self._size = 0
        self._literal = bytearray()
        self._literal_size = 0
        self._requested = False
        self._failed = False
        self._error = None
