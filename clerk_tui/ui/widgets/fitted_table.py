"""A read-only DataTable that fits the screen's width: one column takes what the others leave
(its cells cut with an ASCII mark) and optional columns are left out when there is no room."""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from clerk_tui.ui.text import fit

FLEX_MIN = 8


class FittedTable(DataTable):
    DEFAULT_CSS = "FittedTable { height: 1fr; scrollbar-size-vertical: 1; }"

    def fill(self, columns: Sequence[str], rows: Sequence[Sequence[Text]], *, flex: int,
             optional: Sequence[int] = (), caps: dict[int, int] | None = None,
             keys: Sequence[str] | None = None) -> None:
        """Show `rows` under `columns`. Column `flex` is narrowed to fit; the `optional` columns
        (in the order given) are dropped while even the narrowed table would be too wide;
        `caps` limits other columns (free text such as an institution's name) to a width."""
        self.clear(columns=True)
        caps = caps or {}
        # One cell of padding either side of each column, one for the vertical scrollbar.
        room = max(self.app.size.width, 40) - 1
        natural = [max([cell_len(label), *(cell_len(r[i].plain) for r in rows)])
                   for i, label in enumerate(columns)]
        natural = [min(w, caps[i]) if i in caps else w for i, w in enumerate(natural)]
        shown = list(range(len(columns)))

        def need() -> int:
            return sum(natural[i] + 2 for i in shown if i != flex) + 2 + min(natural[flex], FLEX_MIN)

        for i in optional:
            if need() <= room:
                break
            shown.remove(i)
        others = need() - min(natural[flex], FLEX_MIN)  # everything but the flex column's text
        flex_width = min(natural[flex], max(room - others, FLEX_MIN))
        for i in shown:
            self.add_column(Text(columns[i]), width=flex_width if i == flex else natural[i])
        widths = {i: flex_width if i == flex else natural[i] for i in shown}
        for n, row in enumerate(rows):
            cells = [fit(row[i], widths[i]) if i == flex or i in caps else row[i] for i in shown]
            self.add_row(*cells, key=keys[n] if keys else None)
