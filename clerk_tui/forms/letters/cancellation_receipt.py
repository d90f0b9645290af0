"""利用登録解除申請の受付控 (R7)."""

from __future__ import annotations

from clerk_tui.forms.layout import (GREY, addressee as _addressee, draw_text, insurer_contact, new_pdf,
                                    paragraph, start_page, title, wareki)
from clerk_tui.forms.letters.common import (BODY, RECEIPT_TITLE, W0, X0, _code, _contact_footer, _heading,
                                            _notes, _pair, _rows, _sender, _wrapped_box)
from clerk_tui.forms.letters_data import CancellationReceiptData


def render_cancellation_receipt(data: CancellationReceiptData) -> bytes:
    """The 受付控 as PDF bytes (one A4 page)."""
    pdf = new_pdf(f"{RECEIPT_TITLE} {data.reference}")
    start_page(pdf)
    top = _addressee(pdf, None, data.applicant_address, data.applicant_name, "様")
    _sender(pdf, data.insurer, [("発行日", wareki(data.issued_on)), ("受付番号", data.reference)])

    y = title(pdf, max(46, top + 3), RECEIPT_TITLE, size=18, sub="（マイナンバーカードの健康保険証利用登録の解除）")
    withdrawn = data.withdrawn_on is not None
    y = paragraph(pdf, X0, y + 1, W0,
                  f"{data.insurer.name}は、下記のとおり、マイナンバーカードの健康保険証としての利用登録の"
                  "解除申請を受け付けました。この受付控は大切に保管してください。", BODY)

    y = _heading(pdf, y + 2, "申請の内容")
    y = _rows(pdf, y, [("記号・番号・枝番", _code(data.symbol, data.number, data.branch)),
                       ("氏名", data.applicant_name)], size=11)
    y = _rows(pdf, y, [("生年月日", wareki(data.applicant_birth_date))])
    y = _wrapped_box(pdf, X0, y, W0, "住所", data.applicant_address or "（記載なし）", label_w=38)
    y = _rows(pdf, y, [("連絡先", data.applicant_phone or "（記載なし）")])
    y = _wrapped_box(pdf, X0, y, W0, "申請の理由", data.reason or "（記載なし）", label_w=38, size=9.5)
    if data.proxy_name:
        y = _pair(pdf, y, ("代理人氏名", data.proxy_name), ("本人との関係", data.proxy_relationship or ""))
    else:
        y = _rows(pdf, y, [("代理人", "なし（ご本人による申請）")])
    if data.legacy_card_at_hand is not None:
        card = "手元にあり" if data.legacy_card_at_hand else "紛失（被保険者証滅失届が必要です）"
        y = _rows(pdf, y, [("健康保険証", card)])

    y = _heading(pdf, y + 4, "受付・処理の状況")
    stamp = 24.0  # the 受付印 box at the right of this table
    tw = W0 - stamp - 3
    effective = ("取下げのため解除されません" if withdrawn
                 else f"{wareki(data.effective_on)}（受付月の翌月末日）")
    status = data.status_label + (f"（{wareki(data.withdrawn_on)}）" if withdrawn else "")
    top = y
    y = _rows(pdf, y, [("受付日", wareki(data.received_on)), ("解除予定日", effective), ("状況", status)],
              w=tw, size=11)
    sx = X0 + W0 - stamp
    pdf.set_line_width(0.2)
    pdf.rect(sx, top, stamp, y - top)
    pdf.set_text_color(*GREY)
    draw_text(pdf, sx, top + 0.5, stamp, 4, "受付印", 7, align="C")
    pdf.set_text_color(0)

    y = _heading(pdf, y + 4, "ご案内")
    if withdrawn:
        notes = [f"この申請は{wareki(data.withdrawn_on)}に取り下げられました。利用登録は解除されません。"]
    else:
        notes = [
            f"利用登録の解除は、原則として受付月の翌月末日（{wareki(data.effective_on)}）に行われます。",
            "解除が完了しても、当組合から完了のお知らせはお送りしません。解除されたことは、"
            "マイナポータルでご確認ください。",
            ("資格確認書はお手元にあります。有効期限まで、その資格確認書で受診できます。"
             if data.certificate_in_hand else
             "解除の受付後、資格確認書をお勤め先（事業所）を経由してお送りします。改めて申請して"
             "いただく必要はありません。"),
        ]
        if data.needs_loss_report:
            notes.append("お手元に健康保険証がない場合は、被保険者証滅失届の提出が必要です。届が届き次第、"
                         "手続きを進めます。")
    notes.append("再び健康保険証として利用登録をするときは、マイナポータル、金融機関のATM、医療機関・薬局の"
                 "カードリーダーなどで、ご本人が行ってください（当組合では登録できません）。")
    _notes(pdf, y, notes)

    ins = data.insurer
    _contact_footer(pdf, "お問い合わせ先", [f"{ins.name}　{insurer_contact(ins)}",
                                          f"〒{ins.postal_code}　{ins.address}"])
    return bytes(pdf.output())
