"""The UI does each thing one way: every full screen gets its status bar from ClerkScreen, and
dates and money reach the screen through ui/text.py only (one 和暦, one yen, on every screen)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import clerk_tui.ui.screens as screens_package
from clerk_tui.ui.screens.base import ClerkScreen

UI = Path(screens_package.__file__).parents[1]


def _screen_classes() -> list[type]:
    for info in pkgutil.iter_modules(screens_package.__path__):
        importlib.import_module(f"{screens_package.__name__}.{info.name}")
    found, todo = [], [ClerkScreen]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def test_every_full_screen_draws_its_body_under_the_base_s_status_bar():
    classes = _screen_classes()
    names = {c.__name__ for c in classes}
    assert {"FormScreen", "CancellationScreen", "LossReportScreen", "Reaching75Screen", "IssueScreen"} <= names
    drawing_their_own = sorted(c.__name__ for c in classes if "compose" in c.__dict__)
    assert drawing_their_own == []


def test_screens_format_dates_and_money_through_the_ui_text_module():
    own = []
    for path in sorted(UI.rglob("*.py")):
        if path.name == "text.py":
            continue
        source = path.read_text(encoding="utf-8")
        if re.search(r"\bformat_(wareki\w*|yen)\b|:,\}|\.isoformat\(|\.strftime\(", source):
            own.append(str(path.relative_to(UI)))
    assert own == []
