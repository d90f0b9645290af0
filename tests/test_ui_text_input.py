"""The app's text fields by keyboard and paste: a full-width space is kept where a clerk types it
(names, addresses) and read as a separator in a 記号・番号; text past a field's length or with a
control character stays in the field with a message under it, and the save writes nothing."""

from __future__ import annotations

from textual import events
from textual.widgets import DataTable, Input

from clerk_tui.db.models import RegistrationCancellation
from clerk_tui.ui.screens.cancellation import CancellationScreen
from clerk_tui.ui.screens.search import SearchInput, SearchScreen
from clerk_tui.ui.widgets.text_input import FieldProblem, TextInput
from tests.test_ui_applications import app_with_output, fill_cancellation, message, open_form, type_text
from tests.test_ui_support import cell_texts, make_app, settle

SIZE = (80, 24)
WIDE = (100, 30)


def problems(screen) -> list[str]:
    return [str(line.render()) for line in screen.query(FieldProblem)]


async def paste(pilot, widget: Input, text: str) -> None:
    widget.focus()
    widget.post_message(events.Paste(text))
    await settle(pilot)


async def test_search_reads_a_code_typed_with_full_width_spaces(tmp_path):
    app, _ = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, SearchScreen)
        query = app.screen.query_one(SearchInput)
        await pilot.press(*"１２３４　５６７　０１")
        await settle(pilot, 0.2)
        assert query.value == "１２３４　５６７　０１"
        rows = cell_texts(app.screen.query_one("#results", DataTable))
        assert [r[1] for r in rows] == ["山田　花子"]
        # Pasted, the same.
        query.value = ""
        await paste(pilot, query, "1234\u3000567\u300001")
        await settle(pilot, 0.2)
        assert [r[1] for r in cell_texts(app.screen.query_one("#results", DataTable))] == ["山田　花子"]


async def test_full_width_space_is_kept_in_a_name_and_an_address_and_separates_a_code(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        app.push_screen(CancellationScreen())
        await settle(pilot)
        form = app.screen
        assert app.focused is form.query_one("#code", Input)
        await pilot.press(*"１２３４　５６７　０１", "enter")
        await settle(pilot)
        assert form.member_id == ids["hanako"]
        await type_text(pilot, "山田　花子")
        assert form.query_one("#name", Input).value == "山田　花子"
        await pilot.press("enter")
        await type_text(pilot, "1982-07-07")
        await pilot.press("enter")
        await paste(pilot, form.query_one("#address", Input), "東京都千代田区\u3000富士見1-1-1")
        await pilot.press("ctrl+s")
        await settle(pilot)
        [saved] = RegistrationCancellation.select()
        assert saved.applicant_name == "山田　花子"
        assert saved.applicant_address == "東京都千代田区\u3000富士見1-1-1"


async def test_text_past_the_length_stays_with_a_message_and_nothing_is_saved(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        form = await open_form(app, pilot, ids["hanako"], "c")
        await fill_cancellation(pilot, name="山田花子", birth="S57.7.7")
        phone = form.query_one("#phone", TextInput)
        phone.focus()
        await pilot.press("ctrl+u", *"03-0000-0001 内線 1234567")  # 23 characters, the limit is 20
        await settle(pilot)
        assert phone.value == "03-0000-0001 内線 1234567"  # nothing cut
        assert problems(form) == ["連絡先は20文字以内で入力してください（いま23文字）。"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "連絡先は20文字以内で入力してください（いま23文字）" in message(form)
        assert app.focused is phone and phone.value == "03-0000-0001 内線 1234567"
        assert list(RegistrationCancellation.select()) == []
        # Shortened, the message goes and the save goes through.
        await pilot.press("ctrl+u", *"03-0000-0001")
        await settle(pilot)
        assert problems(form) == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [c.applicant_phone for c in RegistrationCancellation.select()] == ["03-0000-0001"]


async def test_a_pasted_escape_is_shown_as_a_mark_refused_at_the_field_and_not_saved(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        form = await open_form(app, pilot, ids["hanako"], "c")
        await fill_cancellation(pilot, name="山田花子", birth="S57.7.7")
        reason = form.query_one("#reason", TextInput)
        await paste(pilot, reason, "本人希望\x1b[2J\x1b]0;x\x07")
        assert reason.value == "本人希望\x1b[2J\x1b]0;x\x07"  # kept: the clerk sees and removes it
        assert problems(form) == ["理由に制御文字などの見えない文字があります（5文字目）。その文字を消して入力し直してください。"]
        # What reaches the terminal is a visible mark, never the escape itself.
        drawn = "".join(segment.text for segment in reason.render_line(0))
        assert "\x1b" not in drawn and "\x07" not in drawn and "\u241b" in drawn
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "理由に制御文字" in message(form)
        assert list(RegistrationCancellation.select()) == []


async def test_a_my_number_in_a_free_text_field_is_told_before_the_save(tmp_path):
    app, ids = app_with_output(tmp_path)
    async with app.run_test(size=WIDE) as pilot:
        form = await open_form(app, pilot, ids["hanako"], "c")
        await fill_cancellation(pilot, name="山田花子", birth="S57.7.7")
        reason = form.query_one("#reason", TextInput)
        reason.focus()
        await pilot.press(*"番号は一二三四　五六七八　九〇一二")
        await settle(pilot)
        assert problems(form) == ["理由に12桁の数字があります。個人番号（マイナンバー）は入力・記録できません。"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert list(RegistrationCancellation.select()) == []


async def test_a_field_given_a_bad_value_says_so_when_shown_and_clears_when_fixed():
    from textual.app import App
    from textual.containers import Horizontal, Vertical
    from textual.widgets import Label

    class Form(App):
        def compose(self):
            with Vertical():
                with Horizontal(classes="row"):
                    yield Label("状態")
                    yield TextInput("破" * 12, id="condition", label="状態", max_len=10)
                yield Label("次の行", id="after")

    app = Form()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        field = app.query_one(TextInput)
        assert field.has_class("-problem")
        assert problems(app.screen) == ["状態は10文字以内で入力してください（いま12文字）。"]
        # The message is under the field's row, not squeezed into it.
        line = app.query_one(FieldProblem)
        assert line.parent is app.query_one(Vertical) and line.region.y > field.region.y
        field.focus()
        await pilot.press("end", "backspace", "backspace")
        await pilot.pause()
        assert field.value == "破" * 10 and problems(app.screen) == [] and not field.has_class("-problem")


async def test_an_issue_reason_past_200_characters_is_kept_told_and_not_issued(tmp_path):
    from tests.test_ui_issue import CERTIFICATE, MISAKI, NEW, SIZE as ISSUE_SIZE, TO_MEMBER
    from tests.test_ui_issue import choose, documents, make_training_app, open_issue, shown, tab_to

    app = make_training_app(tmp_path)
    async with app.run_test(size=ISSUE_SIZE) as pilot:
        screen = await open_issue(pilot, MISAKI)
        await choose(pilot, CERTIFICATE, NEW, TO_MEMBER)
        override = screen.query_one("#override", TextInput)
        await tab_to(pilot, override)
        pasted = "本人の希望により窓口で交付。" * 16 + "以上"  # 226 characters, the limit is 200
        await paste(pilot, override, pasted)
        assert override.value == pasted  # not cut, not refused as a whole
        assert problems(screen) == ["交付理由（対象外の交付）は200文字以内で入力してください（いま226文字）。"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "200文字以内" in shown(screen, "#override-error")
        assert override.value == pasted and not screen.done
        assert len(documents(MISAKI)) == 0
