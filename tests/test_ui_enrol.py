"""資格取得 (F3), 扶養追加 (a on a member), the duplicate step and the 交付待ち list (F4), driven
with Pilot on the shared scenario; snapshots at 80×24."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from clerk_tui.db.models import Employer, IssueRequest, Member
from clerk_tui.domain.codes import DocumentKind, IssueRequestStatus
from clerk_tui.ui.screens.duplicates import DuplicatesScreen
from clerk_tui.ui.screens.enrol import AddDependentScreen, EnrolScreen
from clerk_tui.ui.screens.issue_queue import IssueQueueScreen
from clerk_tui.ui.screens.member_detail import MemberDetailScreen
from tests.test_ui_support import cell_texts, make_app, settle

SIZE = (80, 24)


def _app(tmp_path):
    app, ids = make_app(tmp_path)
    app.ctx.write(lambda: Employer.update(symbol="1234").where(Employer.code == "E00001").execute())
    app.ctx.write(lambda: Employer.update(symbol="2001").where(Employer.code == "E00002").execute())
    return app, ids


async def _type(pilot, text: str) -> None:
    await pilot.press(*text)


def _set(screen, name: str, value) -> None:
    widget = screen.widget(name)
    if hasattr(widget, "query_one") and not isinstance(widget, Input) and widget.query(Input):
        widget = widget.query_one(Input)  # a date field: its input
    widget.value = value


def _message(screen) -> str:
    return str(screen.query_one("#form-message").render())


async def _fill_insured(pilot, screen, *, family="佐藤", given="健一", kana=("サトウ", "ケンイチ"),
                        birth="H2.5.6") -> None:
    """The employer typed by code (the lookup settles it), the rest set field by field."""
    await _type(pilot, "E00002")
    await settle(pilot)
    for name, value in (("acquired_on", "R7.11.1"), ("family_name", family), ("given_name", given),
                        ("family_name_kana", kana[0]), ("given_name_kana", kana[1]), ("birth_date", birth),
                        ("address", "東京都千代田区富士見2-1"), ("standard_monthly_remuneration", "300,000")):
        _set(screen, name, value)
    _choose(screen, "sex", 0)
    _choose(screen, "card_status", 0)  # マイナ保険証 利用可 (no My Number 届出: a 資格確認書 too)
    await settle(pilot)


def _choose(screen, name: str, index: int) -> None:
    bar = screen.widget(name)
    bar.value = bar._choices[index][1]


async def test_enrol_a_family_from_the_home_screen(tmp_path):
    app, ids = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EnrolScreen)
        await _fill_insured(pilot, screen)
        assert "有限会社テスト商事" in str(screen.query_one("#employer-line").render())
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.focused is screen.widget("dependents.0.relationship")
        await pilot.press("2")  # 子
        for name, value in (("family_name", "佐藤"), ("given_name", "花"), ("family_name_kana", "サトウ"),
                            ("given_name_kana", "ハナ"), ("birth_date", "2018-07-01")):
            _set(screen, f"dependents.0.{name}", value)
        _choose(screen, "dependents.0.sex", 1)
        _choose(screen, "dependents.0.card_status", 1)  # カード未取得
        await pilot.press("ctrl+n")  # one block too many, left empty: not registered
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.state == "recorded", _message(screen)
        assert "2001-1-00" in _message(screen) and "2001-1-01" in _message(screen)
        assert "資格確認書" in _message(screen)
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        rows = cell_texts(app.screen.query_one("#documents-table", DataTable))
        # the insured's card is usable but the society has no My Number yet: a 資格確認書 for both
        assert [(r[0], r[1]) for r in rows if r[4] == "交付待ち"] == [
            ("佐藤　健一", "資格情報のお知らせ"), ("佐藤　健一", "資格確認書"),
            ("佐藤　花", "資格情報のお知らせ"), ("佐藤　花", "資格確認書")]
    assert Member.select().where(Member.symbol == "2001").count() == 2


async def test_a_refusal_is_shown_at_its_field_and_nothing_is_written(tmp_path):
    app, ids = _app(tmp_path)
    count = Member.select().count()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(EnrolScreen())
        await settle(pilot)
        screen = app.screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.focused is screen.widget("employer")
        assert "事業所を選んで" in str(screen.query_one("#employer-error").render())
        await _fill_insured(pilot, screen, birth="R7.12.1")  # born after 資格取得日
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.state == "editing"
        assert "資格取得日" in str(screen.query_one("#birth-error").render())
        _set(screen, "birth_date", "H2.5.6")
        _set(screen, "given_name", "123456789012")  # a My Number in a name
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "マイナンバー" in str(screen.query_one("#family-error").render())  # 名 sits on 氏's row
    assert Member.select().count() == count


async def test_a_duplicate_is_shown_then_confirmed_with_a_reason(tmp_path):
    app, ids = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(EnrolScreen())
        await settle(pilot)
        screen = app.screen
        # 山本次郎 lost his qualification on R7.10.1; 山夲 is not a variant, 山本 with kana is enough
        await _fill_insured(pilot, screen, family="山本", given="次郎", kana=("ヤマモト", "ジロウ"), birth="S50.1.15")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, DuplicatesScreen)
        rows = cell_texts(dialog.query_one(DataTable))
        assert rows[0][1] == "1234-568-00" and rows[0][4].startswith("喪失")
        await pilot.press("n")
        await _type(pilot, "別人")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.state == "recorded", _message(screen)
    assert Member.select().where(Member.family_name == "山本").count() == 2


async def test_a_former_member_comes_back_as_the_same_person(tmp_path):
    app, ids = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(EnrolScreen())
        await settle(pilot)
        screen = app.screen
        await _fill_insured(pilot, screen, family="山本", given="次郎", kana=("ヤマモト", "ジロウ"), birth="S50.1.15")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert screen.state == "recorded"
    entry = app.ctx.db.execute_sql("SELECT summary FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert f'"requalifies": {ids["jiro"]}' in entry


async def test_open_existing_from_the_duplicate_step(tmp_path):
    app, ids = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(EnrolScreen())
        await settle(pilot)
        screen = app.screen
        await _fill_insured(pilot, screen, family="山本", given="次郎", kana=("ヤマモト", "ジロウ"), birth="S50.1.15")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen) and app.screen.member_id == ids["jiro"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.state == "editing"  # what was typed is still there
        assert screen.value("family_name") == "山本"


async def test_add_dependent_from_the_member_screen(tmp_path):
    app, ids = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.open_member(ids["hanako"])  # from a dependent: added to the family's insured person
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AddDependentScreen) and screen.member_id == ids["taro"]
        await pilot.press("2")  # 子
        for name, value in (("family_name", "山田"), ("given_name", "二郎"), ("family_name_kana", "ヤマダ"),
                            ("given_name_kana", "ジロウ"), ("birth_date", "R7.10.1"), ("acquired_on", "R7.10.1")):
            _set(screen, name, value)
        _choose(screen, "sex", 0)
        _choose(screen, "card_status", 1)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.state == "recorded", _message(screen)
        assert "1234-567-03" in _message(screen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        rows = cell_texts(app.screen.query_one("#family-table", DataTable))
        assert "1234-567-03" in [r[1] for r in rows]


async def test_the_issue_queue_lists_by_employer_and_opens_the_member(tmp_path):
    app, ids = _app(tmp_path)
    from datetime import date

    from clerk_tui.domain.codes import IssueCause
    from clerk_tui.services.issue_queue import queue_issue

    taro = Member.get_by_id(ids["taro"])
    app.ctx.write(lambda: queue_issue(taro, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT, date(2025, 11, 20)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, IssueQueueScreen)
        rows = cell_texts(app.screen.query_one(DataTable))
        assert rows == [["E00001", "1234-567-00", "山田\u3000太郎", "資格情報のお知らせ", "資格取得", "R7.11.20"]]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen) and app.screen.member_id == ids["taro"]
    assert IssueRequest.get().status is IssueRequestStatus.PENDING


# ------------------------------------------------------------------ snapshots at 80×24


def _no_blink(app) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False


class TestEnrolScreens:
    def test_enrol_form_with_a_dependent(self, snap_compare, tmp_path):
        app, _ids = _app(tmp_path)

        async def run_before(pilot) -> None:
            await pilot.pause()
            app.push_screen(EnrolScreen())
            await settle(pilot)
            _no_blink(app)
            await _fill_insured(pilot, app.screen)
            await pilot.press("ctrl+n")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_duplicates_dialog(self, snap_compare, tmp_path):
        app, _ids = _app(tmp_path)

        async def run_before(pilot) -> None:
            await pilot.pause()
            app.push_screen(EnrolScreen())
            await settle(pilot)
            _no_blink(app)
            await _fill_insured(pilot, app.screen, family="山本", given="次郎", kana=("ヤマモト", "ジロウ"),
                                birth="S50.1.15")
            await pilot.press("ctrl+s")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_issue_queue(self, snap_compare, tmp_path):
        app, ids = _app(tmp_path)

        async def run_before(pilot) -> None:
            from datetime import date

            from clerk_tui.domain.codes import IssueCause
            from clerk_tui.services.issue_queue import queue_issue

            for key in ("taro", "ichiro", "saburo"):
                m = Member.get_by_id(ids[key])
                app.ctx.write(lambda m=m: queue_issue(m, DocumentKind.ELIGIBILITY_NOTICE, IssueCause.ENROLMENT,
                                                      date(2025, 11, 20)))
            await pilot.pause()
            await pilot.press("f4")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_add_dependent_form(self, snap_compare, tmp_path):
        app, ids = _app(tmp_path)

        async def run_before(pilot) -> None:
            await pilot.pause()
            app.push_screen(AddDependentScreen(ids["taro"]))
            await settle(pilot)
            _no_blink(app)
            await pilot.press("1")  # 配偶者
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
