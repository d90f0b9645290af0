"""Keys typed ahead arrive in order, each where the keys before it left the focus.

Textual hands a key to the widget focused at the moment the app reads it, before the keys read
earlier have been handled. A Tab moves the focus only when it is handled, so in a burst of keys
(a fast typist, a paste of several fields, or an SSH link that delivers what was typed during a
network pause all at once) the characters after a Tab land in the field being left, and a key
after a choice that shows more fields skips them. `TypeAhead` holds the keys of a burst back and
lets the next one go only once the one before it has been handled and the screen has settled;
keys typed at a human pace pass straight through."""

from __future__ import annotations

from collections import deque

from textual import events

# However a key's handling ends (its widget removed with its screen, say), the next key of a
# burst is let go after this long at the latest: held keys must never freeze the terminal.
_LONGEST_HOLD = 0.3


_RELEASED = -1  # a held key posted again, on its way: later keys still wait behind it


class TypeAhead:
    """Mixed into the App before `App`: serialises keys that arrive faster than they are handled.
    The App calls `_hold_key` first thing for every event, `_key_handed_on` after handing a key
    to its widget (whichever way it went), and `_key_reached_app` when a key bubbles back to it.

    A key's handling is over when the widget consumed it (it stopped the key: a character in a
    field) and the screen has settled, or, for a key no widget consumed (Tab, Enter, a function
    key), when it has come back up to the app and the app's own binding has run."""

    def _typeahead_init(self) -> None:
        self._held: deque[events.Key] = deque()
        self._key_count = 0
        self._key_in_hand: int | None = None  # the key being handled (its number), or None
        self._key_event: events.Key | None = None

    def _hold_key(self, event: events.Event) -> bool:
        """True when the key must wait for the ones before it (it is kept, in order)."""
        if not isinstance(event, events.Key) or event.is_forwarded or getattr(event, "_released", False):
            return False
        if self._key_in_hand is not None or self._held:
            self._held.append(event)
            return True
        return False

    def _key_handed_on(self, event: events.Key) -> None:
        self._key_count += 1
        number = self._key_in_hand = self._key_count
        self._key_event = event
        target = self.focused or self.screen  # behind the key in that widget's queue
        if not target.call_after_refresh(self.call_after_refresh, self._release_if_consumed, number):
            self.call_after_refresh(self._release, number)
        self.set_timer(_LONGEST_HOLD, lambda: self._release(number))

    def _key_reached_app(self, event: events.Key) -> None:
        if event is self._key_event and self._key_in_hand is not None:
            self.call_after_refresh(self._release, self._key_in_hand)

    def _release_if_consumed(self, number: int) -> None:
        event = self._key_event
        if event is not None and event._stop_propagation:  # a widget took it: nothing bubbles on
            self._release(number)

    def _release(self, number: int) -> None:
        if number != self._key_in_hand:
            return  # already released (the first of the ways above to come did it)
        self._key_event = None
        if self._held:
            key = self._held.popleft()
            key._released = True  # type: ignore[attr-defined]
            self._key_in_hand = _RELEASED
            self.post_message(key)
        else:
            self._key_in_hand = None
