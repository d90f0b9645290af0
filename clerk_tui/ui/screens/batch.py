"""The batch issue of 資格確認書 through employers (事業所経由): how many members need one, then one
run with a progress bar, and the files written. An interrupted run is resumed by running again."""

from __future__ import annotations

import asyncio

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.renderables.bar import Bar as BarRenderable
from textual.widgets import Input, Label, ProgressBar, Static

from clerk_tui.domain.errors import DomainError
from clerk_tui.services.batch import BatchReport, CertificateNeed, batch_certificates, certificate_need
from clerk_tui.ui.text import data_text, worker_failed
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.ja_text import JaText
from clerk_tui.ui.widgets.text_input import ClerkInput

# Skipped members listed on screen; the rest are counted (the CLI lists them all).
SKIPPED_SHOWN = 20

TITLE = "資格確認書の一括交付（事業所経由）"
HINT = ("資格確認書が必要で、まだ持っていない方と、交付待ちの書類（お知らせ・資格確認書）を交付し、"
        "事業所ごとに送付書付きのPDFを作ります（500件を超える事業所は分冊）。"
        "事業所コードを空欄にすると全事業所。中断しても、もう一度実行すると続きから交付します。")
COUNTING = "対象者を数えています..."
RUNNING = "交付しています..."
RUNNING_ESC = "一括交付の実行中です。終わるまでお待ちください（中断しても次回の実行で続きから交付されます）。"


class AsciiBar(BarRenderable):
    """The bar drawn with # and - : Textual's ━ ╸ are East-Asian ambiguous."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = self.width or options.max_width
        start, end = self.highlight_range
        first = max(0, min(width, int(round(start))))
        last = max(first, min(width, int(round(end))))
        bar = Text(end="")
        bar.append("-" * first, style=console.get_style(self.background_style))
        bar.append("#" * (last - first), style=console.get_style(self.highlight_style))
        bar.append("-" * (width - last), style=console.get_style(self.background_style))
        yield bar


class AsciiProgressBar(ProgressBar):
    BAR_RENDERABLE = AsciiBar


class BatchScreen(ClerkScreen):
    BINDINGS = [
        Binding("escape", "back", "戻る", id="batch.back"),
        Binding("ctrl+s", "start", "開始", tooltip="一括交付を開始する", id="batch.start"),
    ]
    DEFAULT_CSS = """
    BatchScreen #batch-title { height: 1; padding: 0 1; text-style: bold; }
    BatchScreen #batch-hint { padding: 0 1; color: $text-muted; }
    BatchScreen #employer-row { height: 1; margin-top: 1; }
    BatchScreen #employer-label { width: auto; padding: 0 1; text-style: bold; }
    BatchScreen #employer { border: none; height: 1; padding: 0 1; width: 1fr; background: $boost; }
    BatchScreen #employer:focus { background: $primary-muted; }
    BatchScreen #batch-need { padding: 0 1; margin-top: 1; }
    BatchScreen #batch-need.-error { color: $text-error; text-style: bold; }
    BatchScreen #progress-row { height: 1; margin-top: 1; padding: 0 1; }
    BatchScreen #progress-row.-idle { display: none; }
    BatchScreen #progress { width: auto; }
    BatchScreen #progress-label { width: 1fr; padding: 0 1; }
    BatchScreen #batch-result { height: 1fr; margin-top: 1; scrollbar-size-vertical: 1; }
    BatchScreen #batch-report { padding: 0 1; }
    BatchScreen #batch-report.-error { color: $text-error; text-style: bold; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.need: CertificateNeed | None = None
        self.report: BatchReport | None = None
        self.running = False
        # After a run, Ctrl+S waits for the clerk to name an employer again: a second press
        # would only run the same batch once more (harmless, but a confusing report).
        self.ran = False
        self._seq = 0  # bumped on every change of the code; a count for an older number is stale

    def compose_body(self) -> ComposeResult:
        yield Static(Text(TITLE), id="batch-title")
        yield JaText(Text(HINT), id="batch-hint")
        with Horizontal(id="employer-row"):
            yield Label("事業所コード", id="employer-label")
            yield ClerkInput(id="employer", placeholder="空欄 = 全事業所", select_on_focus=False)
        yield JaText(Text(COUNTING), id="batch-need")
        with Horizontal(id="progress-row", classes="-idle"):
            yield AsciiProgressBar(id="progress", show_eta=False)
            yield Static(id="progress-label")
        with VerticalScroll(id="batch-result"):
            yield JaText(id="batch-report")
        yield ClerkFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#employer", Input).focus()
        self._count(self._seq)

    # ------------------------------------------------------------------ counting

    def _code(self) -> str | None:
        return self.query_one("#employer", Input).value.strip() or None

    @on(Input.Changed, "#employer")
    def _employer_changed(self) -> None:
        self.ran = False
        self.need = None  # the count shown no longer matches the code: Ctrl+S waits for it
        self.refresh_bindings()
        self._seq += 1
        self._count(self._seq)

    @on(Input.Submitted, "#employer")
    def _employer_submitted(self) -> None:
        # Every change is counted already; Enter counts again only a code whose count is not
        # coming (it failed).
        counting = any(w.node is self and w.group == "count" and not w.is_finished for w in self.workers)
        if self.need is None and not counting:
            self._count(self._seq)

    @work(exclusive=True, group="count", exit_on_error=False)
    async def _count(self, seq: int) -> None:
        # Every change of the code is counted at once, without waiting for the typing to stop: a
        # partly typed or unknown code is refused by one lookup, and an employer's count reads its
        # members (4 ms at 10,000 members, 28 ms at most), so counts never queue up behind the
        # keys. The count of all employers (the field emptied) is the slow one, 0.27 s at 10,000
        # members; it starts only once the last character is deleted, and the code typed next is
        # refused or counted in milliseconds, so at most that one count goes on, unseen, in its
        # thread. exclusive=True cancels this worker on the next change; the number checks drop
        # a count that finishes anyway.
        need_text = self.query_one("#batch-need", JaText)
        need_text.remove_class("-error")
        need_text.set_text(Text(COUNTING))
        await asyncio.sleep(0)  # let the keys already received arrive first (an IME commit, a paste)
        if seq != self._seq:
            return  # a later change came meanwhile: its own count follows
        code = self._code()
        try:
            need = await asyncio.to_thread(certificate_need, self.app.ctx, code)
        except DomainError as exc:
            if seq == self._seq:
                need_text.add_class("-error")
                need_text.set_text(Text(exc.message))
            return
        if seq != self._seq:
            return
        self.need = need
        self.refresh_bindings()
        need_text.set_text(self._need_text(need))

    @staticmethod
    def _need_text(need: CertificateNeed) -> Text:
        """The count before a run (and what is left after it)."""
        text = Text()
        if need.employer_code is None:
            text.append(f"全事業所（{need.employers}事業所）: ")
        else:
            text.append_text(data_text(need.employer_code))
            text.append(" ")
            text.append_text(data_text(need.employer_name))
            text.append(": ")
        if need.requests:
            text.append(f"交付する書類 {need.count}件", style="bold")
            text.append(f"（うち交付待ち {need.requests}件）")
        else:
            text.append(f"交付が必要な方 {need.count}人", style="bold")
        if not need.count:
            text.append("（交付する方はいません）", style="dim")
        return text

    # ------------------------------------------------------------------ running

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "start" and not self._can_start():
            return None  # shown dimmed
        return True

    def _can_start(self) -> bool:
        return self.need is not None and not self.running and not self.ran

    def action_start(self) -> None:
        if not self._can_start():
            return
        assert self.need is not None
        self.running = True  # before the worker starts: a second Ctrl+S finds it running
        self.refresh_bindings()
        self.query_one("#employer", Input).disabled = True
        self.query_one("#progress-row").remove_class("-idle")
        self.query_one("#progress", AsciiProgressBar).update(total=max(self.need.count, 1), progress=0)
        self.query_one("#progress-label", Static).update(Text(RUNNING))
        report = self.query_one("#batch-report", JaText)
        report.remove_class("-error")
        report.set_text(Text(""))
        self._run(self.need.employer_code)

    def _progress(self, done: int, total: int, employer_name: str) -> None:
        if not self.is_attached:
            return  # the screen was left ("/" to the search): the run goes on without it
        self.query_one("#progress", AsciiProgressBar).update(total=max(total, 1), progress=done - 1)
        label = Text(f"{done}/{total}  ")
        label.append_text(data_text(employer_name))
        self.query_one("#progress-label", Static).update(label)

    @work(exclusive=True, group="batch", exit_on_error=False)
    async def _run(self, employer_code: str | None) -> None:
        app = self.app

        def progress(done: int, total: int, employer_name: str) -> None:
            # Called in the worker thread: the widgets are updated in the event loop.
            app.call_from_thread(self._progress, done, total, employer_name)

        try:
            report = await asyncio.to_thread(batch_certificates, app.ctx, employer_code=employer_code,
                                             progress=progress)
        except DomainError as exc:
            self._finish(Text(exc.message), error=True)
            return
        except Exception as exc:
            self._finish(Text(worker_failed(exc)), error=True)
            raise  # the screen's worker handler notifies and logs it
        bar = self.query_one("#progress", AsciiProgressBar)
        bar.update(progress=bar.total)
        self.report = report
        self._finish(self._report_text(report))

    def _finish(self, text: Text, *, error: bool = False) -> None:
        self.running = False
        self.ran = not error
        self.refresh_bindings()
        employer = self.query_one("#employer", Input)
        employer.disabled = False
        employer.focus()
        report = self.query_one("#batch-report", JaText)
        report.set_class(error, "-error")
        report.set_text(text)
        self.query_one("#progress-label", Static).update(Text("中断しました" if error else "完了"))
        # Counted again: what is left to issue after this run (normally nobody).
        self._seq += 1
        self._count(self._seq)

    @staticmethod
    def _report_text(report: BatchReport) -> Text:
        text = Text()
        text.append(f"交付 {report.issued}件", style="bold")
        if report.requests:
            text.append(f"（うち交付待ち {report.requests}件）")
        if report.already:
            text.append(f"  前回の中断までに交付済み {report.already}件")
        text.append(f"  事業所 {report.employers}件")
        if report.skipped:
            text.append(f"  交付しなかった方 {len(report.skipped)}件", style="bold")
        if report.files:
            text.append("\n作成したファイル:")
            for path in report.files:
                text.append("\n")
                text.append_text(data_text(str(path)))
        else:
            text.append("\n作成したファイルはありません。")
        for code, reason in report.skipped[:SKIPPED_SHOWN]:
            text.append("\n交付しなかった: ")
            text.append_text(data_text(code))
            text.append(" ")
            text.append_text(data_text(reason))
        if len(report.skipped) > SKIPPED_SHOWN:
            text.append(f"\nほか {len(report.skipped) - SKIPPED_SHOWN}件（clerk-tui batch certificates で一覧できます）")
        return text

    # ------------------------------------------------------------------ leaving

    def action_back(self) -> None:
        if self.running:
            # Leaving would hide the result of a run that goes on in its thread.
            self.app.notify(RUNNING_ESC, timeout=5, markup=False)
            return
        self.dismiss()
