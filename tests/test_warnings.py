"""The member detail warnings (pure): each rule's boundary and the exact wording clerks read."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from clerk_tui.domain.codes import CardStatus, ClaimStatus, DocumentKind, DocumentStatus
from clerk_tui.domain.warnings import ClaimFacts, DocFacts, OutstandingFacts, PersonFacts, member_warnings

TODAY = date(2025, 11, 20)
CERT = DocumentKind.ELIGIBILITY_CERTIFICATE

# Nothing to warn about: マイナ保険証 usable, My Number held long ago, under 70, registered long ago.
QUIET = PersonFacts(birth_date=date(1980, 4, 2), acquired_on=date(2020, 4, 1), card_status=CardStatus.USABLE,
                    mynumber_received_on=date(2020, 4, 1), registered_on=date(2020, 4, 1), remuneration=300_000)


def person(**changes) -> PersonFacts:
    return replace(QUIET, **changes)


def cert(valid_until: date | None, status: DocumentStatus = DocumentStatus.VALID,
         issued_on: date = date(2025, 4, 1)) -> DocFacts:
    return DocFacts(kind=CERT, status=status, issued_on=issued_on, valid_until=valid_until)


def warn(p: PersonFacts, today: date = TODAY, **lists):
    return member_warnings(p, today=today, documents=lists.get("documents", []), claims=lists.get("claims", []),
                           outstanding=lists.get("outstanding", []))


def codes(p: PersonFacts, today: date = TODAY, **lists) -> list[str]:
    return [w.code for w in warn(p, today, **lists)]


def only(p: PersonFacts, code: str, today: date = TODAY, **lists):
    found = [w for w in warn(p, today, **lists) if w.code == code]
    assert len(found) == 1, found
    return found[0]


def test_quiet_member_has_no_warnings():
    assert warn(QUIET) == []


# --------------------------------------------------------------------------------------- R11


def test_usable_card_without_my_number_is_an_error():
    w = only(person(mynumber_received_on=None), "mynumber_missing")
    assert w.level == "error"
    assert w.text == ("組合はこの方のマイナンバーを受け付けていません。マイナ保険証は使えません"
                      "（オンライン資格確認でエラーになります）。事業所にマイナンバーの届出を依頼してください。")


def test_no_card_without_my_number_is_a_warning():
    w = only(person(mynumber_received_on=None, card_status=CardStatus.NO_CARD), "mynumber_missing")
    assert w.level == "warning" and "届出を依頼" in w.text


def test_my_number_received_shows_the_usable_date_while_ahead():
    # Received Friday 14 November: 5 business days later is Friday 21 November.
    p = person(mynumber_received_on=date(2025, 11, 14))
    w = only(p, "mynumber_pending", today=date(2025, 11, 20))
    assert w.text == "マイナンバーの届出を令和7年11月14日に受付。マイナ保険証は令和7年11月21日頃から使えます。"
    assert w.level == "warning"  # the card is registered: until then the online check fails
    assert "mynumber_pending" not in codes(p, today=date(2025, 11, 21))


def test_my_number_pending_is_info_when_the_card_is_not_registered():
    p = person(mynumber_received_on=date(2025, 11, 14), card_status=CardStatus.NOT_REGISTERED)
    assert only(p, "mynumber_pending", documents=[cert(date(2028, 3, 31))]).level == "info"


# --------------------------------------------------------------------------------------- R4 expiry


@pytest.mark.parametrize("days, warned", [(0, True), (1, True), (119, True), (120, False)])
def test_certificate_expiring_under_120_days_r18(days, warned):
    p = person(card_status=CardStatus.NO_CARD)
    found = codes(p, documents=[cert(TODAY + timedelta(days=days))])
    assert ("certificate_expiring" in found) is warned


def test_certificate_expiring_wording():
    p = person(card_status=CardStatus.NO_CARD)
    w = only(p, "certificate_expiring", today=date(2025, 11, 29), documents=[cert(date(2026, 1, 10))])
    assert w.text == "資格確認書の有効期限まで残り42日です（令和8年1月10日まで）。更新の交付が必要です。"


def test_certificate_on_its_last_day_and_the_day_after_r18():
    p = person(card_status=CardStatus.NO_CARD)
    until = date(2027, 3, 31)
    assert only(p, "certificate_expiring", today=until - timedelta(days=1),
                documents=[cert(until)]).text.startswith("資格確認書の有効期限まで残り1日です（令和9年3月31日まで）。")
    assert only(p, "certificate_expiring", today=until,
                documents=[cert(until)]).text.startswith("資格確認書の有効期限は本日（令和9年3月31日）までです。")
    expired = only(p, "certificate_expired", today=until + timedelta(days=1), documents=[cert(until)])
    assert expired.level == "warning"
    assert expired.text == ("資格確認書の有効期限（令和9年3月31日）が切れています（期限切れ）。"
                            "新しい資格確認書を交付してください。期限切れの資格確認書は本人が破棄します。")
    assert "certificate_expiring" not in codes(p, today=until + timedelta(days=1), documents=[cert(until)])


def test_an_expired_certificate_of_a_usable_card_is_a_note_r18():
    w = only(QUIET, "certificate_expired", documents=[cert(TODAY - timedelta(days=1))])
    assert w.level == "info" and "原則として新しい資格確認書は交付しません" in w.text


def test_a_renewed_certificate_hides_the_expired_one():
    p = person(card_status=CardStatus.NO_CARD)
    docs = [cert(TODAY - timedelta(days=1), issued_on=date(2024, 4, 1)),
            cert(date(2028, 3, 31), issued_on=TODAY - timedelta(days=3))]
    assert not {"certificate_expired", "certificate_missing", "certificate_expiring"} & set(codes(p, documents=docs))


def test_certificate_expiring_for_a_usable_card_is_not_renewed_r3():
    w = only(QUIET, "certificate_expiring", documents=[cert(TODAY + timedelta(days=10))])
    assert "原則として更新の交付はしません" in w.text


def test_certificate_renewed_when_the_usable_card_lacks_my_number_r11():
    w = only(person(mynumber_received_on=None), "certificate_expiring", documents=[cert(TODAY + timedelta(days=10))])
    assert w.text.endswith("更新の交付が必要です。")


def test_superseded_certificate_does_not_count():
    p = person(card_status=CardStatus.NO_CARD)
    docs = [cert(TODAY + timedelta(days=5), status=DocumentStatus.SUPERSEDED), cert(date(2028, 3, 31))]
    assert "certificate_expiring" not in codes(p, documents=docs)


def test_certificate_capped_at_75_is_not_renewed_after_it_ends_either():
    p = person(birth_date=date(1951, 1, 10), card_status=CardStatus.NO_CARD, remuneration=200_000)
    assert not {"certificate_expired", "certificate_missing"} & set(
        codes(p, today=date(2026, 1, 10), documents=[cert(date(2026, 1, 9))]))


def test_certificate_capped_at_75_is_not_renewed():
    # 75th birthday 10 January 2026: the certificate ends on the 9th and qualification with it.
    p = person(birth_date=date(1951, 1, 10), card_status=CardStatus.NO_CARD, remuneration=200_000)
    found = codes(p, documents=[cert(date(2026, 1, 9))])
    assert "certificate_expiring" not in found and "reaches_75" in found


# --------------------------------------------------------------------------------------- R3


@pytest.mark.parametrize("status, phrase", [
    (CardStatus.NO_CARD, "マイナンバーカードを持っていない"),
    (CardStatus.NOT_REGISTERED, "利用登録していない"),
    (CardStatus.CARD_LOST, "紛失中"),
    (CardStatus.REGISTRATION_CANCELLED, "解除を申請した"),
])
def test_eligible_member_without_a_certificate_r3(status, phrase):
    w = only(person(card_status=status), "certificate_missing")
    assert phrase in w.text and "資格確認書を交付してください" in w.text


def test_eligible_member_with_an_expired_certificate_still_lacks_one():
    p = person(card_status=CardStatus.NO_CARD)
    assert "certificate_expired" in codes(p, documents=[cert(TODAY - timedelta(days=1))])
    assert not {"certificate_missing", "certificate_expired"} & set(codes(p, documents=[cert(TODAY)]))


def test_a_legacy_card_does_not_stand_in_for_a_certificate_r18():
    p = person(card_status=CardStatus.NO_CARD)
    legacy = DocFacts(kind=DocumentKind.LEGACY_CARD, status=DocumentStatus.VALID, issued_on=date(2020, 4, 1))
    assert "certificate_missing" in codes(p, today=date(2025, 12, 2), documents=[legacy])


def test_usable_card_needs_no_certificate_unless_assistance_requested():
    assert "certificate_missing" not in codes(QUIET)
    assert "要配慮者" in only(person(needs_assistance=True), "certificate_missing").text


# --------------------------------------------------------------------------------------- R5: 70


def test_turning_70_next_month_wording():
    # Birthday on the 1st: 70 is attained on 30 November, the ratio applies from the birthday.
    p = person(birth_date=date(1955, 12, 1), remuneration=260_000)
    w = only(p, "turns_70")
    assert w.text == ("来月（令和7年12月1日）から70〜74歳の負担割合（2割）になります。"
                      "資格確認書・お知らせの再交付が必要です。")


@pytest.mark.parametrize("birth, today, warned", [
    (date(1955, 12, 1), date(2025, 11, 20), True),   # 70 attained 30 Nov: from 1 Dec
    (date(1955, 12, 2), date(2025, 11, 20), False),  # 70 attained 1 Dec: from 1 Jan
    (date(1955, 12, 2), date(2025, 12, 10), True),
    (date(1955, 11, 2), date(2025, 11, 20), True),   # 70 attained 1 Nov: from 1 Dec
    (date(1955, 11, 1), date(2025, 11, 20), False),  # 70 attained 31 Oct: in force since 1 Nov
])
def test_turning_70_next_month_boundaries(birth, today, warned):
    assert ("turns_70" in codes(person(birth_date=birth), today=today)) is warned


def test_turning_70_shows_3_wari_for_high_remuneration():
    assert "（3割）" in only(person(birth_date=date(1955, 12, 1), remuneration=280_000), "turns_70").text


def test_dependent_turning_70_follows_the_insured_person():
    # The insured is under 70: a 70–74 dependent pays 2割 whatever the insured earns.
    p = person(birth_date=date(1955, 12, 1), is_insured=False, remuneration=None,
               insured_birth_date=date(1962, 1, 1), insured_remuneration=500_000)
    assert "（2割）" in only(p, "turns_70").text


def test_dependent_ratio_changes_when_the_insured_turns_70():
    # Insured attains 70 on 9 December: from 1 January the 72-year-old dependent pays 3割.
    p = person(birth_date=date(1953, 6, 1), is_insured=False, remuneration=None,
               insured_birth_date=date(1955, 12, 10), insured_remuneration=300_000)
    w = only(p, "ratio_changes", today=date(2025, 12, 15))
    assert "令和8年1月1日" in w.text and "2割から3割" in w.text
    assert "ratio_changes" not in codes(p, today=date(2025, 11, 20))


# --------------------------------------------------------------------------------------- R4/R5: 75

SEVENTY_FOUR = date(1951, 5, 3)  # 75th birthday 令和8年5月3日


def test_reaching_75_within_the_certificate_wording():
    p = person(birth_date=SEVENTY_FOUR, card_status=CardStatus.NO_CARD, remuneration=200_000)
    w = only(p, "reaches_75", documents=[cert(date(2026, 5, 2))])
    assert w.text == ("令和8年5月3日に75歳になり、資格を喪失します（後期高齢者医療制度へ）。"
                      "資格確認書の有効期限はその前日までです。")
    assert w.level == "info"  # more than 60 days ahead


def test_reaching_75_after_the_certificate_ends_is_not_warned():
    p = person(birth_date=SEVENTY_FOUR, card_status=CardStatus.NO_CARD, remuneration=200_000)
    assert "reaches_75" not in codes(p, documents=[cert(date(2026, 5, 1))])


def test_reaching_75_with_an_uncapped_certificate_names_the_real_end():
    p = person(birth_date=SEVENTY_FOUR, card_status=CardStatus.NO_CARD, remuneration=200_000)
    w = only(p, "reaches_75", documents=[cert(date(2028, 3, 31))])
    assert "令和10年3月31日と記録されていますが" in w.text and "令和8年5月2日" in w.text


@pytest.mark.parametrize("birth, warned", [(date(1951, 1, 19), True), (date(1951, 1, 20), False)])
def test_reaching_75_without_a_certificate_within_60_days(birth, warned):
    # 19 January 2026 is 60 days after today.
    found = warn(person(birth_date=birth, remuneration=200_000))
    assert any(w.code == "reaches_75" and w.level == "warning" for w in found) is warned


def test_dependent_loses_coverage_with_the_insured_at_75():
    p = person(birth_date=date(1960, 1, 1), is_insured=False, remuneration=None,
               insured_birth_date=date(1951, 1, 10), insured_remuneration=300_000)
    w = only(p, "insured_reaches_75")
    assert "令和8年1月10日" in w.text and w.level == "warning"


@pytest.mark.parametrize("birth, overdue", [(date(1950, 11, 20), True), (date(1950, 11, 21), False)])
def test_a_75th_birthday_passed_without_a_recorded_loss_is_an_error(birth, overdue):
    # 75th birthday on today (令和7年11月20日): qualification is lost that day.
    found = warn(person(birth_date=birth, remuneration=200_000))
    codes_found = [w.code for w in found]
    assert ("reached_75_unrecorded" in codes_found) is overdue
    assert ("reaches_75" in codes_found) is not overdue
    if overdue:
        assert found[0].level == "error" and "令和7年11月20日に75歳になり資格を喪失していますが" in found[0].text


def test_a_loss_recorded_for_a_later_day_than_the_75th_birthday_is_still_an_error():
    p = person(birth_date=date(1950, 10, 1), remuneration=200_000, lost_on=date(2025, 12, 1),
               loss_reason="retirement")
    assert "reached_75_unrecorded" in codes(p)


def test_a_dependent_of_an_insured_person_past_75_without_a_recorded_loss():
    p = person(birth_date=date(1960, 1, 1), is_insured=False, remuneration=None,
               insured_birth_date=date(1950, 11, 1), insured_remuneration=300_000)
    w = only(p, "insured_reached_75_unrecorded")
    assert w.level == "error" and "被保険者が令和7年11月1日に75歳になり" in w.text


def test_a_loss_recorded_on_the_75th_birthday_ends_the_warnings():
    p = person(birth_date=date(1950, 11, 1), remuneration=200_000, lost_on=date(2025, 11, 1), loss_reason="age_75")
    assert not {"reached_75_unrecorded", "reaches_75"} & set(codes(p))


# --------------------------------------------------------------------------------------- R13


@pytest.mark.parametrize("days_ago, warned", [(0, True), (13, True), (14, False)])
def test_system_view_pending_for_two_weeks(days_ago, warned):
    p = person(registered_on=TODAY - timedelta(days=days_ago))
    assert ("system_view_pending" in codes(p)) is warned


def test_system_view_wording():
    w = only(person(registered_on=TODAY), "system_view_pending")
    assert w.text == "資格情報確認システムへの反映は令和7年12月4日頃です（届出から約2週間）。"
    assert w.level == "info"


# --------------------------------------------------------------------------------------- R12


def claim(paid_on: date, status: ClaimStatus = ClaimStatus.INCOMPLETE) -> ClaimFacts:
    return ClaimFacts(treatment_month=paid_on.replace(day=1), institution_name="富士見クリニック",
                      paid_on=paid_on, status=status, missing=("レセプト（診療報酬明細書）",))


@pytest.mark.parametrize("paid_on, code", [
    (date(2024, 1, 19), "claim_deadline"),  # deadline 2026-01-19: 60 days left
    (date(2024, 1, 20), None),              # 61 days left
    (date(2023, 11, 20), "claim_deadline"),  # today is the last day
    (date(2023, 11, 19), "claim_lapsed"),
])
def test_claim_deadline_within_60_days(paid_on, code):
    found = [c for c in codes(QUIET, claims=[claim(paid_on)]) if c.startswith("claim")]
    assert found == ([code] if code else [])


def test_claim_deadline_wording_and_complete_claims():
    w = only(QUIET, "claim_deadline", claims=[claim(date(2024, 1, 19))])
    assert w.text == ("立替払の請求（令和6年1月診療・富士見クリニック）の請求期限は令和8年1月19日です（あと60日）。"
                      "不足書類（レセプト（診療報酬明細書））を期限までに提出するよう伝えてください。")
    assert only(QUIET, "claim_lapsed", claims=[claim(date(2023, 11, 19))]).level == "error"
    for status in (ClaimStatus.COMPLETE, ClaimStatus.FORWARDED):
        assert codes(QUIET, claims=[claim(date(2023, 11, 19), status)]) == []


# --------------------------------------------------------------------------------------- R9


LOST = person(lost_on=date(2025, 10, 1), loss_reason="retirement", mynumber_received_on=None,
              card_status=CardStatus.NO_CARD)


def test_lost_member_gets_only_the_loss_info():
    w = only(LOST, "qualification_lost")
    assert w.text == "令和7年10月1日に資格を喪失しています（退職）。" and w.level == "info"
    assert codes(LOST) == ["qualification_lost"]  # no R11/R3 nagging for a former member


def test_scheduled_loss_is_shown():
    assert "令和7年12月1日に資格を喪失する予定" in only(person(lost_on=date(2025, 12, 1)), "qualification_ends").text


def test_outstanding_documents_with_count_and_days():
    items = [OutstandingFacts(CERT, date(2025, 10, 1)),
             OutstandingFacts(CERT, date(2025, 10, 1), other_family_member=True),
             OutstandingFacts(DocumentKind.LEGACY_CARD, date(2025, 10, 1), reminder_sent_on=date(2025, 11, 1))]
    w = only(LOST, "outstanding", outstanding=items)
    assert w.level == "warning"
    assert "未回収の書類が3件" in w.text and "資格確認書2件" in w.text and "健康保険証1件" in w.text
    assert "うち家族分1件" in w.text and "喪失から50日経過" in w.text and "令和7年11月1日に督促済み" in w.text


@pytest.mark.parametrize("days, level", [(5, "info"), (6, "warning")])
def test_outstanding_within_the_return_period_is_info(days, level):
    w = only(LOST, "outstanding", outstanding=[OutstandingFacts(CERT, TODAY - timedelta(days=days))])
    assert w.level == level


def test_outstanding_before_the_loss_date_is_info():
    p = person(lost_on=date(2025, 12, 1))
    w = only(p, "outstanding", outstanding=[OutstandingFacts(CERT, date(2025, 12, 1))])
    assert w.level == "info" and "予定" in w.text


def test_one_warning_per_loss_date():
    items = [OutstandingFacts(CERT, date(2025, 10, 1)), OutstandingFacts(CERT, date(2025, 9, 1))]
    assert codes(LOST, outstanding=items).count("outstanding") == 2


# --------------------------------------------------------------------------------------- order


def test_most_urgent_first():
    p = person(mynumber_received_on=None, registered_on=TODAY)
    levels = [w.level for w in warn(p, documents=[cert(TODAY + timedelta(days=3))])]
    assert levels == sorted(levels, key=["error", "warning", "info"].index)
    assert levels[0] == "error"


def test_a_queued_certificate_is_said_to_be_on_its_way_not_missing():
    from clerk_tui.domain.warnings import PersonFacts, member_warnings

    person = PersonFacts(birth_date=date(1990, 1, 1), acquired_on=date(2025, 11, 1), card_status=CardStatus.NO_CARD,
                         registered_on=date(2025, 11, 1), certificate_queued=True)
    codes = [w.code for w in member_warnings(person, today=date(2025, 11, 20))]
    assert "certificate_queued" in codes and "certificate_missing" not in codes
