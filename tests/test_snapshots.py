"""SVG snapshots at 80×24 of the search (empty, results, no match, invalid input) and of a member
with warnings. Fixed date, clerk and data, cursor blink off: the same picture on every run."""

from __future__ import annotations

from textual.widgets import Input

from tests.test_ui_support import make_app, settle

SIZE = (80, 24)


def typing(text: str, *then: str):
    async def run_before(pilot) -> None:
        await pilot.pause()  # run_before may start before the first screen is composed
        pilot.app.screen.query_one(Input).cursor_blink = False
        await pilot.press(*text)
        await settle(pilot, 0.2)
        if then:
            await pilot.press(*then)
            await settle(pilot)

    return run_before


class TestSearch:
    def test_empty(self, snap_compare, tmp_path):
        app, _ = make_app(tmp_path)
        assert snap_compare(app, terminal_size=SIZE, run_before=typing(""))

    def test_results(self, snap_compare, tmp_path):
        # 山: the 山田 family and the withdrawn 山本 (marked 喪失).
        app, _ = make_app(tmp_path)
        assert snap_compare(app, terminal_size=SIZE, run_before=typing("山"))

    def test_former_name_hit(self, snap_compare, tmp_path):
        # ヤマ: 佐藤　三郎, once 山口, is found by that name and marked 旧氏名; the row detail under
        # the table shows the former name of the highlighted row.
        from tests.test_ui_search import add_former_name

        app, ids = make_app(tmp_path)
        add_former_name(app, ids["saburo"])
        assert snap_compare(app, terminal_size=SIZE, run_before=typing("ヤマ", "down", "down", "down", "down"))

    def test_no_match(self, snap_compare, tmp_path):
        app, _ = make_app(tmp_path)
        assert snap_compare(app, terminal_size=SIZE, run_before=typing("スズキ"))

    def test_invalid_input(self, snap_compare, tmp_path):
        app, _ = make_app(tmp_path)
        assert snap_compare(app, terminal_size=SIZE, run_before=typing("生:R7.13.45"))


class TestDetail:
    def test_with_warnings(self, snap_compare, tmp_path):
        app, _ = make_app(tmp_path)
        assert snap_compare(app, terminal_size=SIZE,
                            run_before=typing("1234-567-00", "enter", "enter"))
