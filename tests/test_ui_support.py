"""The UI tests' shared scenario (a small, fixed set of families in a temporary database) and
Pilot helpers; its own tests check the scenario and the screen-text helpers of clerk_tui.ui.text."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from time import monotonic

from rich.text import Text
from textual.worker import WorkerCancelled

from clerk_tui.clock import Clock
from clerk_tui.db.database import open_database
from clerk_tui.db.schema import init_schema
from clerk_tui.domain.codes import CardStatus, DocumentKind, DocumentStatus, Relationship, Sex
from clerk_tui.services.context import Context
from clerk_tui.ui.text import CUT_MARK, data_text, fit, wrap_ja
from tests.factories import make_document, make_employer, make_member

TODAY = date(2025, 11, 20)
MARKUP_FAMILY = "[bold]田中"
MARKUP_GIVEN = "[/]花子[@click=app.quit]x"
MARKUP_NAME = f"{MARKUP_FAMILY}\u3000{MARKUP_GIVEN}"


def build_scenario(path: Path) -> tuple[Context, dict[str, int]]:
    """A database with fixed members (every code, date and name explicit, so screens are the same
    on every run) and a context with the fixed date and clerk "tester"."""
    db = open_database(path)
    init_schema(db)
    ctx = Context(db=db, clock=Clock(TODAY), clerk="tester", origin=None)
    e1 = make_employer(ctx, code="E00001", name="株式会社サンプル情報")
    e2 = make_employer(ctx, code="E00002", name="有限会社テスト商事")
    ids: dict[str, int] = {}

    taro = make_member(ctx, e1, symbol="1234", number="567", branch="00", family_name="山田",
                       given_name="太郎", family_name_kana="ヤマダ", given_name_kana="タロウ",
                       birth_date=date(1980, 4, 2), card_status=CardStatus.NO_CARD)
    hanako = make_member(ctx, e1, symbol="1234", number="567", branch="01", insured=taro,
                         relationship=Relationship.SPOUSE, family_name="山田", given_name="花子",
                         family_name_kana="ヤマダ", given_name_kana="ハナコ", sex=Sex.FEMALE,
                         birth_date=date(1982, 7, 7), card_status=CardStatus.USABLE,
                         mynumber_received_on=date(2024, 5, 1))
    ichiro = make_member(ctx, e1, symbol="1234", number="567", branch="02", insured=taro,
                         relationship=Relationship.CHILD, family_name="山田", given_name="一郎",
                         family_name_kana="ヤマダ", given_name_kana="イチロウ",
                         birth_date=date(2015, 5, 5), card_status=CardStatus.NOT_REGISTERED)
    # The legacy card is still valid today (until 2025-12-01) and the certificate is not issued.
    make_document(ctx, taro, kind=DocumentKind.LEGACY_CARD, issued_on=date(2020, 4, 1),
                  valid_until=None, status=DocumentStatus.VALID)
    make_document(ctx, hanako, kind=DocumentKind.ELIGIBILITY_NOTICE, issued_on=date(2025, 6, 1),
                  valid_until=None)
    jiro = make_member(ctx, e2, symbol="1234", number="568", branch="00", family_name="山本",
                       given_name="次郎", family_name_kana="ヤマモト", given_name_kana="ジロウ",
                       birth_date=date(1975, 1, 15), lost_on=date(2025, 10, 1),
                       loss_reason="retirement", card_status=CardStatus.USABLE,
                       mynumber_received_on=date(2023, 1, 10))
    markup = make_member(ctx, e2, symbol="1234", number="569", branch="00",
                         family_name=MARKUP_FAMILY, given_name=MARKUP_GIVEN,
                         family_name_kana="タナカ", given_name_kana="ハナコ", sex=Sex.FEMALE,
                         birth_date=date(1990, 12, 1), card_status=CardStatus.CARD_LOST)
    saburo = make_member(ctx, e2, symbol="1234", number="570", branch="00", family_name="佐藤",
                         given_name="三郎", family_name_kana="サトウ", given_name_kana="サブロウ",
                         birth_date=date(1955, 1, 15), remuneration=300_000,
                         card_status=CardStatus.USABLE, mynumber_received_on=date(2022, 4, 1))
    ids.update(taro=taro.id, hanako=hanako.id, ichiro=ichiro.id, jiro=jiro.id, markup=markup.id,
               saburo=saburo.id)
    return ctx, ids


_scenario_ids: dict[Path, dict[str, int]] = {}


def make_app(tmp_path: Path):
    """The app on a private copy of the scenario. The scenario is built once per test process
    (per xdist worker: pytest gives each its own base folder) and its file copied for each test,
    which costs a millisecond instead of building it again."""
    from clerk_tui.ui.app import ClerkApp

    template = tmp_path.parent / "ui-scenario.db"
    if template not in _scenario_ids or not template.exists():
        ctx, ids = build_scenario(template)
        ctx.db.close()  # the last connection: SQLite folds the WAL into the file, ready to copy
        _scenario_ids[template] = ids
    path = tmp_path / "clerk.db"
    shutil.copy(template, path)  # with its permission bits: group-only, as the product makes it
    ctx = Context(db=open_database(path), clock=Clock(TODAY), clerk="tester", origin=None)
    return ClerkApp(ctx, db_path=path), dict(_scenario_ids[template])


async def settle(pilot, seconds: float = 0.0) -> None:
    """Wait `seconds`, then until every key typed ahead has been handed on (the app holds the
    keys of a burst back, see clerk_tui.ui.typeahead) and every worker (search, preview,
    loading) has finished."""
    app = pilot.app
    await pilot.pause(seconds)
    for _ in range(100):
        await pilot.pause(0.05)
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # an exclusive worker replaced by a newer one is over too: look again
        if not any(w.is_running for w in app.workers) and not _keys_waiting(app):
            break
    await pilot.pause()


def _keys_waiting(app) -> bool:
    return bool(getattr(app, "_held", None)) or getattr(app, "_key_in_hand", None) is not None


async def until(pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the app run until `condition()` holds (checked between its steps); fail after `timeout`
    seconds, which only a broken app reaches."""
    deadline = monotonic() + timeout
    while not condition():
        assert monotonic() < deadline, "the condition never came true"
        await pilot.pause(0.01)


class HeldCall:
    """A stand-in for a service function: the calls `hold` picks wait in their worker thread
    until `release()`, then run the real function. A preview read for an older input then
    finishes after the newer one, as a slow read would, and a test sees which one is shown."""

    def __init__(self, function: Callable, hold: Callable[..., bool]) -> None:
        self.function, self.hold = function, hold
        self.held = threading.Event()  # a picked call has started and is waiting
        self.finished = threading.Event()  # the picked call has returned (or raised)
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()

    def __call__(self, *args, **kwargs):
        if not self.hold(*args, **kwargs):
            return self.function(*args, **kwargs)
        self.held.set()
        self._released.wait(30)  # a test that fails before releasing does not hang the run
        try:
            return self.function(*args, **kwargs)
        finally:
            self.finished.set()


def cell_texts(table) -> list[list[str]]:
    """Every row of a DataTable as plain strings (what the clerk reads)."""
    rows = []
    for row_key in table.rows:
        rows.append([c.plain if isinstance(c, Text) else str(c) for c in table.get_row(row_key)])
    return rows


# ------------------------------------------------------------------ the helpers' own tests


def test_scenario_builds(tmp_path):
    ctx, ids = build_scenario(tmp_path / "s.db")
    assert len(ids) == 6
    ctx.db.close()


def test_data_text_is_literal():
    text = data_text("[bold]x[/]\x1b[31m\u202e")
    assert text.plain == "[bold]x[/]\\x1b[31m\\u202e"
    assert not text.spans[0].style.bold  # the escape is dim, nothing is bold


def test_fit_cuts_by_cells_with_ascii_mark():
    assert fit("山田　太郎", 10).plain == "山田　太郎"
    cut = fit("山田　太郎左衛門", 9)
    assert cut.plain == "山田　太" + CUT_MARK
    # A wide character never straddles the edge: 8 cells → 3 full-width + mark (7), not 9.
    assert fit("あいうえお", 8).plain == "あいう" + CUT_MARK


def test_wrap_ja_keeps_punctuation_off_line_starts():
    lines = wrap_ja(Text("あいうえおかきくけ。こさしすせ"), 18).plain.split("\n")
    assert lines[0] == "あいうえおかきく"
    assert lines[1].startswith("け。")
    assert all(not line.startswith(("。", "、", "）")) for line in lines)


def test_wrap_ja_moves_an_ascii_word_down_whole():
    lines = wrap_ja(Text("記号・番号は区切って（例: 1234-567）"), 30).plain.split("\n")
    assert lines == ["記号・番号は区切って（例:", "1234-567）"]
