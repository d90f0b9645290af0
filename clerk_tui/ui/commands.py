"""The command palette (Ctrl+P) lists the actions of the screen it was opened on, taken from
the screen's key bindings: a new clerk action needs only its binding to appear here too."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.widgets.option_list import Option

_SKIP = {"command_palette"}

PLACEHOLDER = "コマンドを検索（例: キー一覧）"
NO_MATCHES = "該当するコマンドはありません"


class ScreenCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.app
        commands: list[tuple[str, Callable[[], object], str]] = []
        seen: set[str] = set()
        # Shown bindings first, so that a command names the key the footer shows (Enter, not Down).
        actives = sorted(self.screen.active_bindings.values(), key=lambda a: not a.binding.show)
        for active in actives:
            binding = active.binding
            if not binding.id or not binding.description or not active.enabled:
                continue
            # Two keys for one thing (Enter and Down both "結果へ") are one command.
            if binding.action in _SKIP or binding.description in seen:
                continue
            seen.add(binding.description)
            keys = app.get_key_display(binding)  # type: ignore[arg-type]
            run = partial(app.run_action, binding.action, active.node)
            # The tooltip, where there is one, is the longer wording the footer has no room for.
            commands.append((binding.tooltip or binding.description, run, keys))
        return commands

    # The key goes on the command's own line (dim), not on a help line under it: at 80×24 the
    # list then shows twice as many commands.
    async def discover(self) -> Hits:
        for name, run, keys in self._commands():
            yield DiscoveryHit(Content.assemble(name, ("  " + keys, "dim")), run, text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, run, keys in self._commands():
            score = matcher.match(name)
            if score > 0:
                shown = Content.assemble(matcher.highlight(name), ("  " + keys, "dim"))
                yield Hit(score, shown, run, text=name)


class ClerkCommandPalette(CommandPalette):
    """Textual's palette with its own words in Japanese: the placeholder, and the line shown when
    nothing matches (Textual draws a fixed "No matches found")."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("placeholder", PLACEHOLDER)
        super().__init__(**kwargs)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual 8.2's method with the message in Japanese; the rest is as Textual does it.
        self._stop_no_matches_countdown()

        def _show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(Align.center(Text(NO_MATCHES, style="not bold")), disabled=True,
                           id=self._NO_MATCHES))
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, _show_no_matches)
