"""立替払 (R12) by keyboard: intake from the member screen with the live estimate, the refusals
(duplicate, payment before treatment, another insurer's month, lapsed without a reason, bad
amounts), papers ticked in the list, hand-over with the 送付一覧; snapshots at 80×24."""

from __future__ import annotations

from datetime import date

from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input, Static

from clerk_tui.config import Config
from clerk_tui.db.models import Insurer, ReimbursementClaim
from clerk_tui.domain.codes import ClaimStatus
from clerk_tui.services.reimbursement import ClaimInput, assess, record_claim
from clerk_tui.ui.screens import claim as claim_screen
from clerk_tui.ui.screens.claim import ClaimScreen
from clerk_tui.ui.screens.claims import ClaimsScreen, MonthScreen, PapersScreen
from clerk_tui.ui.screens.confirm import ProceedScreen
from clerk_tui.ui.screens.member_detail import MemberDetailScreen
from clerk_tui.ui.widgets.ja_text import JaText
from tests.test_ui_support import TODAY, HeldCall, cell_texts, make_app, settle, until

SIZE = (80, 24)


def claims_app(tmp_path):
    """The UI scenario plus what letters need: the insurer's profile and an output folder."""
    app, ids = make_app(tmp_path)
    app.ctx.config = Config(output_dir=tmp_path / "out")
    app.ctx.write(lambda: Insurer.create(
        insurer_number="06139999", name="東京都情報サービス産業健康保険組合", postal_code="102-8017",
        address="東京都千代田区富士見1-12-8", enrolment_phone="03-3239-9819", benefits_phone="03-3239-9817"))
    return app, ids


def record(app, member_id: int, **kw) -> ReimbursementClaim:
    data = dict(member_id=member_id, institution_name="千代田クリニック", treatment_month=date(2025, 10, 1),
                paid_on=date(2025, 10, 15), amount_paid="10,000")
    data.update(kw)
    return record_claim(app.ctx, ClaimInput(**data))


def claims() -> list[ReimbursementClaim]:
    return list(ReimbursementClaim.select().order_by(ReimbursementClaim.id))


async def open_intake(app, pilot, member_id: int) -> ClaimScreen:
    """From the member screen by its key, as the clerk does."""
    app.open_member(member_id)
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    assert isinstance(app.screen, ClaimScreen)
    return app.screen


async def type_text(pilot, text: str) -> None:
    """Type `text` key by key. Pilot.press drops characters whose key name it cannot map back
    (，、 and other full-width punctuation), so those are sent as the terminal would send them."""
    for ch in text:
        key = _character_to_key(ch) if len(ch) == 1 and not ch.isalnum() else ch
        if key != ch and len(key) > 1:
            pilot.app.post_message(events.Key(key, ch))
            await pilot.pause()
        else:
            await pilot.press(ch)


async def fill(pilot, *, institution="千代田クリニック", pharmacy=False, month="R7.10", paid="R7.10.15",
               amount="10,000", cost="", papers=(False, False, False)) -> None:
    """Type the form top to bottom; Enter moves to the next field, Space ticks a box."""
    for value in (institution, None, month, paid, amount, cost):
        if value is None:
            await pilot.press(*(["space"] if pharmacy else []), "enter")
        else:
            await type_text(pilot, value)
            await pilot.press("enter")
    for ticked in papers:
        await pilot.press(*(["space"] if ticked else []), "enter")
    await settle(pilot)


def text_of(screen, selector: str) -> str:
    widget = screen.query_one(selector)
    if isinstance(widget, JaText):
        return widget.source_text().plain
    return str(widget.render())


def panel(screen) -> str:
    return "\n".join(text_of(screen, f"#a-{n}") for n in ("refund", "deadline", "cause", "missing")
                     if screen.query_one(f"#a-{n}").display)


def message(screen) -> str:
    return screen.query_one("#form-message", JaText).source_text().plain


# ------------------------------------------------------------------ the whole path


async def test_dependent_claim_from_intake_to_hand_over(tmp_path):
    app, ids = claims_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["hanako"])
        assert "山田　花子" in text_of(screen, "#claim-patient")
        assert "家族・配偶者" in text_of(screen, "#claim-patient")
        await fill(pilot, amount="１０，０００", papers=(True, False, False))
        assert screen.query_one("#amount", Input).value == "１０，０００"

        # The echo and the live estimate: a 3割 dependent gets 7割 of 10,000.
        assert text_of(screen, "#amount-echo") == "10,000円"
        assert text_of(screen, "#month-echo") == "令和7年10月"
        shown = panel(screen)
        assert "負担割合 3割" in shown and "給付見込額 7,000円" in shown
        assert "請求期限 令和9年10月15日（あと694日）" in shown
        assert "原因の見込み 受診時" not in shown  # hanako's My Number was received in 2024
        assert "不足書類 レセプト（診療報酬明細書）、立替払 請求書（不備として受付になります）" in shown

        await pilot.press("ctrl+s")
        await settle(pilot)
        [claim] = claims()
        assert claim.member_id == ids["hanako"]
        assert (claim.amount_paid, claim.copay_ratio, claim.estimated_refund) == (10_000, 3, 7_000)
        assert claim.status is ClaimStatus.INCOMPLETE
        assert "状態 不備" in message(screen)
        assert "不足書類 レセプト（診療報酬明細書）、立替払 請求書" in panel(screen)
        assert screen.query_one("#fields").disabled

        # The letter listing the missing papers.
        await pilot.press("p")
        await settle(pilot)
        assert screen.last_letter is not None and screen.last_letter.path.is_file()
        assert str(screen.last_letter.path) in message(screen)

        # Back on the member, the claim is in the 立替払 tab; F9 opens the list.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen)
        assert any(row[2] == "千代田クリニック" for row in cell_texts(app.screen.query_one("#claims-table")))
        await pilot.press("f9")
        await settle(pilot)
        listing = app.screen
        assert isinstance(listing, ClaimsScreen)
        [row] = cell_texts(listing.query_one("#claims-table"))
        assert row[-1] == "不備" and "10,000円" in row and "7,000円" in row

        # Incomplete claims cannot be marked for hand-over.
        await pilot.press("space")
        assert not listing.marked
        assert "受付完了の請求だけ" in text_of(listing, "#claims-message")

        # The papers come in: tick レセプト and 請求書 in the dialog.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PapersScreen)
        await pilot.press("2", "3", "enter")
        await settle(pilot)
        assert app.screen is listing
        claim = ReimbursementClaim.get_by_id(claim.id)
        assert claim.status is ClaimStatus.COMPLETE
        assert cell_texts(listing.query_one("#claims-table"))[0][-1] == "受付完了"

        # Marked, forwarded after confirming, 回付済 with today's date, and the 送付一覧 written.
        await pilot.press("space")
        assert listing.marked == {claim.id}
        assert "回付の選択 1件  給付見込額 7,000円" in text_of(listing, "#claims-summary")
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ProceedScreen)
        await pilot.press("enter")
        await settle(pilot)
        claim = ReimbursementClaim.get_by_id(claim.id)
        assert claim.status is ClaimStatus.FORWARDED and claim.forwarded_on == TODAY
        assert cell_texts(listing.query_one("#claims-table"))[0][-1] == "回付済"
        assert "回付 令和7年11月20日" in text_of(listing, "#claim-row-detail")
        result = listing.last_result
        assert result.path.is_file() and "送付一覧" in result.path.name
        assert str(result.path) in text_of(listing, "#claims-message")
        assert not listing.marked


async def test_a_second_claim_for_the_same_patient(tmp_path):
    # The pharmacy after the clinic: month and payment date stay, the rest starts empty.
    app, ids = claims_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["taro"])
        await fill(pilot, papers=(True, True, True))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "状態 受付完了" in message(screen)
        assert not screen.check_action("print_letter", ())  # nothing missing: no letter
        await pilot.press("n")
        await settle(pilot)
        assert screen.query_one("#institution", Input).value == ""
        assert screen.query_one("#month", Input).value == "R7.10"
        await pilot.press(*"さくら薬局", "enter", "space", "enter", "enter", "enter", *"2,500", "enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        clinic, pharmacy = claims()
        assert pharmacy.is_pharmacy and pharmacy.amount_paid == 2_500
        assert pharmacy.status is ClaimStatus.INCOMPLETE


# ------------------------------------------------------------------ refusals


async def test_a_duplicate_is_refused_and_the_existing_claim_shown(tmp_path):
    app, ids = claims_app(tmp_path)
    existing = record(app, ids["taro"], receipt_received=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["taro"])
        # The same institution typed with a space and half-width kana is still the same one.
        await fill(pilot, institution="千代田 ｸﾘﾆｯｸ", amount="9,000")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [c.id for c in claims()] == [existing.id]
        shown = message(screen)
        assert "受付済みです" in shown and "受付していません" in shown
        assert f"既存の請求 R{existing.id:06d}  千代田クリニック  令和7年10月  10,000円  状態 不備" in shown
        assert screen.existing is not None and screen.existing.id == existing.id
        assert screen.saved is None
        assert app.focused is screen.query_one("#institution")


async def test_payment_before_the_treatment_month_is_refused(tmp_path):
    app, ids = claims_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["taro"])
        await fill(pilot, paid="R7.9.30")
        echo = screen.query_one("#paid-on .date-echo", Static)
        assert "支払日（令和7年9月30日）が診療月（令和7年10月）より前です。" in str(echo.render())
        assert echo.has_class("-error")
        assert "入力を確認してください" in panel(screen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert claims() == []
        assert "受付していません" in message(screen)
        assert app.focused is screen.query_one("#paid-on Input")
        # Correcting the month clears the error at the date.
        await pilot.press("shift+tab", "ctrl+u", *"R7.9")
        await settle(pilot)
        assert str(echo.render()) == "令和7年9月30日" and not echo.has_class("-error")
        assert "給付見込額 7,000円" in panel(screen)


async def test_a_month_outside_the_qualification_goes_to_another_insurer(tmp_path):
    # 山本 次郎 lost his qualification on 2025-10-01: October belongs to the next insurer.
    app, ids = claims_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["jiro"])
        await fill(pilot, papers=(True, True, True))
        shown = panel(screen)
        assert shown.startswith("受付できません: 診療月（令和7年10月）は当組合の資格期間")
        assert "他の保険者への請求になります。受付できません。" in shown
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert claims() == []
        assert "他の保険者への請求になります" in message(screen)


async def test_a_lapsed_claim_needs_a_reason(tmp_path):
    # Paid 2023-11-19: the two years ended 2025-11-19, yesterday.
    app, ids = claims_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["taro"])
        late_row = screen.query_one("#late-row")
        assert late_row.has_class("-hidden")
        await fill(pilot, month="R5.11", paid="R5.11.19", papers=(True, True, True))
        assert not late_row.has_class("-hidden")
        deadline = screen.query_one("#a-deadline")
        assert deadline.has_class("-expired")
        assert "令和7年11月19日（期限切れ 1日経過。遅延理由の入力が必要）" in text_of(screen, "#a-deadline")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert claims() == []
        assert "受け付ける理由を入力してください。受付していません。" in message(screen)
        assert screen.query_one("#late-reason").has_class("-bad")
        assert app.focused is screen.query_one("#late-reason")
        await pilot.press(*"本人入院のため請求が遅れた")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        [claim] = claims()
        assert claim.late_reason == "本人入院のため請求が遅れた"
        assert claim.status is ClaimStatus.COMPLETE


async def test_a_deadline_within_sixty_days_is_a_warning(tmp_path):
    app, ids = claims_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["taro"])
        await fill(pilot, month="R6.1", paid="R6.1.19")
        deadline = screen.query_one("#a-deadline")
        assert deadline.has_class("-warning") and not deadline.has_class("-expired")
        assert "注意: あと60日" in text_of(screen, "#a-deadline")
        assert screen.query_one("#late-row").has_class("-hidden")


BAD_AMOUNTS = [
    ("-5,000", "マイナスは入力できません"),
    ("１２a", "数字で入力してください"),
    ("0", "1円以上で入力してください"),
    ("999999999", "大きすぎます"),
]


async def test_typing_on_shows_only_the_estimate_of_the_last_amount(tmp_path, monkeypatch):
    """Every change is assessed at once; an assessment still being read when the clerk types on
    is never shown: after the last key only the estimate of the amount now typed appears."""
    app, ids = claims_app(tmp_path)
    held = HeldCall(claim_screen.assess, lambda _ctx, data: str(data.amount_paid).replace(",", "") == "1000")
    monkeypatch.setattr(claim_screen, "assess", held)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["hanako"])
        await fill(pilot, amount="100", papers=(True, True, True))
        shown: list[int | None] = []
        show = screen._show_assessment
        screen._show_assessment = lambda *args: (
            shown.append(screen.assessment.estimated_refund if screen.assessment else None), show(*args))
        screen.query_one("#amount").focus()
        await pilot.press("end", "0")  # 1,000: its assessment is held
        await until(pilot, held.held.is_set)
        last_key = len(shown)
        await pilot.press("0")  # 10,000
        await settle(pilot)
        held.release()  # the assessment of 1,000 is read now, after the one of 10,000
        await until(pilot, held.finished.is_set)
        await settle(pilot)
        assert shown[last_key:], "the last amount was never assessed"
        assert all(refund == 7_000 for refund in shown[last_key:])  # 7割 of 10,000, never of 1,000
        assert "給付見込額 7,000円" in panel(screen)


async def test_bad_amounts_are_explained_and_nothing_is_written(tmp_path):
    app, ids = claims_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["taro"])
        await fill(pilot, amount="1", papers=(True, True, True))
        echo = screen.query_one("#amount-echo", Static)
        for amount, expected in BAD_AMOUNTS:
            screen.query_one("#amount").focus()
            await pilot.press("ctrl+u", *amount)
            await settle(pilot)
            assert expected in str(echo.render()) and echo.has_class("-error"), amount
            assert "支払額を入力すると" in panel(screen)  # no estimate from a bad amount
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert claims() == []
            assert "支払額を正しく入力してください" in message(screen)
            assert app.focused is screen.query_one("#amount")


async def test_fee_schedule_cost_is_the_base_when_given(tmp_path):
    app, ids = claims_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["taro"])
        await fill(pilot, amount="10,000", cost="８，０００")
        assert "給付見込額 5,600円（診療報酬額 8,000円の7割）" in panel(screen)
        # The estimate follows the data: a change of the amount recomputes it.
        screen.query_one("#cost", Input).value = ""
        await settle(pilot)
        assert "給付見込額 7,000円（支払額 10,000円の7割）" in panel(screen)
        # R12: paid less than the fee-schedule cost → the amount paid is counted (not 7,000).
        screen.query_one("#amount", Input).value = "8,000"
        screen.query_one("#cost", Input).value = "10,000"
        await settle(pilot)
        assert ("給付見込額 5,600円（支払額 8,000円の7割。支払額が診療報酬額 10,000円より少ないため）"
                in panel(screen))


async def test_a_stale_assessment_is_dropped(tmp_path):
    app, ids = claims_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["taro"])
        await fill(pilot, amount="10,000")
        current = screen.assessment
        # An assessment started before the latest change arrives late: it is not shown.
        old = ClaimInput(member_id=ids["taro"], institution_name="x", treatment_month=date(2025, 10, 1),
                         paid_on=date(2025, 10, 15), amount_paid="99,000")
        assert assess(app.ctx, old)[1].estimated_refund == 69_300
        screen._assess(old, screen._seq - 1)
        await settle(pilot)
        assert screen.assessment is current
        assert "給付見込額 7,000円" in panel(screen)


async def test_save_is_disabled_while_running(tmp_path):
    app, ids = claims_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(app, pilot, ids["taro"])
        assert screen.check_action("save", ()) is True
        screen.saving = True
        assert screen.check_action("save", ()) is None
        screen.action_save()  # a second Ctrl+S while saving does nothing
        await settle(pilot)
        assert claims() == []


# ------------------------------------------------------------------ the list


async def test_list_filters_by_status_and_month_with_totals(tmp_path):
    app, ids = claims_app(tmp_path)
    record(app, ids["taro"])  # 不備, October
    record(app, ids["taro"], institution_name="みなと薬局", is_pharmacy=True, amount_paid="3,000",
           receipt_received=True, medical_statement_received=True, claim_form_received=True)  # 受付完了
    record(app, ids["hanako"], treatment_month=date(2025, 9, 1), paid_on=date(2025, 9, 3),
           amount_paid="5,000")  # 不備, September
    async with app.run_test(size=SIZE) as pilot:
        app.action_open_tool("claims")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClaimsScreen)
        table = screen.query_one("#claims-table")
        assert len(cell_texts(table)) == 3
        summary = text_of(screen, "#claims-summary")
        assert "状態 全て  診療月 全て  3件  支払額計 18,000円  給付見込額計 12,600円" in summary

        await pilot.press("s")
        await settle(pilot)
        assert screen.status is ClaimStatus.INCOMPLETE
        assert [r[-1] for r in cell_texts(table)] == ["不備", "不備"]
        assert "状態 不備" in text_of(screen, "#claims-summary")
        await pilot.press("s")
        await settle(pilot)
        assert [r[-1] for r in cell_texts(table)] == ["受付完了"]

        # Month: typed in any shape; a bad one is explained in the dialog and not taken.
        await pilot.press("s", "s")  # 回付済 → 全て
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MonthScreen)
        await pilot.press(*"R7.13", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MonthScreen)
        assert "13月はありません" in str(app.screen.query_one("#month-echo").render())
        await pilot.press("ctrl+u", *"2025-09", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.month == date(2025, 9, 1)
        rows = cell_texts(table)
        assert len(rows) == 1 and "山田　花子" in rows[0]
        assert "診療月 令和7年9月  1件  支払額計 5,000円  給付見込額計 3,500円" in text_of(screen, "#claims-summary")

        # Empty input: every month again.
        await pilot.press("m", "ctrl+u", "enter")
        await settle(pilot)
        assert screen.month is None and len(cell_texts(table)) == 3


async def test_list_opens_the_member_and_prints_the_letter(tmp_path):
    app, ids = claims_app(tmp_path)
    record(app, ids["ichiro"], institution_name="こども医院")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ClaimsScreen)
        await pilot.press("p")
        await settle(pilot)
        assert screen.last_result.path.is_file()
        assert "不足書類のお知らせを出力しました" in text_of(screen, "#claims-message")
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, MemberDetailScreen) and app.screen.member_id == ids["ichiro"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        assert not isinstance(app.screen, ClaimsScreen)


async def test_papers_dialog_refuses_a_stale_version(tmp_path):
    from clerk_tui.services.reimbursement import update_papers

    app, ids = claims_app(tmp_path)
    claim = record(app, ids["taro"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        screen = app.screen
        await pilot.press("enter")
        await settle(pilot)
        # Another clerk records the receipt while the dialog is open.
        update_papers(app.ctx, claim.id, expected_version=claim.version, receipt_received=True)
        await pilot.press("2", "enter")
        await settle(pilot)
        assert "最新の内容を読み込み直して" in text_of(screen, "#claims-message")
        fresh = ReimbursementClaim.get_by_id(claim.id)
        assert fresh.receipt_received and not fresh.medical_statement_received


async def test_escape_cancels_the_dialogs(tmp_path):
    app, ids = claims_app(tmp_path)
    claim = record(app, ids["taro"], receipt_received=True, medical_statement_received=True,
                   claim_form_received=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await settle(pilot)
        screen = app.screen
        await pilot.press("enter", "1", "escape")
        await settle(pilot)
        assert ReimbursementClaim.get_by_id(claim.id).receipt_received
        await pilot.press("space", "f", "escape")
        await settle(pilot)
        assert app.screen is screen
        assert ReimbursementClaim.get_by_id(claim.id).status is ClaimStatus.COMPLETE


# ------------------------------------------------------------------ snapshots


def _no_blink(app) -> None:
    for widget in app.screen.query(Input):
        widget.cursor_blink = False


class TestSnapshots:
    def test_intake_with_assessment(self, snap_compare, tmp_path):
        app, ids = claims_app(tmp_path)

        async def run_before(pilot) -> None:
            await pilot.pause()
            app.open_member(ids["hanako"])
            await settle(pilot)
            await pilot.press("t")
            await settle(pilot)
            _no_blink(app)
            await fill(pilot, amount="１０，０００", papers=(True, False, False))
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_claims_list(self, snap_compare, tmp_path):
        app, ids = claims_app(tmp_path)
        record(app, ids["taro"], receipt_received=True)
        record(app, ids["taro"], institution_name="みなと薬局", is_pharmacy=True, amount_paid="3,000",
               receipt_received=True, medical_statement_received=True, claim_form_received=True)
        record(app, ids["hanako"], institution_name="千代田総合病院　整形外科", treatment_month=date(2025, 9, 1),
               paid_on=date(2025, 9, 3), amount_paid="15,230")

        async def run_before(pilot) -> None:
            await pilot.pause()
            await pilot.press("f9")
            await settle(pilot)
            await pilot.press("down", "space")
            await settle(pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
