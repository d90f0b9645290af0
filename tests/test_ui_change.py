"""The 変更届/訂正 form by keyboard from the member screen: the preview of consequences, saving,
refusals at the field, another clerk's change meanwhile, a correction, the 変更 tab, and an 80×24
snapshot."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from clerk_tui.db.models import CollectionItem, FormerName, Member, MemberHistory
from clerk_tui.domain.codes import DocumentKind, RegisterChange
from clerk_tui.services.changes import correct
from clerk_tui.ui.screens import change as change_screen
from clerk_tui.ui.screens.change import ChangeScreen
from clerk_tui.ui.screens.member_detail import MemberDetailScreen
from tests.factories import make_document
from tests.test_ui_support import HeldCall, cell_texts, make_app, settle, until

SIZE = (80, 24)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector).render()).replace("\n", "")


async def open_form(app, pilot, member_id: int, key: str = "e") -> ChangeScreen:
    """From the member's detail screen with `e` (変更) or `x` (訂正), as the clerk does."""
    app.open_member(member_id)
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(app.screen, ChangeScreen)
    return app.screen


async def type_over(pilot, screen, name: str, text: str) -> None:
    """Focus the field and replace what it holds (kanji typed through the input method)."""
    screen.widget(name).focus()
    screen.widget(name).value = text
    await settle(pilot)


async def test_a_name_change_shows_its_consequences_then_records_them(tmp_path):
    app, ids = make_app(tmp_path)
    cert = make_document(app.ctx, Member.get_by_id(ids["hanako"]), kind=DocumentKind.ELIGIBILITY_CERTIFICATE)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(app, pilot, ids["taro"])
        await pilot.press("1")  # 氏名
        await settle(pilot)
        assert screen.widget("family_name").value == "山田"  # filled with the registered name
        await pilot.press("tab", *"R7.11.1")
        await type_over(pilot, screen, "family_name", "佐藤")
        await type_over(pilot, screen, "family_name_kana", "サトウ")
        preview = text_of(screen, "#ch-preview")
        assert "氏: 山田 -> 佐藤" in preview
        assert "1234-567-01 山田　花子  お知らせ・資格確認書（旧氏名のものは回収）" in preview
        assert not MemberHistory.select().exists()  # a preview writes nothing

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "変更届を記録しました" in text_of(screen, "#form-message")
        assert Member.get_by_id(ids["taro"]).family_name == "佐藤"
        assert [i.document_id for i in CollectionItem.select()] == [cert.id]
        assert FormerName.select().count() == 1

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        await pilot.press("6")
        await settle(pilot)
        rows = cell_texts(app.screen.query_one("#changes-table"))
        assert [r[:3] for r in rows] == [["R7.11.01", "氏名変更", "氏（カナ）: ヤマダ -> サトウ"],
                                         ["R7.11.01", "氏名変更", "氏: 山田 -> 佐藤"]]


async def test_a_remuneration_change_previews_the_new_ratio(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(app, pilot, ids["saburo"])
        await pilot.press("3", "tab", *"R7.12.1", "tab", "ctrl+u", *"260000")
        await settle(pilot)
        assert screen.query_one("#ch-effective").parent.query_one(".field-label").render().plain == "改定月"
        preview = text_of(screen, "#ch-preview")
        assert "標準報酬月額: 300,000円 -> 260,000円" in preview
        assert "お知らせ（負担割合 3割 -> 2割、令和7年12月1日から）" in preview


async def test_typing_on_shows_only_the_preview_of_the_last_value(tmp_path, monkeypatch):
    """Every change is previewed at once; a preview still being read when the clerk types on is
    never shown: after the last key only the preview of the value now in the field appears."""
    app, ids = make_app(tmp_path)
    held = HeldCall(change_screen.plan_change,
                    lambda _ctx, _id, change: 26000 in change.values.values() or "26000" in change.values.values())
    monkeypatch.setattr(change_screen, "plan_change", held)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(app, pilot, ids["saburo"])
        shown: list[str] = []
        show = screen._show_preview
        screen._show_preview = lambda lines, kind="": (shown.append("\n".join(lines)), show(lines, kind))
        await pilot.press("3", "tab", *"R7.12.1", "tab", "ctrl+u", *"26000")  # its preview is held
        await until(pilot, held.held.is_set)
        last_key = len(shown)
        await pilot.press("0")  # 260,000
        await settle(pilot)
        held.release()  # the preview of 26000 is read now, after the one of 260000
        await until(pilot, held.finished.is_set)
        await settle(pilot)
        assert shown[last_key:], "the last value was never previewed"
        assert all("標準報酬月額: 300,000円 -> 260,000円" in text for text in shown[last_key:])
        assert "標準報酬月額: 300,000円 -> 260,000円" in text_of(screen, "#ch-preview")


async def test_a_revision_month_not_on_the_1st_is_refused_at_the_field(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(app, pilot, ids["saburo"])
        await pilot.press("3", "tab", *"R7.12.2", "tab", "ctrl+u", *"260000", "ctrl+s")
        await settle(pilot)
        assert "改定月は月の初日" in text_of(screen, "#ch-effective-error")
        assert screen.state == "editing"
        assert app.focused is screen.query_one("#ch-effective").query_one(Input)
        assert not MemberHistory.select().exists()


async def test_another_clerks_change_meanwhile_is_not_overwritten(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(app, pilot, ids["taro"])
        await pilot.press("2", "tab", *"R7.11.1")
        await type_over(pilot, screen, "address", "東京都新宿区1-1")
        other = app.ctx.__class__(db=app.ctx.db, clock=app.ctx.clock, clerk="suzuki", origin=None)
        correct(other, ids["taro"], "phone", "03-1111-2222", "電話番号の誤り", expected_version=None)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "suzuki さんが" in text_of(screen, "#form-message")
        assert screen.state == "editing"
        assert Member.get_by_id(ids["taro"]).address != "東京都新宿区1-1"
        assert [h.change for h in MemberHistory.select()] == [RegisterChange.CORRECTION]


async def test_a_correction_fixes_one_field_with_its_reason(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(app, pilot, ids["ichiro"], key="x")
        await pilot.press("1")
        await settle(pilot)
        assert not screen.shown("effective_from") and screen.shown("reason")
        await type_over(pilot, screen, "given_name", "一朗")
        assert "訂正: 名 一郎 -> 一朗" in text_of(screen, "#ch-preview")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "訂正の理由を入力してください" in text_of(screen, "#ch-reason-error")
        await type_over(pilot, screen, "reason", "届出書の読み誤り")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "訂正しました" in text_of(screen, "#form-message")
        member = Member.get_by_id(ids["ichiro"])
        assert member.given_name == "一朗" and member.name_key == "山田一朗"
        assert FormerName.select().count() == 0


def _no_blink(screen) -> None:
    for field in screen.query(Input):
        field.cursor_blink = False


def test_snapshot_name_change_preview(snap_compare, tmp_path):
    app, ids = make_app(tmp_path)
    make_document(app.ctx, Member.get_by_id(ids["hanako"]), kind=DocumentKind.ELIGIBILITY_CERTIFICATE,
                  issued_on=date(2025, 11, 1))

    async def run_before(pilot) -> None:
        await open_form(pilot.app, pilot, ids["taro"])
        screen = pilot.app.screen
        _no_blink(screen)
        await pilot.press("1", "tab", *"R7.11.1")
        await type_over(pilot, screen, "family_name", "佐藤")
        await type_over(pilot, screen, "family_name_kana", "サトウ")
        _no_blink(screen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_a_mynumber_notification_says_from_when_the_card_should_work(tmp_path):
    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(app, pilot, ids["taro"])
        await pilot.press("5", "tab", *"R7.11.20")
        await settle(pilot)
        assert screen.query_one("#ch-effective").parent.query_one(".field-label").render().plain == "受付日"
        assert "マイナ保険証は令和7年11月28日頃から" in text_of(screen, "#ch-preview")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "マイナ保険証は令和7年11月28日頃から" in text_of(app.screen, "#member-header")


async def test_markup_in_a_registered_name_is_shown_as_text(tmp_path):
    from tests.test_ui_support import MARKUP_FAMILY

    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(app, pilot, ids["markup"])
        assert MARKUP_FAMILY in text_of(screen, "#member-line")
        await pilot.press("1", "tab", *"R7.11.1")
        await type_over(pilot, screen, "family_name", "[red]中村")
        await type_over(pilot, screen, "family_name_kana", "ナカムラ")
        assert f"氏: {MARKUP_FAMILY} -> [red]中村" in text_of(screen, "#ch-preview")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert Member.get_by_id(ids["markup"]).family_name == "[red]中村"
        assert app.is_running  # no markup error, no click action


async def test_a_tab_typed_straight_after_the_kind_goes_to_the_field_it_brings(tmp_path):
    """A clerk types the kind and Tab with no pause: both keys arrive before the app has handled
    the first. The fields the kind shows must be there for that Tab, or it skips them."""
    from textual import events

    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(app, pilot, ids["taro"])
        app.post_message(events.Key("5", "5"))
        app.post_message(events.Key("tab", None))  # queued before the 5 is handled
        await settle(pilot)
        assert screen.widget("effective_from").has_focus_within
        await pilot.press(*"R7.11.20")
        await settle(pilot)
        assert "マイナ保険証は令和7年11月28日頃から" in text_of(screen, "#ch-preview")


async def test_keys_typed_ahead_in_a_burst_land_in_their_fields(tmp_path):
    """Every key of a burst arrives before the app has handled the first (a fast typist, a
    paste, an SSH link delivering what was typed during a network pause): each must still land
    where the keys before it left the focus."""
    from textual import events

    app, ids = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_form(app, pilot, ids["taro"])
        keys = [("5", "5"), ("tab", None), *((c if c.isalnum() else "full_stop", c) for c in "R7.11.20")]
        for key, char in keys:
            app.post_message(events.Key(key, char))  # all queued at once, none handled yet
        await settle(pilot)
        assert screen.widget("effective_from").has_focus_within
        assert "マイナ保険証は令和7年11月28日頃から" in text_of(screen, "#ch-preview")
