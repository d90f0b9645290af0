"""The program's own error log, for the app's run: warnings and unexpected errors go to a file of
the clerk's own (`~/.local/state/clerk-tui/log/clerk-tui.log`, readable by that user only), not to
the terminal the app draws on. Personal data stays out: an exception is logged by its type and
the lines of code it passed through, never its message (which may quote a name or an address),
and every line is made safe to show in a terminal."""

from __future__ import annotations

import logging
import os
import traceback
from pathlib import Path

from clerk_tui.domain.terminal import terminal_safe

APP = "clerk-tui"
_HANDLER_NAME = "clerk-tui-file"


def default_log_path() -> Path:
    from platformdirs import user_log_path

    return user_log_path(APP) / f"{APP}.log"


class _WithheldFormatter(logging.Formatter):
    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        kind, _exc, tb = ei
        frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
        name = f"{kind.__module__}.{kind.__qualname__}" if kind is not None else "?"
        return f"Traceback (most recent call last):\n{frames}{name} (message withheld: it may hold personal data)"

    def format(self, record: logging.LogRecord) -> str:
        # Control characters (a path or a value with escape sequences) are shown as marks; line
        # ends of the traceback are kept.
        return "\n".join(terminal_safe(line) for line in super().format(record).split("\n"))


class _PrivateFileHandler(logging.FileHandler):
    """Opened on the first record only (most runs log nothing), created with mode 0600."""

    def _open(self):  # noqa: ANN202 - logging's signature
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115


def log_to_file(path: Path | None = None, *, level: int = logging.WARNING) -> Path:
    """Send the package's log records at `level` and above to the file (once per process)."""
    path = Path(path) if path is not None else default_log_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    root = logging.getLogger("clerk_tui")
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
            handler.close()
    handler = _PrivateFileHandler(path, encoding="utf-8", delay=True)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(_WithheldFormatter("%(asctime)s %(levelname)s %(name)s pid=%(process)d: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False  # nothing to the terminal the app is drawing on
    return path
