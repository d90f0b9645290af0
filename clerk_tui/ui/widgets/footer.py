"""The key line at the bottom of a screen: Textual's Footer, drawn with the screen's first frame
and rebuilt only when the keys it shows have changed.

Textual's Footer composes its keys only a refresh after the screen's bindings are first known,
so they appear in a later frame than the rest of the screen; and it removes and mounts all its
keys again each time the bindings are refreshed (the focus moves, the screen is shown, a
binding's check changes), even when it would draw the same keys. At start that made three
rebuilds in a row, 10-25 ms each with the search screen's six keys, and the key line reached the
terminal about 85 ms after the table (traced in tmux; scripts/bench_app.py times the start)."""

from __future__ import annotations

from textual.widgets import Footer


class ClerkFooter(Footer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._composed: tuple | None = None

    def _keys_shown(self) -> tuple:
        """Everything `Footer.compose` reads to lay out the keys (every active binding, shown or
        not: the palette's key is one of those not shown)."""
        app = self.app
        return (
            self._bindings_ready, self.compact, self.show_command_palette, app.ENABLE_COMMAND_PALETTE,
            tuple((binding, enabled, tooltip, app.get_key_display(binding))
                  for _node, binding, enabled, tooltip in self.screen.active_bindings.values()),
        )

    def bindings_changed(self, screen) -> None:
        if self._composed is None and self.is_attached and screen is self.screen and screen.app.app_focus:
            # The first keys: composed now rather than after the next refresh, so that they are
            # drawn with the rest of the screen instead of in a later frame.
            self._bindings_ready = True
            self.call_next(self.recompose)
            return
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys_shown()
        if keys == self._composed and self.children:
            return  # the same keys are on the screen already
        self._composed = keys
        await super().recompose()
