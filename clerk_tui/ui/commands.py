"""The command palette (Ctrl+P) lists the actions of the screen it was opened on, taken from
the screen's key bindings: a new clerk action needs only its binding to appear here too."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

_SKIP = {"command_palette"}


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
