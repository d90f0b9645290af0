"""The list of 立替払 claims (R12), filtered by status and treatment month: papers received later,
the missing-papers letter, and the hand-over of complete claims to the 給付グループ."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from clerk_tui.domain.codes import ClaimStatus
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.wareki import parse_month
from clerk_tui.services.reimbursement import list_claims, missing_papers, update_papers
from clerk_tui.services.rows import ClaimRow
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.screens.claim import PAPER_IDS, PAPER_LABELS, claim_reference, missing_text
from clerk_tui.ui.screens.confirm import ProceedScreen
from clerk_tui.ui.text import (
    code_label,
    data_text,
    date_cell,
    fit,
    month_cell,
    status_cell,
    wareki,
    wareki_month,
    wareki_short,
    yen,
    yen_cell,
)
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.text_input import ClerkInput
from clerk_tui.ui.widgets.tick import Tick

# `s` steps through these in this order; None = every status.
STATUS_CYCLE: list[ClaimStatus | None] = [None, ClaimStatus.INCOMPLETE, ClaimStatus.COMPLETE, ClaimStatus.FORWARDED]
ALL = "全て"
MARK = "*"
# From this width every column fits; below it 受付日 moves to the line under the table.
WIDE_WIDTH = 120


# ---------------------------------------------------------------------------------------------
# Dialogs


class PapersScreen(ModalScreen[dict[str, bool] | None]):
    """Tick the papers received for one claim; returns the three flags, or None when cancelled."""

    DEFAULT_CSS = """
    PapersScreen { align: center middle; }
    PapersScreen > Vertical { width: 64; max-width: 100%; height: auto; border: ascii $primary;
                              background: $panel; padding: 0 1; }
    PapersScreen .title { text-style: bold; }
    PapersScreen .hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "取消", id="papers.cancel"),
        Binding("enter", "save", "保存", id="papers.save"),
        Binding("1", "toggle(0)", "切替", key_display="1-3", tooltip="領収書を切替", id="papers.toggle_1"),
        Binding("2", "toggle(1)", "レセプトを切替", show=False, id="papers.toggle_2"),
        Binding("3", "toggle(2)", "請求書を切替", show=False, id="papers.toggle_3"),
    ]

    def __init__(self, claim: ClaimRow) -> None:
        super().__init__()
        self.claim = claim

    def compose(self) -> ComposeResult:
        c = self.claim
        with Vertical():
            yield Static(Text(f"書類の受領  {claim_reference(c.id)}"), classes="title")
            who = Text(c.member_code + "  ")
            who.append_text(data_text(c.member_name))
            yield Static(who)
            what = data_text(c.institution_name)
            what.append(("（薬局）" if c.is_pharmacy else "") + f"  {wareki_month(c.treatment_month)}"
                        f"  {yen(c.amount_paid)}")
            yield Static(what)
            for n, (key, label) in enumerate(PAPER_LABELS.items(), start=1):
                yield Tick(f"{n} {label}", value=getattr(c, key), id=PAPER_IDS[key])
            yield Static(Text("Space・1〜3 切替  Enter 保存  Esc 取消"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(Tick).focus()

    def action_toggle(self, index: int) -> None:
        self.query(Tick)[index].action_toggle()

    def action_save(self) -> None:
        self.dismiss({key: self.query_one(f"#{PAPER_IDS[key]}", Tick).value for key in PAPER_LABELS})

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class MonthChoice:
    month: date | None  # None = every month


class MonthScreen(ModalScreen[MonthChoice | None]):
    """Ask for a treatment month (any shape parse_month reads); empty = every month."""

    DEFAULT_CSS = """
    MonthScreen { align: center middle; }
    MonthScreen > Vertical { width: 56; max-width: 100%; height: auto; border: ascii $primary;
                             background: $panel; padding: 0 1; }
    MonthScreen .title { text-style: bold; }
    MonthScreen Horizontal { height: auto; }
    MonthScreen Input { width: 16; padding: 0 1; background: $boost; }
    MonthScreen #month-echo { width: 1fr; height: auto; padding: 0 1; color: $text-muted; }
    MonthScreen #month-echo.-error { color: $text-error; text-style: bold; }
    MonthScreen .hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "取消", id="month.cancel")]

    def __init__(self, current: date | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("診療月で絞り込み"), classes="title")
            with Horizontal():
                yield ClerkInput(value=wareki_short(self.current)[:-3] if self.current else "",
                            placeholder="例: R7.11", compact=True, id="month-input")
                yield Static("", id="month-echo")
            yield Static(Text("空欄で Enter: すべての月  Esc: 取消"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._read(self.query_one(Input).value)

    def _read(self, text: str) -> tuple[bool, date | None]:
        echo = self.query_one("#month-echo", Static)
        echo.remove_class("-error")
        if not text.strip():
            echo.update(Text(ALL))
            return True, None
        try:
            month = parse_month(text)
        except DomainError as exc:
            echo.update(Text(exc.message))
            echo.add_class("-error")
            return False, None
        echo.update(Text(wareki_month(month)))
        return True, month

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._read(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        ok, month = self._read(event.value)
        if ok:
            self.dismiss(MonthChoice(month))

    def action_cancel(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------------------------------------
# The list


class ClaimsTable(FittedTable):
    BINDING_GROUP_TITLE = "立替払の一覧"
    BINDINGS = [
        Binding("enter", "screen.papers", "書類", tooltip="選んだ請求の受領書類を記録", id="claims.papers"),
        Binding("space", "screen.toggle_mark", "選択", tooltip="回付する請求に印を付ける・外す（受付完了のみ）",
                id="claims.mark"),
    ]


class ClaimsScreen(ClerkScreen):
    LEAVE_FOR_NEW_SEARCH = True
    DEFAULT_CSS = """
    ClaimsScreen #claims-summary { height: auto; padding: 0 1; }
    ClaimsScreen #claims-table { height: 1fr; }
    ClaimsScreen #claim-row-detail { height: 2; padding: 0 1; background: $boost; }
    ClaimsScreen #claims-message { height: auto; max-height: 4; padding: 0 1; }
    ClaimsScreen #claims-message.-error { color: $text-error; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape", "back", "戻る", id="claims.back"),
        Binding("f", "forward", "回付", tooltip="印を付けた請求を回付し送付一覧（PDF）を出力", id="claims.forward"),
        Binding("p", "print_letter", "通知", tooltip="不足書類のお知らせ（PDF）を出力", id="claims.print_letter"),
        Binding("s", "cycle_status", "状態", tooltip="状態で絞り込み（全て・不備・受付完了・回付済）",
                id="claims.status"),
        Binding("m", "month", "月", tooltip="診療月で絞り込み", id="claims.month"),
        Binding("o", "open_member", "加入員", tooltip="請求の患者（加入員）を開く", id="claims.open_member"),
        Binding("r", "reload", "再読込", show=False, id="claims.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status: ClaimStatus | None = None
        self.month: date | None = None
        self.claims: list[ClaimRow] = []
        self.marked: set[int] = set()
        self.busy = False  # a write (papers, hand-over) is running
        self.last_result = None  # the last letter or 送付一覧 written (path, message)
        self._loaded = False

    def compose_body(self) -> ComposeResult:
        yield Static(id="claims-summary")
        yield ClaimsTable(id="claims-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="claim-row-detail")
        yield JaText(id="claims-message")
        yield ClerkFooter(show_command_palette=False)

    def on_screen_resume(self) -> None:
        # Also after the member screen or a dialog closes: another clerk may have changed claims.
        self._load()

    # ------------------------------------------------------------------ loading and showing

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _load(self) -> None:
        claims = await asyncio.to_thread(list_claims, status=self.status, month=self.month)
        self.claims = claims
        # A mark survives only on a claim still shown and still waiting for hand-over, so that
        # `f` never forwards something the clerk cannot see.
        self.marked &= {c.id for c in claims if c.status is ClaimStatus.COMPLETE}
        self._loaded = True
        self._show()
        self.query_one(ClaimsTable).focus()

    def _show(self) -> None:
        table = self.query_one(ClaimsTable)
        keep = self._highlighted()
        wide = self.app.size.width >= WIDE_WIDTH
        rows = []
        for c in self.claims:
            marked = c.id in self.marked
            rows.append((
                Text(MARK if marked else " ", style="bold"),
                date_cell(c.received_on),
                Text(c.member_code),
                data_text(c.member_name),
                data_text(c.institution_name),
                month_cell(c.treatment_month),
                yen_cell(c.amount_paid),
                yen_cell(c.estimated_refund),
                status_cell(c.status),
            ))
        table.fill(["", "受付日", "記号番号", "氏名", "医療機関", "診療月", "支払額",
                    "給付見込額" if wide else "見込額", "状態"], rows,
                   flex=4, optional=[1], caps={} if wide else {3: 10}, keys=[str(c.id) for c in self.claims])
        if keep is not None:
            ids = [c.id for c in self.claims]
            if keep.id in ids:
                table.move_cursor(row=ids.index(keep.id), animate=False)
        self._show_summary()
        self._show_row_detail()
        self.refresh_bindings()

    def _show_summary(self) -> None:
        text = Text()
        text.append("状態 ", style="dim")
        text.append(code_label(self.status) or ALL, style="bold")
        text.append("  診療月 ", style="dim")
        text.append(wareki_month(self.month) if self.month else ALL, style="bold")
        text.append(f"  {len(self.claims)}件")
        text.append("  支払額計 ", style="dim")
        text.append(yen(sum(c.amount_paid for c in self.claims)))
        text.append("  給付見込額計 ", style="dim")
        text.append(yen(sum(c.estimated_refund for c in self.claims)))
        if self.marked:
            chosen = [c for c in self.claims if c.id in self.marked]
            text.append("\n回付の選択 ", style="dim")
            text.append(f"{len(chosen)}件  給付見込額 {yen(sum(c.estimated_refund for c in chosen))}",
                        style="bold")
        elif not self.claims and self._loaded:
            text.append("\n該当する請求はありません。", style="dim")
        self.query_one("#claims-summary", Static).update(text)

    def _highlighted(self) -> ClaimRow | None:
        table = self.query_one(ClaimsTable)
        if not self.claims or table.row_count == 0:
            return None
        index = table.cursor_row
        return self.claims[index] if 0 <= index < len(self.claims) else None

    @on(DataTable.RowHighlighted, "#claims-table")
    def _row_highlighted(self) -> None:
        self._show_row_detail()

    def _show_row_detail(self) -> None:
        """What the columns have no room for: reference, 受付日, full names, papers, hand-over."""
        c = self._highlighted()
        detail = self.query_one("#claim-row-detail", Static)
        if c is None:
            detail.update(Text())
            return
        first = Text(claim_reference(c.id))
        first.append("  受付 ", style="dim")
        first.append(wareki(c.received_on))
        first.append("  ")
        first.append_text(data_text(c.member_name))
        first.append("  ")
        first.append_text(data_text(c.institution_name))
        if c.is_pharmacy:
            first.append("（薬局）")
        second = Text()
        if c.status is ClaimStatus.FORWARDED:
            second.append("回付 ", style="dim")
            second.append(wareki(c.forwarded_on) if c.forwarded_on else "")
        else:
            second.append("不足書類 ", style="dim")
            second.append(missing_text(missing_papers(c)))
        if c.late_reason:
            second.append("  遅延理由 ", style="dim")
            second.append_text(data_text(c.late_reason))
        width = max(self.app.size.width - 2, 20)
        detail.update(Text("\n").join([fit(first, width), fit(second, width)]))

    def on_resize(self, event: events.Resize) -> None:
        if self._loaded:
            self._show()

    def _say(self, message: str | Text, error: bool = False) -> None:
        box = self.query_one("#claims-message", JaText)
        box.set_text(message if isinstance(message, Text) else Text(message))
        box.set_class(error, "-error")

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("forward", "papers") and self.busy:
            return None  # shown dimmed while a write runs
        return True

    def action_back(self) -> None:
        self.dismiss()

    def action_reload(self) -> None:
        self._load()

    def action_cycle_status(self) -> None:
        self.status = STATUS_CYCLE[(STATUS_CYCLE.index(self.status) + 1) % len(STATUS_CYCLE)]
        self._say("")
        self._load()

    def action_month(self) -> None:
        def chosen(choice: MonthChoice | None) -> None:
            if choice is not None:
                self.month = choice.month
                self._say("")
                self._load()

        self.app.push_screen(MonthScreen(self.month), callback=chosen)

    def action_open_member(self) -> None:
        c = self._highlighted()
        if c is not None:
            self.app.open_member(c.member_id)  # type: ignore[attr-defined]

    def action_toggle_mark(self) -> None:
        c = self._highlighted()
        if c is None:
            return
        if c.id in self.marked:
            self.marked.discard(c.id)
        elif c.status is ClaimStatus.COMPLETE:
            self.marked.add(c.id)
        else:
            self._say(f"回付できるのは受付完了の請求だけです（{claim_reference(c.id)} は{code_label(c.status)}）。", error=True)
            return
        self._say("")
        table = self.query_one(ClaimsTable)
        row = table.cursor_row
        self._show()
        # Space marks and moves down, so that several claims are marked by holding it.
        table.move_cursor(row=min(row + 1, table.row_count - 1), animate=False)

    def action_papers(self) -> None:
        c = self._highlighted()
        if c is None or self.busy:
            return
        if c.status is ClaimStatus.FORWARDED:
            self._say(f"{claim_reference(c.id)} は回付済みです。書類は給付グループで扱います。", error=True)
            return

        def chosen(flags: dict[str, bool] | None) -> None:
            if flags is not None:
                self._update_papers(c.id, c.version, flags)

        self.app.push_screen(PapersScreen(c), callback=chosen)

    @work(exclusive=True, group="write", exit_on_error=False)
    async def _update_papers(self, claim_id: int, version: int, flags: dict[str, bool]) -> None:
        self.busy = True
        self.refresh_bindings()
        try:
            # The version read with the list: a change by another clerk meanwhile is refused.
            claim = await asyncio.to_thread(update_papers, self.app.ctx, claim_id, expected_version=version,
                                            **flags)
        except DomainError as exc:
            self._say(exc.message, error=True)
        else:
            missing = missing_papers(claim)
            text = f"{claim_reference(claim.id)} の書類を記録しました。状態 {code_label(claim.status)}"
            self._say(text + (f"（不足: {missing_text(missing)}）" if missing else ""))
        finally:
            self.busy = False
        self._load()

    def action_print_letter(self) -> None:
        c = self._highlighted()
        if c is not None:
            self._print_letter(c.id)

    @work(exclusive=True, group="print", exit_on_error=False)
    async def _print_letter(self, claim_id: int) -> None:
        from clerk_tui.services.letters import print_missing_papers_letter

        self._say("不足書類のお知らせを作成しています。")
        try:
            result = await asyncio.to_thread(print_missing_papers_letter, self.app.ctx, claim_id)
        except DomainError as exc:
            self._say(exc.message, error=True)
            return
        self._show_result(result)

    def _show_result(self, result) -> None:
        self.last_result = result
        text = Text(result.message)
        text.append("\n")
        text.append(str(result.path), style="dim")
        if getattr(result, "print_message", None):
            text.append(f"\n{result.print_message}")
        self._say(text)

    def action_forward(self) -> None:
        chosen = [c for c in self.claims if c.id in self.marked]
        if not chosen or self.busy:
            if not chosen:
                self._say("回付する請求を Space で選んでください（受付完了のみ）。", error=True)
            return
        body = Text(f"{len(chosen)}件（支払額計 {yen(sum(c.amount_paid for c in chosen))}・"
                    f"給付見込額計 {yen(sum(c.estimated_refund for c in chosen))}）を"
                    "給付グループへ回付済にし、送付一覧（PDF）を出力します。回付後は書類を変更できません。")
        ids = [c.id for c in chosen]

        def answered(yes: bool | None) -> None:
            if yes:
                self._forward(ids)

        self.app.push_screen(ProceedScreen(body, title="給付グループへ回付"), callback=answered)

    @work(exclusive=True, group="write", exit_on_error=False)
    async def _forward(self, claim_ids: list[int]) -> None:
        from clerk_tui.services.letters import forward_and_print

        self.busy = True
        self.refresh_bindings()
        self._say("回付して送付一覧を作成しています。")
        try:
            result = await asyncio.to_thread(forward_and_print, self.app.ctx, claim_ids)
        except DomainError as exc:
            self._say(exc.message + "回付していません。", error=True)
        else:
            self.marked -= set(claim_ids)
            self._show_result(result)
        finally:
            self.busy = False
        self._load()
