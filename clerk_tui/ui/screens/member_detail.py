"""One member with the whole family: warnings at the top, key data, then tabs of documents,
applications, claims and the audit history. Every clerk action on a member starts here."""

from __future__ import annotations

import asyncio
import re
from datetime import date

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, TabbedContent, TabPane

from clerk_tui.domain import rules
from clerk_tui.domain.rules import changes as change_rules
from clerk_tui.services.members import MemberDetail, open_member, reload_member
from clerk_tui.services.reimbursement import missing_papers
from clerk_tui.ui.text import (
    ACTIVE,
    CANNOT_OPEN,
    LOADING,
    LOST,
    NEW_SEARCH,
    audit_action,
    card_status_short,
    code_label,
    data_text,
    date_cell,
    member_kind,
    month_cell,
    standing_cell,
    status_cell,
    wareki,
    wareki_short,
    yen_cell,
)
from clerk_tui.ui.screens.base import ClerkScreen
from clerk_tui.ui.widgets.fitted_table import FittedTable
from clerk_tui.ui.widgets.footer import ClerkFooter
from clerk_tui.ui.widgets.member_header import MemberHeader
from clerk_tui.ui.widgets.warnings_panel import WarningsPanel

# (pane id, tab title); the number is the key that shows the tab.
TABS = [
    ("family", "家族"),
    ("documents", "交付書類"),
    ("applications", "申請・届出"),
    ("claims", "立替払"),
    ("history", "履歴"),
    ("changes", "変更"),  # 変更届 and 訂正 (the register's history); short: six tabs fit 80 columns
]


# From this width free text (institutions, missing papers) is shown whole.
WIDE_WIDTH = 120


class FamilyTable(FittedTable):
    BINDING_GROUP_TITLE = "家族の一覧"
    BINDINGS = [Binding("enter", "select_cursor", "開く", tooltip="家族のこの人を開く",
                        id="detail.open_family")]


PENDING_ISSUE = "交付待ち"


class MemberDetailScreen(ClerkScreen):
    LEAVE_FOR_NEW_SEARCH = True
    BINDINGS = [
        Binding("escape", "back", "戻る", id="detail.back"),
        # Clerk actions on this member: one binding and one screen each (ui/screens/<action>.py).
        Binding("i", "issue", "交付", tooltip="お知らせ・資格確認書の交付", id="detail.issue"),
        Binding("c", "cancellation", "解除", tooltip="利用登録解除申請を受け付ける", id="detail.cancellation"),
        Binding("l", "loss_report", "滅失届", tooltip="被保険者証滅失届を受け付ける", id="detail.loss_report"),
        Binding("f", "found", "発見", show=False, tooltip="滅失した書類の発見を記録", id="detail.found"),
        Binding("w", "withdraw", "喪失", tooltip="退職・扶養削除（資格喪失）", id="detail.withdraw"),
        Binding("t", "claim", "立替払", tooltip="立替払（療養費）の受付", id="detail.claim"),
        # Off the footer (no room at 80 columns beside the actions above); F1 lists them.
        Binding("e", "change", "変更", show=False, tooltip="変更届（氏名・住所・報酬など）",
                id="detail.change"),
        Binding("x", "correct", "訂正", show=False, tooltip="登録内容の訂正（要理由）",
                id="detail.correct"),
        Binding("a", "add_dependent", "扶養追加", show=False, tooltip="被扶養者を追加（扶養追加）",
                id="detail.add_dependent"),
        # The app's new-search key in the footer ("検索": no room for "新規検索" at 80 columns).
        Binding("f2", "app.new_search", "検索", tooltip=NEW_SEARCH, id="app.new_search"),
        Binding("r", "reload", "再読込", show=False, id="detail.reload"),
        # The tab labels carry their numbers ("1 家族"), so the footer leaves room for actions.
        Binding("1", "show_tab('family')", "タブ", key_display=f"1-{len(TABS)}", tooltip="家族タブ", show=False,
                id="detail.tab_family"),
        *(
            Binding(str(n), f"show_tab('{pane}')", f"{title}タブ", show=False, id=f"detail.tab_{pane}")
            for n, (pane, title) in enumerate(TABS[1:], start=2)
        ),
    ]

    def __init__(self, member_id: int) -> None:
        super().__init__()
        self.member_id = member_id
        self.detail: MemberDetail | None = None
        self._family_names: dict[int, str] = {}

    def compose_body(self) -> ComposeResult:
        yield WarningsPanel(id="warnings", classes="-empty")
        yield MemberHeader(Text(LOADING), id="member-header")
        with TabbedContent(id="tabs"):
            for n, (pane, title) in enumerate(TABS, start=1):
                with TabPane(f"{n} {title}", id=pane):
                    table_cls = FamilyTable if pane == "family" else FittedTable
                    yield table_cls(id=f"{pane}-table", cursor_type="row", zebra_stripes=True)
        yield ClerkFooter(show_command_palette=False)  # no room at 80: F1 lists Ctrl+P

    def on_mount(self) -> None:
        self._load()

    # ------------------------------------------------------------------ loading

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _load(self, again: bool = False) -> None:
        # Opening records the view in the audit trail; reloading the same view does not.
        read = reload_member if again else open_member
        try:
            detail = await asyncio.to_thread(read, self.app.ctx, self.member_id)
        except Exception:
            if self.detail is None:  # a failed reload keeps what is on screen
                self.query_one(MemberHeader).set_text(Text(CANNOT_OPEN))
            raise  # the screen's worker handler tells the clerk why
        self._show(detail)

    def _show(self, detail: MemberDetail) -> None:
        self.detail = detail
        self._family_names = {m.id: m.full_name for m in detail.family}
        self._family_names.setdefault(detail.member.id, detail.member.full_name)
        self.query_one(WarningsPanel).show(list(detail.warnings))
        self.query_one(MemberHeader).show(self._header_items(detail))
        counts = self._fill_tables(detail)
        tabs = self.query_one(TabbedContent)
        for n, (pane, title) in enumerate(TABS, start=1):
            tabs.get_tab(pane).label = f"{n} {title}({counts[pane]})"
        self._focus_active_table()

    # ------------------------------------------------------------------ the header

    def _header_items(self, d: MemberDetail) -> list[Text]:
        m = d.member
        today = self.app.ctx.clock.today()

        def item(label: str, value: Text | str, style: str = "") -> Text:
            text = Text()
            text.append(label, style="dim")
            text.append(" ")
            text.append_text(value if isinstance(value, Text) else Text(value, style=style))
            return text

        # Name and reading are separate items: a long foreign name then breaks between them.
        kana = Text("（")
        kana.append_text(data_text(m.full_name_kana))
        kana.append("）")
        kind = member_kind(m)
        lost = m.lost_on is not None and m.lost_on <= today
        age = rules.age_on(m.birth_date, today) if today >= m.birth_date else None
        items = [
            Text(m.member_code, style="bold"),
            data_text(m.full_name, style="bold"),
            kana,
            Text(code_label(m.sex)),
            Text(kind),
            item("生年月日", wareki(m.birth_date) + (f"（{age}歳）" if age is not None else "")),
            item("事業所", data_text(m.employer_name) if m.employer_name else Text("")),
            item("資格取得日", wareki(m.acquired_on)),
        ]
        if m.lost_on is None:
            items.append(item("資格", ACTIVE))
        else:
            items.append(item("資格喪失日" if lost else "資格喪失予定日", wareki(m.lost_on),
                              style="bold reverse" if lost else ""))
        items.append(item("マイナ保険証", code_label(m.card_status)))
        received = m.mynumber_received_on
        if received is None:
            items.append(item("個人番号", "未受領"))
        else:
            usable = rules.mynumber_usable_from(received)
            # Until then the number is on its way to the online check: say from when it should work.
            soon = f"、マイナ保険証は{wareki(usable)}頃から" if usable > today else ""
            items.append(item("個人番号", f"受領済（{wareki(received)}{soon}）"))
        if d.copay is not None:
            items.append(item("負担割合", f"{rules.ratio_masked(d.copay)}  {d.copay.reason}"))
        else:
            items.append(item("負担割合", "なし" + (f"（{d.copay_note}）" if d.copay_note else "")))
        if d.certificate is not None:  # R18: a holder is covered, not waiting for one
            last = d.certificate.standing.last_day
            items.append(item("資格確認書", "交付済・有効" + (f"（{wareki(last)}まで）" if last else "")))
        elif d.eligibility is not None:
            items.append(item("資格確認書", d.eligibility.reason))
        return items

    # ------------------------------------------------------------------ the tabs

    def _pane_table(self, pane: str) -> FittedTable:
        return self.query_one(f"#{pane}-table", FittedTable)

    def _person(self, member_id: int | None) -> Text:
        return data_text(self._family_names.get(member_id, ""))

    def _fill_tables(self, d: MemberDetail) -> dict[str, int]:
        today = self.app.ctx.clock.today()
        return {
            "family": self._fill_family(d, today),
            "documents": self._fill_documents(d),
            "applications": self._fill_applications(d),
            "claims": self._fill_claims(d),
            "history": self._fill_history(d),
            "changes": self._fill_changes(d),
        }

    def _fill_family(self, d: MemberDetail, today: date) -> int:
        rows = []
        for m in d.family:
            lost = m.lost_on is not None and m.lost_on <= today
            age = f"{rules.age_on(m.birth_date, today)}歳" if today >= m.birth_date else ""
            rows.append((
                Text("表示中" if m.id == d.member.id else "", style="bold"),
                Text(m.member_code),
                data_text(m.full_name),
                Text(member_kind(m, short=True)),
                date_cell(m.birth_date),
                Text(age, justify="right"),
                Text(LOST, style="bold reverse") if lost else Text(ACTIVE),
                Text(card_status_short(m.card_status)),
            ))
        table = self._pane_table("family")
        table.fill(["", "記号番号", "氏名", "続柄", "生年月日", "年齢", "状態", "マイナ保険証"], rows,
                   flex=2, optional=[5], keys=[str(m.id) for m in d.family])
        ids = [m.id for m in d.family]
        if d.member.id in ids:
            table.move_cursor(row=ids.index(d.member.id))
        return len(rows)

    def _fill_documents(self, d: MemberDetail) -> int:
        order = [m.id for m in d.family] + [k for k in d.documents_by_member if k not in self._family_names]
        rows = [
            (self._person(member_id), Text(code_label(doc.kind)), date_cell(doc.issued_on), date_cell(doc.standing.last_day),
             standing_cell(doc.standing), Text(code_label(doc.route)), data_text(doc.serial))
            for member_id in order for doc in d.documents_by_member.get(member_id, [])
        ]
        # Queued for issue via the employer (交付待ち): on top, the next thing that will happen.
        rows[:0] = [(self._person(r.member_id), Text(code_label(r.kind)), Text(f"{wareki_short(r.queued_on)}登録"), Text(""),
                     Text(PENDING_ISSUE, style="bold"), Text(code_label(r.cause)), Text(""))
                    for r in d.pending_requests]
        self._pane_table("documents").fill(
            ["対象者", "種類", "交付日", "有効期限", "状態", "交付経路", "番号"], rows,
            flex=0, optional=[6, 5])
        return len(rows)

    def _fill_applications(self, d: MemberDetail) -> int:
        docs = {doc.id: doc for docs in d.documents_by_member.values() for doc in docs}
        dated: list[tuple[date, tuple[Text, ...]]] = []
        for c in d.cancellations:
            dated.append((c.received_on, (
                Text("利用登録解除申請"), self._person(c.member_id), date_cell(c.received_on),
                status_cell(c.status), Text(f"発効 {wareki(c.effective_on)}"),
            )))
        for r in d.loss_reports:
            state = (f"発見 {wareki_short(r.found_on)}" if r.found_on
                     else "再交付済" if r.reissue_id is not None else "受付")  # R8: one report, one reissue
            dated.append((r.received_on, (
                Text("滅失届"), self._person(r.member_id), date_cell(r.received_on), Text(state),
                Text(f"{code_label(r.document_kind)}・{code_label(r.circumstance)}"
                     + ("・再交付希望" if r.reissue_requested else "")),
            )))
        for item in d.collection_items:
            doc = docs.get(item.document_id)
            what = code_label(doc.kind) if doc is not None else "書類"
            returned = f"・返却 {wareki_short(item.returned_on)}" if item.returned_on else ""
            dated.append((item.lost_on, (
                Text("書類回収"), self._person(item.member_id), date_cell(item.lost_on),
                status_cell(item.status),
                Text(what + returned),
            )))
        dated.sort(key=lambda r: r[0], reverse=True)
        self._pane_table("applications").fill(
            ["種別", "対象者", "日付", "状態", "内容"], [cells for _, cells in dated], flex=4)
        return len(dated)

    def _fill_claims(self, d: MemberDetail) -> int:
        narrow = self.app.size.width < WIDE_WIDTH
        rows = []
        for c in d.claims:
            missing = missing_papers(c)
            if narrow:  # レセプト（診療報酬明細書） → レセプト
                missing = [re.sub(r"（[^）]*）", "", paper) for paper in missing]
            rows.append((
                self._person(c.member_id), month_cell(c.treatment_month), data_text(c.institution_name),
                yen_cell(c.amount_paid), status_cell(c.status),
                Text("・".join(missing) if missing else "なし"), date_cell(c.received_on),
            ))
        self._pane_table("claims").fill(
            ["対象者", "診療月", "医療機関", "支払額", "状態", "不足書類", "受付日"], rows,
            flex=5, optional=[6], caps={2: 16} if narrow else {})
        return len(rows)

    def _fill_history(self, d: MemberDetail) -> int:
        # `at` is ISO 8601 with the offset, as hashed; minutes are enough on screen.
        rows = [
            (Text(str(e.at).replace("T", " ")[:16]), data_text(e.clerk), Text(code_label(e.kind)),
             Text(audit_action(e.action)))
            for e in d.audit_entries
        ]
        self._pane_table("history").fill(["日時", "職員", "種別", "操作"], rows, flex=3)
        return len(rows)

    def _fill_changes(self, d: MemberDetail) -> int:
        rows = []
        for h in d.register_history:
            what = Text(f"{h.field_label}: ")
            if h.old_value is not None:  # a first value (the enrolment) has no before
                what.append_text(data_text(h.old_text))
                what.append(change_rules.ARROW)
            what.append_text(data_text(h.new_text))
            if h.reason:
                what.append("（理由: ")
                what.append_text(data_text(h.reason))
                what.append("）")
            rows.append((
                date_cell(h.effective_from),
                Text(code_label(h.change), style="bold" if h.is_correction else ""),
                what,
                date_cell(h.recorded_at.date()),
                data_text(h.recorded_by),
            ))
        self._pane_table("changes").fill(["適用日", "種別", "変更内容", "記録日", "職員"], rows, flex=2,
                                         optional=[4, 3])
        return len(rows)

    def on_resize(self, event: events.Resize) -> None:
        if self.detail is not None:
            self._fill_tables(self.detail)

    # ------------------------------------------------------------------ keys

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self._load(again=self.detail is not None)

    def _act(self, screen) -> None:
        """Open an action's screen; when it closes, show the member as it now is."""
        self.app.push_screen(screen, callback=lambda _result: self.action_reload())

    def action_issue(self) -> None:
        from clerk_tui.ui.screens.issue import IssueScreen

        self._act(IssueScreen(self.member_id))

    def action_cancellation(self) -> None:
        from clerk_tui.ui.screens.cancellation import CancellationScreen

        self._act(CancellationScreen(self.member_id))

    def action_loss_report(self) -> None:
        from clerk_tui.ui.screens.loss_report import LossReportScreen

        self._act(LossReportScreen(self.member_id))

    def action_found(self) -> None:
        from clerk_tui.ui.screens.found import FoundScreen

        self._act(FoundScreen(self.member_id))

    def action_withdraw(self) -> None:
        from clerk_tui.ui.screens.withdrawal import WithdrawalScreen

        self._act(WithdrawalScreen(self.member_id))

    def action_claim(self) -> None:
        from clerk_tui.ui.screens.claim import ClaimScreen

        self._act(ClaimScreen(self.member_id))

    def action_change(self) -> None:
        from clerk_tui.ui.screens.change import ChangeScreen

        self._act(ChangeScreen(self.member_id))

    def action_correct(self) -> None:
        from clerk_tui.ui.screens.change import ChangeScreen

        self._act(ChangeScreen(self.member_id, correcting=True))

    def action_add_dependent(self) -> None:
        from clerk_tui.ui.screens.enrol import AddDependentScreen

        if self.detail is not None:  # to the family's insured person, from any of its members
            self._act(AddDependentScreen(self.detail.member.insured_id or self.detail.member.id))

    def action_show_tab(self, pane: str) -> None:
        self.query_one(TabbedContent).active = pane
        self._focus_active_table()

    def _focus_active_table(self) -> None:
        active = self.query_one(TabbedContent).active
        if active:
            self._pane_table(active).focus()

    @on(DataTable.RowSelected, "#family-table")
    def _family_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is None:
            return
        member_id = int(event.row_key.value)
        if member_id != self.member_id:
            self.app.open_member(member_id)  # type: ignore[attr-defined]
