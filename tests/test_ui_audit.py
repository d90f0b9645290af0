"""The per-clerk audit view: entries of the clerk, other clerks on request, the chain check."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input

from clerk_tui.domain.codes import AuditKind
from clerk_tui.services import audit
from clerk_tui.ui.app import ClerkApp
from clerk_tui.ui.screens.audit import AuditScreen
from tests.factories import make_employer, make_member


async def test_audit_view_per_clerk_and_chain_check(ctx):
    m = make_member(ctx, make_employer(ctx))
    other = replace(ctx, clerk="suzuki")
    other.write(lambda: audit.record(other, AuditKind.VIEW, "member.view", table="member", record_id=m.id,
                                     member_id=m.id))
    app = ClerkApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f10")
        await pilot.pause(0.3)
        assert isinstance(app.screen, AuditScreen)
        table = app.screen.query_one("#audit-table")
        assert table.row_count == ctx.db.execute_sql(
            "select count(*) from audit_entry where clerk='tester'").fetchone()[0]
        clerk_input = app.screen.query_one("#audit-clerk", Input)
        clerk_input.value = "suzuki"
        clerk_input.focus()
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert table.row_count == 1
        assert "加入員を表示" in table.get_row_at(0)[3].plain
        await pilot.press("v")
        await pilot.pause(0.3)
        assert "正常" in str(app.screen.query_one("#audit-message").render())
        await pilot.press("enter")  # opens the member the entry is about
        await pilot.pause(0.5)
        assert type(app.screen).__name__ == "MemberDetailScreen"
