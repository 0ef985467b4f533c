"""One sink for every byte the tool prints: standard output and standard error, in
every command and format (reports, rendered files on stdout, errors, progress).

Whatever a value holds (a template's string, a file name, a suppression reason, a
function name), what reaches a terminal or a CI log cannot act on it:

- no printed line can begin with `::` (a GitHub workflow command, even after leading
  whitespace, which the runner trims): such a line is prefixed with `\\`. Only the
  annotations `check --format github` writes pass as they are, through `trusted()`,
  and that writer escapes every value it puts in them;
- control characters (carriage returns, escape sequences, NUL, ...) are written as
  `\\r`, `\\x1b`, ..., so a value can neither start a new line nor rewrite the
  terminal; tabs and line ends stay;
- a character the stream's encoding cannot hold (a lone surrogate from a file name)
  is written as its backslash escape, never an encoding error.

Lines are neutralised whole: text written in pieces is held until its line ends (or
the stream is flushed, for prompts and progress without a newline).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO, Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional controls reorder what a terminal shows (U+202E makes text read
# backwards): written `\\u202e`, like the other controls.
_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What starts a new line in a terminal, a log or an editor.
_LINE_BREAKS = re.compile(r"[\n\x85\u2028\u2029]")


def escape_controls(text: str) -> str:
    """Control characters (but tab and line feed) as `\\xNN`, bidirectional
    controls as `\\uNNNN`."""
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def one_line(text: str) -> str:
    """A value that must stay on one line (a finding's message, a file name): its
    line breaks written `\\n`, `\\u2028`, ..., whatever format prints it."""
    return _LINE_BREAKS.sub(
        lambda m: "\\n" if m.group() == "\n" else f"\\u{ord(m.group()):04x}", text
    )


_JSON_RAW = re.compile(r"[\x7f-\x9f]")


def json_text(text: str) -> str:
    """JSON text the sink leaves as it is: JSON escapes C0 controls itself but may
    hold DEL and C1 controls (U+0085, ...) raw, which the sink would write as `\x85`,
    not JSON. Written `\u0085` instead (they can only occur inside strings)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def neutral_line(line: str) -> str:
    """One line (without its line end) as it may be printed."""
    line = escape_controls(line)
    if line.lstrip().startswith("::"):
        line = "\\" + line
    return line


class NeutralStream:
    """A text stream that neutralises each line before it reaches `inner`."""

    def __init__(self, inner: IO[str]) -> None:
        self.inner = inner
        self._pending = ""
        self._trusted = False

    # -- what click and print need of a text stream ------------------------------------
    @property
    def encoding(self) -> str:
        return getattr(self.inner, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:
        return "backslashreplace"

    @property
    def buffer(self) -> Any:  # binary writes (none today) go through the same sink
        return _BinaryView(self)

    def isatty(self) -> bool:
        return bool(getattr(self.inner, "isatty", lambda: False)())

    def fileno(self) -> int:
        return int(self.inner.fileno())

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if self._trusted:  # the tool's own annotations: encodable, never altered
            self.inner.write(self._encoded(text))
            return len(text)
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        if lines:
            self.inner.write("".join(self._encodable(line) + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self.inner.write(self._encodable(self._pending))
            self._pending = ""
        self.inner.flush()

    def close(self) -> None:
        self.flush()

    @contextmanager
    def trusted(self) -> Iterator[None]:
        """Write the tool's own workflow commands as they are (see module doc)."""
        self.flush()
        self._trusted = True
        try:
            yield
        finally:
            self._trusted = False
            self.inner.flush()

    def _encodable(self, line: str) -> str:
        return self._encoded(neutral_line(line))

    def _encoded(self, line: str) -> str:
        try:
            line.encode(self.encoding)
        except (UnicodeEncodeError, LookupError):
            line = line.encode(self.encoding, "backslashreplace").decode(
                self.encoding, "replace"
            )
        return line


class _BinaryView:
    def __init__(self, stream: NeutralStream) -> None:
        self.stream = stream

    def write(self, data: bytes) -> int:
        self.stream.write(data.decode(self.stream.encoding, "backslashreplace"))
        return len(data)

    def flush(self) -> None:
        self.stream.flush()


@contextmanager
def installed() -> Iterator[None]:
    """Route sys.stdout and sys.stderr through the sink for the duration."""
    saved = sys.stdout, sys.stderr
    out = saved[0] if isinstance(saved[0], NeutralStream) else NeutralStream(saved[0])
    err = saved[1] if isinstance(saved[1], NeutralStream) else NeutralStream(saved[1])
    sys.stdout, sys.stderr = out, err
    try:
        yield
    finally:
        with suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            out.flush()
        with suppress(OSError, ValueError):
            err.flush()
        sys.stdout, sys.stderr = saved


@contextmanager
def trusted_stdout() -> Iterator[None]:
    """`check --format github` annotations on standard output, unaltered."""
    stream = sys.stdout
    if isinstance(stream, NeutralStream):
        with stream.trusted():
            yield
    else:
        yield
