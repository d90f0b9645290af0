"""The audit trail per clerk (F10): who did what and when, newest first, with a check of the
hash chain. A member's own trail is the detail screen's 履歴 tab."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from clerk_tui.services import audit
from clerk_tui.ui.text import audit_action, code_label, data_text
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.text_input import ClerkInput


class AuditScreen(ClerkScreen):
    LEAVE_FOR_NEW_SEARCH = True
    DEFAULT_CSS = """
    AuditScreen #audit-clerk, AuditScreen #audit-clerk:focus {
        margin: 0 1; border: none; height: 1; padding: 0 1; background: $boost;
    }
    AuditScreen #audit-clerk:focus { background: $primary-muted; }
    AuditScreen #audit-message { height: 1; padding: 0 1; }
    AuditScreen #audit-message.-error { color: $error; text-style: bold; }
    """
    BINDINGS = [
        Binding("escape", "back", "戻る", id="audit.back"),
        Binding("v", "verify", "改ざん検査", tooltip="監査ログの連鎖を検証する", id="audit.verify"),
    ]

    def compose_body(self) -> ComposeResult:
        ctx = self.app.ctx
        yield ClerkInput(value=ctx.clerk, placeholder="職員（OSユーザー名、空欄で全員）", id="audit-clerk")
        yield Static("", id="audit-message")
        yield FittedTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield ClerkFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self._load(self.app.ctx.clerk)

    @on(Input.Submitted, "#audit-clerk")
    def _clerk_chosen(self, event: Input.Submitted) -> None:
        self._load(event.value.strip())
        self.query_one(FittedTable).focus()

    @work(exclusive=True)
    async def _load(self, clerk: str) -> None:
        def read():
            entries = audit.entries(clerk=clerk or None)
            return entries, audit.member_codes(e.member_id for e in entries)

        rows, codes = await asyncio.to_thread(read)
        table = self.query_one(FittedTable)
        # The member by 記号番号, as clerks quote it, not by the database's internal id.
        table.fill(["日時", "職員", "種別", "操作", "記号番号"], [
            (Text(str(e.at).replace("T", " ")[:16]), data_text(e.clerk), Text(code_label(e.kind)),
             Text(audit_action(e.action)), Text(codes.get(e.member_id, "") if e.member_id else ""))
            for e in rows], flex=3, keys=[f"{e.id}:{e.member_id or ''}" for e in rows])
        who = f"{clerk} さん" if clerk else "全職員"
        self._message(f"{who}の操作 {len(rows)}件（新しい順、最大200件）。Enter で加入員を開く")

    def _message(self, text: str, error: bool = False) -> None:
        message = self.query_one("#audit-message", Static)
        message.set_class(error, "-error")
        message.update(Text(text))

    @on(DataTable.RowSelected, "#audit-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        member = (event.row_key.value or "").split(":")[1]
        if member:
            self.app.open_member(int(member))

    @work(exclusive=True, group="verify")
    async def action_verify(self) -> None:
        self._message("監査ログを検証しています...")
        ctx = self.app.ctx
        result = await asyncio.to_thread(audit.verify, [ctx.config.audit_anchor_file], db=ctx.db)
        if result.ok:
            anchored = f"、照合点 {result.anchors}件と一致" if result.anchors else ""
            self._message(f"監査ログは正常です（{result.checked}件を検証{anchored}）。")
        else:
            more = f"（ほか{len(result.problems) - 1}件）" if len(result.problems) > 1 else ""
            self._message(f"監査ログに異常があります: {result.problem}{more}", error=True)

    def action_back(self) -> None:
        self.app.pop_screen()
