"""The key line at the bottom of a screen: Textual's Footer, rebuilt only when the keys it shows
have changed.

Textual's Footer removes and mounts all its keys again each time the screen's bindings are
refreshed (the focus moves, the screen is shown, a binding's check changes), even when it would
draw the same keys. At start that happens three times in a row before the keys are first drawn,
and with the search screen's six keys each rebuild costs 10–25 ms (traced in tmux, see
scripts/bench_app.py): the key line appeared about 85 ms after the rest of the screen."""

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

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        keys = self._keys_shown()
        if keys == self._composed and self.children:
            return  # the same keys are on the screen already
        self._composed = keys
        await super().recompose()
