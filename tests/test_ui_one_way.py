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


def test_no_form_defines_on_mount_over_the_base_s():
    """Textual calls each class's own `on_mount`, the base's included: a form that defined
    `on_mount` and called `super().on_mount()` read its member twice. Forms use `form_mounted`."""
    from clerk_tui.ui.screens.form import FormScreen

    forms = [c for c in _screen_classes() if issubclass(c, FormScreen) and c is not FormScreen]
    assert len(forms) >= 5
    calling_super = [c.__name__ for c in forms if "on_mount" in c.__dict__
                     and "super().on_mount()" in __import__("inspect").getsource(c.__dict__["on_mount"])]
    assert calling_super == []


async def test_a_form_reads_its_member_once_when_opened(tmp_path, monkeypatch):
    from clerk_tui.ui.screens.cancellation import CancellationScreen
    from clerk_tui.ui.screens.claim import ClaimScreen
    from clerk_tui.ui.screens.form import FormScreen
    from clerk_tui.ui.screens.loss_report import LossReportScreen
    from tests.test_ui_support import make_app

    calls: list[str] = []
    load = FormScreen._load_member

    def counting(self, *args, **kwargs):
        calls.append(type(self).__name__)
        return load(self, *args, **kwargs)

    monkeypatch.setattr(FormScreen, "_load_member", counting)
    app, ids = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        for screen in (CancellationScreen, LossReportScreen, ClaimScreen):
            app.push_screen(screen(ids["taro"]))
            await pilot.pause(0.5)
            app.pop_screen()
            await pilot.pause(0.1)
    assert calls == ["CancellationScreen", "LossReportScreen", "ClaimScreen"]


def test_screens_name_codes_and_statuses_through_the_ui_text_module():
    """A kind, a reason or a status reaches the screen through ui/text.py (code_label, status_cell,
    standing_cell …): one wording and one emphasis everywhere, and a document's status as of today
    (its standing) rather than what was stored when it was issued."""
    own = []
    for path in sorted((UI / "screens").glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            # A form field's own label and a tab's title are widget text, not codes.
            if re.search(r"\.label\b", re.sub(r"spec(\([^)]*\))?\.label|get_tab\([^)]*\)\.label", "", line)):
                own.append(f"{path.name}:{n}")
            if re.search(r"\.status\.label|\.choices\(\)|\bdoc\.status\b", line):
                own.append(f"{path.name}:{n}")
    assert own == []
