"""The application: holds the service context and configuration, starts on the member search
screen, opens members, and turns errors into Japanese notifications."""

from __future__ import annotations

import logging
from pathlib import Path

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.scrollbar import ScrollBar, ScrollBarRender

from clerk_tui.config import Config
from clerk_tui.domain.errors import DomainError
from clerk_tui.services.context import Context
from clerk_tui.ui.text import NEW_SEARCH, worker_failed
from clerk_tui.ui.commands import ScreenCommands
from clerk_tui.ui.screens.help import HelpScreen, HelpSection
from clerk_tui.ui.screens.search import SearchScreen
from clerk_tui.ui.typeahead import TypeAhead
from clerk_tui.ui.widgets.too_small import TooSmallNotice, too_small

log = logging.getLogger(__name__)

# Textual's arrows and ⏎ are East-Asian ambiguous (two cells on some Japanese terminals).
KEY_NAMES = {
    "escape": "Esc", "enter": "Enter", "up": "Up", "down": "Down", "left": "Left",
    "right": "Right", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
    "tab": "Tab", "space": "Space", "backspace": "BS", "delete": "Del",
    "question_mark": "?", "slash": "/",
}


class AsciiScrollBarRender(ScrollBarRender):
    """Scrollbars drawn with spaces only: the default thumb ends (▁▂▃…) are ambiguous-width."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


class ClerkApp(TypeAhead, App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "clerk-tui"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {ScreenCommands}
    BINDINGS = [
        Binding("f1,question_mark", "help", "キー一覧", id="app.help"),
        # Shown in the footer by the search and the member screens (the lists have no room).
        Binding("f2", "new_search", "新規検索", tooltip=NEW_SEARCH, show=False, id="app.new_search"),
        Binding("slash", "go_search", "検索へ", tooltip="検索に戻る", show=False, id="app.go_search"),
        Binding("ctrl+p", "command_palette", "コマンド", show=False, priority=True,
                id="app.command_palette"),
        # Lists and tools reached from anywhere; F1 and the palette list them (no footer room).
        Binding("f3", "open_tool('enrol')", "資格取得", tooltip="資格取得届の受付",
                show=False, id="app.enrol"),
        Binding("f4", "open_tool('issue_queue')", "交付待ち", tooltip="交付待ちの一覧（事業所経由）", show=False,
                id="app.issue_queue"),
        Binding("f5", "open_tool('verify_code')", "施設コード照合", show=False, id="app.verify_code"),
        Binding("f6", "open_tool('batch')", "一括交付", show=False, id="app.batch"),
        Binding("f7", "open_tool('applications')", "解除申請一覧", show=False, id="app.applications"),
        Binding("f8", "open_tool('outstanding')", "未回収一覧", show=False, id="app.outstanding"),
        Binding("f9", "open_tool('claims')", "立替払一覧", show=False, id="app.claims"),
        Binding("f10", "open_tool('audit')", "監査ログ", show=False, id="app.audit"),
        # Not in the footer (no room at 80 columns); F1 and the palette list it.
        Binding("ctrl+q", "quit", "終了", show=False, priority=True, id="app.quit"),
    ]

    # tool name -> (module under clerk_tui.ui.screens, screen class); imported on first use.
    TOOLS = {
        "enrol": ("enrol", "EnrolScreen"),
        "issue_queue": ("issue_queue", "IssueQueueScreen"),
        "verify_code": ("verify_code", "VerifyCodeScreen"),
        "batch": ("batch", "BatchScreen"),
        "applications": ("applications", "ApplicationsScreen"),
        "outstanding": ("outstanding", "OutstandingScreen"),
        "claims": ("claims", "ClaimsScreen"),
        "audit": ("audit", "AuditScreen"),
    }

    WARM_UP_AFTER = 0.5  # seconds

    def __init__(self, ctx: Context, *, config: Config | None = None, db_path: Path | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.config = config or Config()
        self.db_path = Path(db_path or self.config.db)
        ScrollBar.renderer = AsciiScrollBarRender
        self._typeahead_init()

    def get_default_screen(self) -> Screen:
        return SearchScreen()

    def on_mount(self) -> None:
        # A screen pushed while the terminal is too small gets the notice too.
        self.screen_change_signal.subscribe(self, lambda _screen: self.call_after_refresh(self._check_size))
        self._check_size()
        # A moment after the search screen is drawn (not competing with start-up, however
        # slow that is on a busy server), load in the background what the first member
        # detail would otherwise make the clerk wait for.
        self.call_after_refresh(self.set_timer, self.WARM_UP_AFTER, self._warm_up)

    def _warm_up(self) -> None:
        from clerk_tui.services.members import warm_up

        self.run_worker(lambda: warm_up(self.ctx), thread=True, group="warm-up", exit_on_error=False)

    # ------------------------------------------------------------------ terminal size

    def on_resize(self, event: events.Resize) -> None:
        # Called before Textual's own handler has recorded the new size: use the event's.
        self._check_size(event.size)

    def _check_size(self, size: Size | None = None) -> None:
        """Below 80×24 the screens would be cut: cover the top screen with the notice (and keep
        the keys from it) until the terminal is large enough again."""
        width, height = size or self.size
        small = too_small(width, height)
        shown = False
        for screen in self.screen_stack:
            for notice in list(screen.query(TooSmallNotice)):
                if small and screen is self.screen:
                    notice.show_size(width, height)
                    shown = True
                else:
                    notice.remove()
        if small and not shown:
            self.screen.mount(TooSmallNotice(width, height))
        self.refresh_bindings()

    def is_too_small(self) -> bool:
        return too_small(*self.size)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste, events.MouseEvent)) and not event.is_forwarded \
                and self.is_too_small():
            # Nothing reaches a screen the clerk cannot see whole; Ctrl+Q still quits.
            if isinstance(event, events.Key) and event.key == "ctrl+q":
                await super().on_event(event)
            return
        if self._hold_key(event):
            return  # typed ahead: it goes once the keys before it have been handled
        typed = isinstance(event, events.Key) and not event.is_forwarded  # handing it on marks it forwarded
        # Textual hands each key and paste to the widget focused at that moment. A widget that
        # passes typing on elsewhere (the search results give it to the query) must move the
        # focus here, while the events are still in the terminal's order: doing it in the
        # widget's own handler would leave the keys already queued behind it on the old widget.
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            redirect = getattr(self.focused, "redirect_typing", None)
            if redirect is not None:
                redirect(event)
        try:
            await super().on_event(event)
        finally:
            if typed:
                self._key_handed_on(event)

    def _on_key(self, event: events.Key) -> None:
        # A key no widget took has come back up; Textual runs App._on_key (the app's bindings:
        # Tab, F-keys …) after this handler, and the release waits for the refresh after it.
        self._key_reached_app(event)

    async def _on_input_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste, events.MouseEvent)) and not event.is_forwarded \
                and self.is_too_small():
            # Nothing reaches a screen the clerk cannot see whole; Ctrl+Q still quits.
            if isinstance(event, events.Key) and event.key == "ctrl+q":
                await super().on_event(event)
            return
        # Textual hands each key and paste to the widget focused at that moment. A widget that
        # passes typing on elsewhere (the search results give it to the query) must move the
        # focus here, while the events are still in the terminal's order: doing it in the
        # widget's own handler would leave the keys already queued behind it on the old widget.
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            redirect = getattr(self.focused, "redirect_typing", None)
            if redirect is not None:
                redirect(event)
        await super().on_event(event)

    # ------------------------------------------------------------------ navigation

    def open_member(self, member_id: int) -> None:
        # Imported on first use: the detail screen is not needed to reach a usable search.
        from clerk_tui.ui.screens.member_detail import MemberDetailScreen

        self.push_screen(MemberDetailScreen(member_id))

    def action_open_tool(self, name: str) -> None:
        import importlib

        module, cls = self.TOOLS[name]
        screen_cls = getattr(importlib.import_module(f"clerk_tui.ui.screens.{module}"), cls)
        if not isinstance(self.screen, screen_cls):
            self.push_screen(screen_cls())

    def action_go_search(self) -> None:
        while len(self.screen_stack) > 1 and not isinstance(self.screen, SearchScreen):
            self.pop_screen()
        if isinstance(self.screen, SearchScreen):
            self.screen.action_focus_query()

    def _can_start_new_search(self) -> bool:
        """Every screen above the search (and the search itself) can be left without losing
        anything: no dialog is open (the key list and the palette hold nothing)."""
        from textual.command import CommandPalette

        for screen in reversed(self.screen_stack):
            if isinstance(screen, (HelpScreen, CommandPalette)):
                continue
            if screen.is_modal or not getattr(screen, "LEAVE_FOR_NEW_SEARCH", False):
                return False
            if isinstance(screen, SearchScreen):
                return True
        return False

    def action_new_search(self) -> None:
        if not self._can_start_new_search():
            return
        while not isinstance(self.screen, SearchScreen):
            self.pop_screen()
        self.screen.start_new_search()

    def working_screen(self) -> Screen:
        """The screen the clerk works on, under any help, palette or other modal screen."""
        for screen in reversed(self.screen_stack):
            if not screen.is_modal:
                return screen
        return self.screen

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.is_too_small() and action != "quit":
            return False  # the notice covers the screen: nothing opens over it
        if action == "go_search" and isinstance(self.working_screen(), SearchScreen):
            return False  # already there: keep "/" out of the footer and the palette
        if action == "new_search" and not self._can_start_new_search():
            return False  # a form or a dialog is open: what was typed there would be lost
        return True

    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from clerk_tui.ui.commands import ClerkCommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(ClerkCommandPalette(id="--command-palette"))

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit (it copies in a field): say how to quit, in Japanese (Textual's
        own reminder is in English)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(f"終了するには {self.key_name(key)} を押してください。", title="終了しますか？",
                            markup=False)
                return

    # ------------------------------------------------------------------ keys and help

    def get_key_display(self, binding: Binding) -> str:
        return binding.key_display or self.key_name(binding.key)

    @staticmethod
    def key_name(key: str) -> str:
        """ASCII names: ctrl+q → Ctrl+Q, escape → Esc, question_mark → ?."""
        *modifiers, name = key.split("+")
        name = KEY_NAMES.get(name) or (name.upper() if len(name) > 1 or modifiers else name)
        return "+".join([m.capitalize() for m in modifiers] + [name])

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.help_sections(self.screen)))

    def help_sections(self, screen: Screen) -> list[HelpSection]:
        """Every key of `screen` with an id, grouped by where it applies (widget, screen, app)."""
        nodes = [*screen.query("*"), screen, self]
        sections: list[HelpSection] = []
        seen: set[str] = set()
        for node in nodes:
            keys: dict[str, tuple[list[str], str]] = {}
            # _bindings: the node's bindings merged with its classes' and any keymap applied.
            for _key, binding in node._bindings:
                if not binding.id or not binding.description or binding.id in seen:
                    continue
                if node is self and self.check_action(binding.action, ()) is False:
                    continue
                # The help names each key itself (1, 2 … not the footer's "1-5") and uses the
                # longer wording of the tooltip where there is one.
                entry = keys.setdefault(binding.id, ([], binding.tooltip or binding.description))
                display = self.key_name(binding.key)
                if display not in entry[0]:
                    entry[0].append(display)
            if not keys:
                continue
            seen.update(keys)
            if node is self:
                title = "全画面共通"
            elif node is screen:
                title = "この画面"
            else:
                title = getattr(node, "BINDING_GROUP_TITLE", None) or "この画面"
            sections.append((title, [(" / ".join(k), d) for k, d in keys.values()]))
        return sections

    # ------------------------------------------------------------------ errors

    def report_error(self, exc: BaseException) -> None:
        """A failure the clerk must hear about, in Japanese; details go to the log only."""
        if isinstance(exc, DomainError):
            message = exc.message
        else:
            log.error("worker failed", exc_info=exc)
            message = worker_failed(exc)
        # markup=False: the message may quote what the clerk typed or a stored name.
        self.notify(message, title="エラー", severity="error", timeout=10, markup=False)
