"""Checking a facility code from a 資格情報のお知らせ (scanned or typed, Enter): whether it is ours and
whether the member is qualified today, as one word the clerk reads at a glance."""

from __future__ import annotations

import asyncio

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from clerk_tui.domain.errors import DomainError
from clerk_tui.services.issuance import CodeCheck, verify_facility_code
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.text import data_text
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.text_input import ClerkInput

# CodeCheck.status -> the word shown, and the colour class (the word alone says it in 8 colours).
VERDICTS = {
    "valid": ("有効", "-valid"),
    "not_qualified": ("資格なし", "-bad"),
    "superseded": ("差替済", "-warn"),
    "unknown": ("記録なし", "-warn"),
    "forged": ("偽造・読取誤り", "-bad"),
}
TITLE = "施設確認コードの照合"
HINT = "お知らせのQRコードを読み取るか、コード（TJKF1-で始まる）を入力して Enter。"
EMPTY = "コードを入力してください。"
CHECKING = "照合しています..."


class VerifyCodeScreen(ClerkScreen):
    BINDINGS = [
        Binding("escape", "back", "戻る", id="verify.back"),
    ]
    DEFAULT_CSS = """
    VerifyCodeScreen #verify-title { height: 1; padding: 0 1; text-style: bold; }
    VerifyCodeScreen #verify-hint { padding: 0 1; color: $text-muted; }
    VerifyCodeScreen #code-row { height: 1; margin-top: 1; }
    VerifyCodeScreen #code-label { width: auto; padding: 0 1; text-style: bold; }
    VerifyCodeScreen #code { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    VerifyCodeScreen #code:focus { background: $primary-muted; }
    VerifyCodeScreen #verdict-row { height: auto; margin-top: 1; padding-left: 1; }
    VerifyCodeScreen #verdict { width: auto; padding: 0 1; margin-right: 1; text-style: bold reverse; }
    VerifyCodeScreen #verdict.-valid { color: $text-success; }
    VerifyCodeScreen #verdict.-bad { color: $text-error; }
    VerifyCodeScreen #verdict.-warn { color: $text-warning; }
    VerifyCodeScreen #verdict.-none { display: none; }
    VerifyCodeScreen #verify-text { width: 1fr; padding: 0 1 0 0; }
    VerifyCodeScreen #verify-text.-error { color: $text-error; text-style: bold; }
    VerifyCodeScreen #verified-code { padding: 0 1; color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.result: CodeCheck | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(Text(TITLE), id="verify-title")
        yield JaText(Text(HINT), id="verify-hint")
        with Horizontal(id="code-row"):
            yield Label("コード", id="code-label")
            yield ClerkInput(id="code", placeholder="TJKF1-", select_on_focus=False)
        with Horizontal(id="verdict-row"):
            yield Static(id="verdict", classes="-none")
            yield JaText(id="verify-text")
        yield Static(id="verified-code")
        yield ClerkFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Input.Submitted, "#code")
    def _submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip()
        if not code:
            self._show(None, Text(EMPTY), error=True)
            return
        # Cleared at once: a scanner types the next code followed by Enter.
        event.input.value = ""
        self._show(None, Text(CHECKING))
        self.query_one("#verified-code", Static).update(Text.assemble(("照合したコード: ", "dim"), data_text(code)))
        self._verify(code)

    @work(exclusive=True, group="verify", exit_on_error=False)
    async def _verify(self, code: str) -> None:
        try:
            result = await asyncio.to_thread(verify_facility_code, self.app.ctx, code)
        except DomainError as exc:  # not a facility code at all
            self._show(None, Text(exc.message), error=True)
            return
        except Exception:
            self._show(None, Text(""))
            raise  # the screen's worker handler tells the clerk
        self._show(result, data_text(result.text))

    def _show(self, result: CodeCheck | None, text: Text, *, error: bool = False) -> None:
        self.result = result
        verdict = self.query_one("#verdict", Static)
        verdict.remove_class("-valid", "-bad", "-warn", "-none")
        if result is None:
            verdict.add_class("-none")
        else:
            word, css = VERDICTS.get(result.status, (result.status, "-warn"))
            verdict.update(Text(word))
            verdict.add_class(css)
        message = self.query_one("#verify-text", JaText)
        message.set_class(error, "-error")
        # The result names the member: stored data, shown literally and wrapped like prose.
        text.no_wrap = False
        message.set_text(text)

    def action_back(self) -> None:
        self.dismiss()
