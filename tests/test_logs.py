"""The app's error log: a file of the clerk's own, with the error's type and where it happened but
never its message (which may quote personal data), and nothing raw for a terminal."""

from __future__ import annotations

import logging
import stat

import pytest

from clerk_tui.logs import log_to_file


@pytest.fixture(autouse=True)
def _restore_logging():
    """The package logger as other tests expect it (caplog reads records through the root)."""
    logger = logging.getLogger("clerk_tui")
    handlers, level, propagate = list(logger.handlers), logger.level, logger.propagate
    yield
    for handler in logger.handlers:
        if handler not in handlers:
            handler.close()
    logger.handlers[:] = handlers
    logger.setLevel(level)
    logger.propagate = propagate


def _fail(value: str) -> None:
    raise ValueError(f"bad value {value}")


def test_an_unexpected_error_is_logged_by_type_and_place_without_its_message(tmp_path):
    path = log_to_file(tmp_path / "state" / "clerk-tui.log")
    assert not path.exists()  # nothing logged yet: no file
    personal = "山田太郎 123456789012 \x1b[2J"  # as a stored value would be: not in the code's lines
    try:
        _fail(personal)
    except ValueError as exc:
        logging.getLogger("clerk_tui.ui.app").error("worker failed", exc_info=exc)
    logging.getLogger("clerk_tui.db.write_queue").warning("queue off: %s", "/tmp/\x1b]0;x\x07db")
    text = path.read_text(encoding="utf-8")
    assert "worker failed" in text and "builtins.ValueError" in text and "in _fail" in text
    assert "山田" not in text and "123456789012" not in text and "bad value 山" not in text
    assert "\x1b" not in text and "\x07" not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_records_below_warning_and_from_other_packages_stay_out(tmp_path):
    path = log_to_file(tmp_path / "clerk-tui.log")
    logging.getLogger("clerk_tui.services").info("routine")
    logging.getLogger("textual").error("not ours")
    assert not path.exists() or "routine" not in path.read_text() and "not ours" not in path.read_text()


def test_setting_up_twice_keeps_one_handler(tmp_path):
    log_to_file(tmp_path / "a.log")
    second = log_to_file(tmp_path / "b.log")
    logging.getLogger("clerk_tui").warning("once")
    assert second.read_text(encoding="utf-8").count("once") == 1
    assert not (tmp_path / "a.log").exists()
    names = [h.get_name() for h in logging.getLogger("clerk_tui").handlers]
    assert names.count("clerk-tui-file") == 1
