"""Benchmark the PDF forms: warm time per 資格確認書 and per お知らせ (median), one employer batch of
N certificates (time, bytes, bytes per member). Targets from the issue: ≤ 60 ms, ≤ 100 ms,
10,000 certificates ≤ 3 minutes, ≤ 60 KB per member in a batch.

    .venv/bin/python scripts/bench_forms.py [--runs 50] [--batch 10000] [--out /tmp/batch.pdf]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

T0 = time.perf_counter()
from clerk_tui.forms import (  # noqa: E402 - the import time is one of the figures
    CertificateData,
    CoverEntry,
    CoverSheetData,
    InsurerInfo,
    NoticeData,
    render_batch,
    render_certificate,
    render_notice,
)

IMPORT_S = time.perf_counter() - T0

INSURER = InsurerInfo("06130019", "東京都情報サービス産業健康保険組合", "102-8017",
                      "東京都千代田区富士見1-12-8 TJKプラザ", "適用グループ", "03-3239-9819",
                      "03-3239-9735", short_name="TJK")
FAMILY = ["山田", "佐藤", "鈴木", "髙橋", "渡邊", "伊藤", "中村", "小林", "齋藤", "𠮷田"]
GIVEN = ["太郎", "花子", "一郎", "さくら", "健太", "美咲", "翔", "陽菜", "大輔", "結衣"]


def certificate(i: int) -> CertificateData:
    dependent = i % 3 != 0
    elderly = i % 17 == 0
    birth = date(1950, 1, 1) + timedelta(days=(i * 97) % 20000) if not elderly else date(1954, 3, 3)
    return CertificateData(
        insurer=INSURER, symbol=f"{1000 + i % 50}", number=str(i // 3 + 1), branch=f"{i % 3:02d}",
        name=f"{FAMILY[i % 10]} {GIVEN[(i // 10) % 10]}", birth_date=birth,
        sex_label="男" if i % 2 else "女", issued_on=date(2025, 11, 20),
        valid_until=date(2028, 3, 31), acquired_on=date(2025, 4, 1),
        copay_text="2割" if elderly else "******",
        ratio_effective_from=date(2024, 4, 1) if elderly else None, is_dependent=dependent,
        insured_name=f"{FAMILY[i % 10]} 一郎" if dependent else None, serial=f"C2025-{i:07d}",
        employer_name="株式会社サンプル情報システム",
    )


def notice(i: int) -> NoticeData:
    c = certificate(i)
    return NoticeData(
        insurer=INSURER, symbol=c.symbol, number=c.number, branch=c.branch, name=c.name,
        name_kana="ヤマダ タロウ", birth_date=c.birth_date, sex_label=c.sex_label,
        acquired_on=c.acquired_on, issued_on=c.issued_on,
        copay_text=c.copay_text if c.ratio_printed else "*******",
        ratio_effective_from=c.ratio_effective_from, is_dependent=c.is_dependent,
        insured_name=c.insured_name, employer_name="株式会社サンプル情報システム",
        mynaportal_url="https://myna.go.jp/", facility_code=f"TJKF1-ABCDEFGHIJKLMN{i % 10}P-QRSTUVWXYZ234567",
        serial=f"N2025-{i:07d}",
    )


def median_ms(fn, runs: int) -> tuple[float, int]:  # noqa: ANN001
    times = []
    size = 0
    for i in range(runs):
        t = time.perf_counter()
        size = len(fn(i))
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--out", type=Path, help="write the batch PDF here")
    args = parser.parse_args(argv)

    print(f"import clerk_tui.forms: {IMPORT_S * 1000:.0f} ms")
    t = time.perf_counter()
    render_certificate(certificate(0))  # cold: parses the fonts once
    print(f"first 資格確認書 (cold, font parsing): {(time.perf_counter() - t) * 1000:.0f} ms")
    render_notice(notice(0))
    render_certificate(certificate(9))  # 𠮷: loads the fallback font once

    ms, size = median_ms(lambda i: render_certificate(certificate(i)), args.runs)
    print(f"資格確認書 warm: median {ms:.1f} ms over {args.runs} (target ≤ 60 ms), {size / 1024:.0f} KiB")
    ms, size = median_ms(lambda i: render_notice(notice(i)), args.runs)
    print(f"お知らせ   warm: median {ms:.1f} ms over {args.runs} (target ≤ 100 ms), {size / 1024:.0f} KiB")

    if args.batch:
        t = time.perf_counter()
        certs = [certificate(i) for i in range(args.batch)]
        cover = CoverSheetData(
            insurer=INSURER, employer_name="株式会社サンプル情報システム",
            employer_postal_code="160-0023", employer_address="東京都新宿区西新宿1-2-3",
            employer_contact="人事課 鈴木", issued_on=date(2025, 11, 20),
            entries=tuple(CoverEntry(f"{c.symbol}-{c.number}-{c.branch}", c.name, "資格確認書", c.serial)
                          for c in certs),
            serial="B2025-0001",
        )
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        data = render_batch(cover, certs)
        s = time.perf_counter() - t
        print(f"batch of {args.batch:,} 資格確認書: {s:.1f} s (target ≤ 180 s for 10,000; data built in "
              f"{build_s:.1f} s), {len(data) / 1e6:.1f} MB, {len(data) / args.batch / 1024:.1f} KiB per "
              "member (target ≤ 60 KB)")
        if args.out:
            args.out.write_bytes(data)
            print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
