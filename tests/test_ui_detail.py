"""The member detail screen by keyboard: warnings at the top, the key data, tabs by number keys,
opening another family member, reloading, going back, and an unknown member."""

from __future__ import annotations

from textual.widgets import DataTable, Static, TabbedContent

from clerk_tui.db.models import Member
from clerk_tui.domain.codes import CardStatus
from clerk_tui.services.members import open_member
from clerk_tui.ui.screens.help import HelpScreen
from clerk_tui.ui.screens.member_detail import MemberDetailScreen
from clerk_tui.ui.screens.search import SearchScreen
from clerk_tui.ui.widgets.warnings_panel import WarningsPanel
from tests.test_ui_support import cell_texts, make_app, settle

SIZE = (80, 24)


async def open_detail(app, pilot, member_id: int) -> MemberDetailScreen:
    app.open_member(member_id)
    await settle(pilot)
    assert isinstance(app.screen, MemberDetailScreen)
    return app.screen


def header(screen) -> str:
    return str(screen.query_one("#member-header", Static).render())


async def test_warnings_from_the_rules_are_at_the_top(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, ids["taro"])
        expected = open_member(app.ctx, ids["taro"]).warnings
        assert expected, "the scenario's insured person should have warnings today"
        panel = screen.query_one(WarningsPanel)
        shown = [str(s.render()) for s in panel.query("JaText")]
        prefixes = [str(label.render()).strip() for label in panel.query(".prefix")]
        assert len(shown) == len(expected)
        for w in expected:
            assert any(w.text.replace("\n", "") == s.replace("\n", "") for s in shown)
        assert set(prefixes) <= {"警告", "注意", "情報"}
        # The panel is above the header and the tabs.
        assert panel.region.y < screen.query_one("#member-header").region.y


async def test_header_shows_the_key_data(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, ids["taro"])
        text = header(screen).replace("\n", "  ")
        for part in ("1234-567-00", "山田　太郎", "ヤマダ　タロウ", "昭和55年4月2日（45歳）", "男",
                     "株式会社サンプル情報", "資格取得日 令和2年4月1日", "マイナンバーカード未取得",
                     "負担割合 *******", "資格確認書"):
            assert part in text


async def test_copay_is_printed_from_70(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, ids["saburo"])
        assert "負担割合 3割" in header(screen).replace("\n", "")


async def test_number_keys_switch_tabs(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, ids["taro"])
        tabs = screen.query_one(TabbedContent)
        assert tabs.active == "family"
        for key, pane in (("2", "documents"), ("3", "applications"), ("4", "claims"),
                          ("5", "history"), ("1", "family")):
            await pilot.press(key)
            assert tabs.active == pane
            assert app.focused is screen.query_one(f"#{pane}-table")
        await pilot.press("2")
        kinds = [row[1] for row in cell_texts(screen.query_one("#documents-table", DataTable))]
        assert sorted(kinds) == ["健康保険証", "資格情報のお知らせ"]
        await pilot.press("5")
        history = cell_texts(screen.query_one("#history-table", DataTable))
        assert any(row[1] == "tester" and row[2] == "閲覧" for row in history)


async def test_family_member_opens_with_enter(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, ids["taro"])
        family = cell_texts(screen.query_one("#family-table", DataTable))
        assert [row[2] for row in family] == ["山田　太郎", "山田　花子", "山田　一郎"]
        assert family[0][0] == "表示中"
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        assert app.screen.member_id == ids["hanako"]
        assert "家族・配偶者" in header(app.screen)
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")
        assert isinstance(app.screen, SearchScreen)


async def test_slash_goes_back_to_search_from_any_depth(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, ids["taro"])
        await open_detail(app, pilot, ids["ichiro"])
        await pilot.press("slash")
        assert isinstance(app.screen, SearchScreen)
        assert app.focused is app.screen.query_one("#query")


async def test_reload_reads_again_without_a_second_view_entry(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, ids["taro"])
        before = screen.detail
        assert "マイナンバーカード未取得" in header(screen)
        # Another clerk records the card meanwhile.
        Member.update(card_status=CardStatus.USABLE).where(Member.id == ids["taro"]).execute()
        await pilot.press("r")
        await settle(pilot)
        assert screen.detail is not before
        assert "マイナ保険証利用可" in header(screen)
        assert len(screen.detail.audit_entries) == len(before.audit_entries)


async def test_help_lists_the_detail_keys(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, ids["taro"])
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.query_one("#help-keys", Static).render())
        for expected in ("Esc", "戻る", "再読込", "家族タブ", "履歴タブ", "家族のこの人を開く", "検索に戻る"):
            assert expected in keys
        await pilot.press("escape")
        assert isinstance(app.screen, MemberDetailScreen)


async def test_command_palette_offers_the_detail_actions(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, ids["taro"])
        from clerk_tui.ui.commands import ScreenCommands

        hits = [hit async for hit in ScreenCommands(screen).discover()]
        names = [hit.text for hit in hits]
        for expected in ("検索に戻る", "キー一覧", "再読込", "戻る", "履歴タブ"):
            assert expected in names
        # Choosing one runs it on the screen.
        [reload] = [hit for hit in hits if hit.text == "再読込"]
        before = screen.detail
        await reload.command()
        await settle(pilot)
        assert screen.detail is not before


async def test_unknown_member_is_a_message_not_a_traceback(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.open_member(999_999)
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, MemberDetailScreen)
        assert "表示できません" in header(app.screen)
        notes = list(app._notifications)
        assert notes and notes[-1].severity == "error"
        await pilot.press("escape")
        assert isinstance(app.screen, SearchScreen)
