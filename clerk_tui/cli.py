"""The one command line: `clerk-tui` starts the app; sub-commands manage the database, fixtures
and the audit trail. Every command takes --db and --today."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from clerk_tui import __version__
from clerk_tui.clock import Clock
from clerk_tui.config import Config, demo_db_path, load_config
from clerk_tui.domain.codes import IssueReason, Route
from clerk_tui.domain.errors import DomainError
from clerk_tui.domain.terminal import terminal_safe
from clerk_tui.domain.wareki import format_wareki


DEMO_SYNTHETIC_MEMBERS = 3000

T = TypeVar("T")


class _TerminalSafeStream:
    """The CLI's one output point: stdout and stderr pass through `terminal_safe`, so a name,
    fixture value or argument holding ESC/CSI/OSC sequences is printed as visible escapes and
    never drives the clerk's terminal. Line breaks and tabs pass."""

    def __init__(self, stream) -> None:
        self.raw = stream

    def write(self, text: str) -> int:
        self.raw.write(terminal_safe(text, keep="\n\t"))
        return len(text)

    def __getattr__(self, name: str):  # flush, isatty, encoding, fileno … of the real stream
        return getattr(self.raw, name)


@contextmanager
def _terminal_safe_output() -> Iterator[None]:
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafeStream(out), _TerminalSafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


@contextmanager
def _raw_output() -> Iterator[None]:
    """The real streams back, for the full-screen app (Textual draws with escape sequences and
    shows data through its own safe text)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = getattr(out, "raw", out), getattr(err, "raw", err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def _date_arg(text: str) -> date:
    from clerk_tui.domain.wareki import parse_date

    try:
        return parse_date(text)
    except DomainError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _common() -> argparse.ArgumentParser:
    # SUPPRESS: a sub-command's own default must not erase `clerk-tui --db X db check`'s --db.
    p = argparse.ArgumentParser(add_help=False, argument_default=argparse.SUPPRESS)
    p.add_argument("--db", type=Path, help="データベースファイル（既定: $CLERK_TUI_DB、なければユーザーデータ領域）")
    p.add_argument("--today", type=_date_arg, metavar="YYYY-MM-DD",
                   help="基準日を固定する（研修・テスト用。和暦も可）")
    p.add_argument("--config", type=Path, action="append", help="追加の設定ファイル (TOML)")
    return p


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="clerk-tui", parents=[common],
        description="健康保険組合 適用グループ 事務端末プログラム",
    )
    parser.add_argument("--version", action="version", version=f"clerk-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("run", parents=[common], help="アプリを起動する（既定の動作）")
    sub.add_parser("demo", parents=[common],
                   help="デモ用データベースでアプリを起動する（初回はfixtures/demoから作成）")

    db = sub.add_parser("db", help="データベースの作成・更新・点検・バックアップ")
    dbs = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    dbs.add_parser("init", parents=[common], help="空のデータベースを作成する（既存なら更新のみ）")
    dbs.add_parser("upgrade", parents=[common], help="スキーマを最新版に更新する")
    dbs.add_parser("check", parents=[common], help="整合性・スキーマ版・監査ログの連鎖を点検する")
    dbs.add_parser("reindex", parents=[common], help="検索キーを作り直す（異体字表を変更した後に実行）")
    backup = dbs.add_parser("backup", parents=[common], help="稼働中でも安全にバックアップする")
    backup.add_argument("dest", type=Path, help="バックアップ先ファイル（新しいファイル名。既存のファイルは上書きしない）")
    backup.add_argument("--allow-db-folder", action="store_true",
                        help="データベースと同じフォルダへの書き出しを許可する")

    fx = sub.add_parser("fixtures", help="研修用シナリオの読込・合成データの生成")
    fxs = fx.add_subparsers(dest="fixtures_command", metavar="ACTION", required=True)
    load = fxs.add_parser("load", parents=[common], help="シナリオファイル (TOML) を読み込む")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--reset", action="store_true", help="既存データを消してから読み込む（研修用DBのみ）")
    gen = fxs.add_parser("generate", parents=[common], help="負荷試験用の合成データを生成する")
    gen.add_argument("--members", type=int, required=True, metavar="N", help="加入員数")
    gen.add_argument("--seed", type=int, default=1, metavar="S", help="乱数の種（同じ種なら同じデータ）")
    gen.add_argument("--out", type=Path, help="データベースではなくシナリオファイル (TOML) に書き出す")
    gen.add_argument("--allow-db-folder", action="store_true", help="データベースと同じフォルダへの書き出しを許可する")

    prc = sub.add_parser("print", parents=[common], help="お知らせ・資格確認書を交付してPDFを作る")
    prc.add_argument("kind", choices=["notice", "certificate"], help="notice=資格情報のお知らせ, certificate=資格確認書")
    prc.add_argument("--member", required=True, metavar="SYMBOL-NUMBER-BRANCH", help="記号-番号-枝番")
    prc.add_argument("--out", type=Path, metavar="FILE", help="出力するPDF（既定: 設定の出力フォルダ）")
    prc.add_argument("--allow-db-folder", action="store_true", help="データベースと同じフォルダへの書き出しを許可する")
    prc.add_argument("--reason", default="new", choices=[r.value for r in IssueReason], help="交付理由")
    prc.add_argument("--route", default="via_employer", choices=[r.value for r in Route], help="交付方法")
    prc.add_argument("--override-reason", help="マイナ保険証を利用できる方に資格確認書を交付する理由")
    prc.add_argument("--no-loss-report-reason", help="紛失による再交付で滅失届がない理由")

    rp = sub.add_parser("reprint", parents=[common], help="交付済みの書類のPDFを作り直す（交付記録は増えない）")
    rp.add_argument("serial", help="交付番号（例: C2025-0000123）")
    rp.add_argument("--out", type=Path, metavar="FILE", help="出力するPDF（既定: 設定の出力フォルダ）")
    rp.add_argument("--allow-db-folder", action="store_true", help="データベースと同じフォルダへの書き出しを許可する")

    bt = sub.add_parser("batch", help="事業所ごとの一括交付")
    bts = bt.add_subparsers(dest="batch_command", metavar="WHAT", required=True)
    btc = bts.add_parser("certificates", parents=[common], help="資格確認書が必要な全員と交付待ちの書類を一括交付（中断しても再実行で続きから）")
    btc.add_argument("--employer", metavar="CODE", help="事業所コード（省略時は全事業所）")
    btc.add_argument("--workers", type=int, metavar="N",
                     help="PDFを描くプロセス数（省略時: 大きな一括交付ではコア数（最大2）、小さければ1）。"
                          "日中に他の職員の操作を妨げないよう 1 にもできます")

    from clerk_tui import cli_member

    cli_member.add_parser(sub, common)
    vc = sub.add_parser("verify-code", parents=[common], help="お知らせの施設確認用QRコードを照合する")
    vc.add_argument("code", metavar="TEXT", help="QRコードから読み取った文字列")

    audit = sub.add_parser("audit", help="監査ログ")
    auds = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    ver = auds.add_parser("verify", parents=[common], help="監査ログの改ざん・削除を検出する（照合点とも照合）")
    ver.add_argument("--anchor-file", type=Path, action="append", metavar="FILE",
                     help="設定の照合点ファイルに加えて照合するファイル（journalctl の出力なども可）")
    anc = auds.add_parser("anchor", parents=[common],
                          help="監査ログの件数と最新ハッシュを照合点ファイルとシステムログに記録する（root が cron で実行）")
    anc.add_argument("--anchor-file", type=Path, metavar="FILE", help="照合点ファイル（既定: 設定 audit_anchor_file）")
    return parser


def _config(args: argparse.Namespace) -> Config:
    cfg = load_config(args.config)
    if args.db is not None:
        cfg.db = args.db
    return cfg


def _missing_database(path: Path) -> DomainError:
    return DomainError(
        f"データベース {path} がありません（何も作成していません）。\n"
        "  本番用: `clerk-tui db init` で空のデータベースを作成してから起動してください。\n"
        "  研修用: `clerk-tui fixtures load シナリオ.toml` で読み込むと作成されます。\n"
        "  デモ: `clerk-tui demo`。\n"
        "  別の場所のデータベースなら --db か環境変数 CLERK_TUI_DB で指定してください。")


def _database_error(path: Path, exc: Exception) -> DomainError:
    text = str(exc)
    detail = text.rsplit("]", 1)[-1].strip()  # SQLite's own words, without the statement
    if "not a database" in text:
        return DomainError(f"{path} は SQLite のデータベースではありません。--db の指定を確かめてください。")
    if "malformed" in text or "corrupt" in text:
        return DomainError(f"データベース {path} は壊れています（SQLite: {detail}）。"
                           "バックアップ（clerk-tui db backup で作ったもの）から戻してください。")
    if "locked" in text or "busy" in text:
        return DomainError(f"データベース {path} は他の職員の処理が続いていて使えません。"
                           "しばらくしてからやり直してください。")
    return DomainError(f"データベース {path} を処理できませんでした（SQLite: {detail}）。")


def _open(cfg: Config, *, create: bool = False):
    """The configured database; a missing one is created only where the command asked for it."""
    import peewee

    from clerk_tui.db.database import open_database
    from clerk_tui.db.schema import init_schema, require_current

    existed = Path(cfg.db).expanduser().exists()
    if not existed and not create:
        raise _missing_database(Path(cfg.db))
    try:
        db = open_database(cfg.db)
        if not existed:
            init_schema(db)
        require_current(db)
    except peewee.DatabaseError as exc:
        raise _database_error(Path(cfg.db), exc) from None
    return db


def _build_database(cfg: Config, fill: Callable[[Any], T]) -> T:
    """Create the missing database at cfg.db, filled by `fill`, under a hidden temporary name
    beside it, renamed only once complete: an interrupted or failed first run leaves no partial
    database under the real name, and the next run removes the leftovers."""
    from glob import escape

    from clerk_tui.db import database
    from clerk_tui.db.schema import init_schema
    from clerk_tui.filecheck import remove_stale_temporaries

    final = Path(cfg.db).expanduser().resolve()
    tmp = final.with_name(f".{final.name}.{os.getpid()}.building")
    remove_stale_temporaries(final.parent, f".{escape(final.name)}.*.building*")
    db = database.open_database(tmp)  # checks the folder's permissions first
    try:
        init_schema(db)
        result = fill(db)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        try:
            os.link(tmp, final)  # fails rather than replace a database made meanwhile
        except FileExistsError:
            raise DomainError(f"データベース {final} が作成中に別の処理で作られました。作成をやめました。") from None
        except OSError:  # no hard links on this file system
            if final.exists():
                raise DomainError(f"データベース {final} が作成中に別の処理で作られました。作成をやめました。") from None
            os.replace(tmp, final)
    finally:
        db.close()
        database._open_databases.pop(tmp, None)
        for leftover in final.parent.glob(f"{escape(tmp.name)}*"):
            leftover.unlink(missing_ok=True)
    _open(cfg)  # bind the models to the file under its real name
    return result


def _clock(args: argparse.Namespace, db=None) -> Clock:
    stored = None
    if db is not None:
        from clerk_tui.db.settings import stored_training_today

        stored = stored_training_today()
    if args.today is not None:
        if stored is not None and args.today < stored:
            # The scenario's records are dated up to its own "today": an earlier day would show
            # reminders sent and papers received in the future.
            raise DomainError(
                f"この研修用データベースの基準日は {format_wareki(stored)}（{stored.isoformat()}）です。"
                "これより前の日付（--today）では記録の一部が未来の日付になるため使えません。"
                "基準日以降の日付を指定するか、--today を外してください。")
        return Clock(args.today)
    return Clock(stored) if stored is not None else Clock()


def _run_app(args: argparse.Namespace, cfg: Config) -> int:
    db = _open(cfg)  # a missing database is explained, not created
    clock = _clock(args, db)
    from clerk_tui.services.context import Context
    from clerk_tui.ui.app import ClerkApp

    app = ClerkApp(Context(db=db, clock=clock, config=cfg), config=cfg)
    from clerk_tui.logs import log_to_file

    try:
        log_to_file()  # warnings and unexpected errors: to the clerk's own file, not the screen
    except OSError:
        pass  # no writable state folder: the app runs without a log file
    # The modules and objects loaded so far live as long as the process: moved out of the
    # collector's reach, they are not walked again by each full collection (one took 12 ms in
    # the middle of drawing the first screen).
    gc.freeze()
    with _raw_output():
        app.run()
    return app.return_code or 0


def _demo(args: argparse.Namespace, cfg: Config) -> int:
    if args.db is None:
        cfg.db = demo_db_path()
    if not Path(cfg.db).expanduser().exists():
        from clerk_tui.scenarios import demo_fixture_files, load_files

        from clerk_tui.scenarios.generator import generate_into

        def fill(db) -> int:
            load_files(db, demo_fixture_files(), clerk_clock=_clock(args))
            # The hand-written cases plus a few thousand synthetic members, so that searching for
            # common names (佐藤, たかはし, 林) behaves as it does in a real society.
            return generate_into(db, members=DEMO_SYNTHETIC_MEMBERS, seed=1)

        generated = _build_database(cfg, fill)
        print(f"デモ用データベースを作成しました: {cfg.db}（事例 + 合成データ {generated} 人）")
    return _run_app(args, cfg)


def _db(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.db import schema
    from clerk_tui.db.database import open_database

    if args.db_command == "init":
        db = open_database(cfg.db)
        version = schema.init_schema(db)
        print(f"データベース {cfg.db} を作成しました（スキーマ版 {version}）。")
        return 0
    if args.db_command == "upgrade":
        if not Path(cfg.db).expanduser().exists():
            raise _missing_database(Path(cfg.db))
        db = open_database(cfg.db)
        before = schema.current_version(db)
        after = schema.upgrade(db)
        print(f"スキーマ版 {before} から {after}")
        return 0
    if args.db_command == "check":
        from clerk_tui.services.maintenance import check

        db = _open(cfg, create=False)
        result = check(db, anchor_file=cfg.audit_anchor_file)
        print(result.text())
        return 0 if result.ok else 1
    if args.db_command == "reindex":
        from clerk_tui.services.context import Context
        from clerk_tui.services.maintenance import reindex

        db = _open(cfg, create=False)
        changed = reindex(Context(db=db, clock=_clock(args, db), config=cfg))
        print(f"検索キーを作り直しました（変更 {changed} 人）。")
        return 0
    if args.db_command == "backup":
        from clerk_tui.services.maintenance import backup

        db = _open(cfg, create=False)
        dest = backup(db, args.dest, allow_db_folder=args.allow_db_folder)
        print(f"バックアップしました: {dest}")
        return 0
    raise AssertionError(args.db_command)


def _fixtures(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui import scenarios

    if args.fixtures_command == "load":
        def load(db):
            return scenarios.load_files(db, args.files, reset=args.reset, clerk_clock=_clock(args))

        if Path(cfg.db).expanduser().exists():
            report = load(_open(cfg))
        else:  # a failed first load leaves no empty database behind
            report = _build_database(cfg, load)
        print(report.summary())
        return 0
    if args.fixtures_command == "generate":
        if args.members < 1:
            raise DomainError("--members は1以上を指定してください。")
        if args.out is not None:
            from clerk_tui.filecheck import check_destination
            from clerk_tui.scenarios.generator import FILE_HEADER, parts_folder

            # Only a scenario file generated earlier may be replaced.
            out = check_destination(args.out, db_path=Path(cfg.db), allow_db_folder=args.allow_db_folder,
                                    replaceable=(FILE_HEADER.encode("utf-8"), "合成データのシナリオファイル"))
            scenarios.generate_file(out, members=args.members, seed=args.seed)
            parts = parts_folder(out)
            where = f"（部品ファイル: {parts}{os.sep}）" if parts.is_dir() else ""
            print(f"{args.members} 人分のシナリオを書き出しました: {args.out}{where}")
            return 0

        def generate(db) -> int:
            return scenarios.generate_into(db, members=args.members, seed=args.seed)

        if not Path(cfg.db).expanduser().exists():
            count = _build_database(cfg, generate)
            print(f"{count} 人分の合成データを {cfg.db} に生成しました。")
            return 0
        db = _open(cfg)
        count = scenarios.generate_into(db, members=args.members, seed=args.seed)
        print(f"{count} 人分の合成データを {cfg.db} に生成しました。")
        return 0
    raise AssertionError(args.fixtures_command)


def _audit(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.db.database import private_umask
    from clerk_tui.services import audit

    if args.audit_command == "anchor":
        anchor_file = args.anchor_file or cfg.audit_anchor_file
        if anchor_file is None:
            raise DomainError("照合点ファイルが指定されていません（--anchor-file または設定 audit_anchor_file）。")
        with private_umask():  # run by root: a -wal/-shm made here must stay the clerks' group's
            db = _open(cfg, create=False)
            # The file is the clerks' to edit: no schema-defined code runs with root's rights.
            db.execute_sql("PRAGMA trusted_schema = OFF")
            result, line = audit.anchor(db, anchor_file, _clock(args, db).now())
        if line is None:
            for problem in result.problems:
                print(f"監査ログに異常があります: {problem}", file=sys.stderr)
            print("照合点は記録しませんでした。", file=sys.stderr)
            return 1
        count, head = audit.head()
        print(f"照合点を記録しました: {anchor_file}（{count} 件、最新ハッシュ {head[:16]}...）")
        return 0
    db = _open(cfg, create=False)
    result = audit.verify([cfg.audit_anchor_file, *(args.anchor_file or [])], db=db)
    for note in result.notes:
        print(f"注意: {note}", file=sys.stderr)
    if result.ok:
        anchored = (f"、照合点 {result.anchors} 件と一致、最新の照合点以後 {result.unanchored} 件"
                    if result.anchors else "、照合点なし")
        print(f"監査ログは正常です（{result.checked} 件を検証{anchored}）。")
        return 0
    for problem in result.problems:
        print(f"監査ログに異常があります: {problem}", file=sys.stderr)
    return 1


def _context(args: argparse.Namespace, cfg: Config):
    from clerk_tui.services.context import Context

    db = _open(cfg, create=False)
    return Context(db=db, clock=_clock(args, db), config=cfg)


def _print(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.domain.codes import DocumentKind
    from clerk_tui.services.issuance import plan_issue
    from clerk_tui.services.members import member_by_code
    from clerk_tui.services.printing import check_output, issue_and_print

    ctx = _context(args, cfg)
    check_output(ctx, args.out, allow_db_folder=args.allow_db_folder)  # before the member is looked up
    kind = DocumentKind.ELIGIBILITY_NOTICE if args.kind == "notice" else DocumentKind.ELIGIBILITY_CERTIFICATE
    member = member_by_code(ctx, args.member)
    plan = plan_issue(ctx, member.id, kind, IssueReason(args.reason), Route(args.route))
    done = issue_and_print(ctx, plan, out=args.out, allow_db_folder=args.allow_db_folder,
                           override_reason=args.override_reason, no_loss_report_reason=args.no_loss_report_reason)
    if done.printed is None:
        if isinstance(done.print_error, (DomainError, OSError)):
            raise DomainError(done.print_error_message()) from done.print_error
        raise done.print_error
    print(f"{kind.label}（{done.issued.document.serial}）を交付しました: {done.printed.path}")
    return _print_status(done.printed)


def _print_status(printed) -> int:
    from clerk_tui.services.printing import PRINT_REQUESTED

    if printed.print_message is None:
        return 0
    if printed.print_message == PRINT_REQUESTED:
        print(printed.print_message)
        return 0
    print(f"エラー: {printed.print_message}（PDF は {printed.path} にあります。"
          f"`clerk-tui reprint {printed.document.serial}` で印刷し直せます）", file=sys.stderr)
    return 1


def _reprint(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.services.printing import reprint

    ctx = _context(args, cfg)
    printed = reprint(ctx, args.serial, out=args.out, allow_db_folder=args.allow_db_folder)
    print(f"{printed.document.kind.label}（{printed.document.serial}）のPDFを作り直しました: {printed.path}")
    return _print_status(printed)


def _batch(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.services.batch import batch_certificates

    ctx = _context(args, cfg)

    def progress(done: int, total: int, employer: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        # Only digits and '#'/'.': written past the safe stream so its carriage return redraws.
        print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="",
              file=getattr(sys.stderr, "raw", sys.stderr), flush=True)

    if args.workers is not None and args.workers < 1:
        raise DomainError("--workers は1以上を指定してください。", field="workers")
    report = batch_certificates(ctx, employer_code=args.employer, progress=progress, workers=args.workers)
    print(file=sys.stderr)
    queued = f"、うち交付待ち {report.requests} 件" if report.requests else ""
    print(f"交付 {report.issued} 件{queued}（前回の中断分 {report.already} 件を含むファイル {len(report.files)} 件）")
    for path in report.files:
        print(f"  {path}")
    for code, reason in report.skipped:
        print(f"  交付しなかった: {code}（{reason}）")
    return 0


def _verify_code(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui.services.context import Context
    from clerk_tui.services.issuance import verify_facility_code

    db = _open(cfg, create=False)
    result = verify_facility_code(Context(db=db, clock=_clock(args, db), config=cfg), args.code)
    print(result.text)
    return 0 if result.status == "valid" else 1


def _member(args: argparse.Namespace, cfg: Config) -> int:
    from clerk_tui import cli_member

    return cli_member.run(args, cfg)


def main(argv: Sequence[str] | None = None) -> int:
    with _terminal_safe_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, default in (("db", None), ("today", None), ("config", [])):
        if not hasattr(args, name):
            setattr(args, name, default)
    commands = {None: _run_app, "run": _run_app, "demo": _demo, "db": _db, "fixtures": _fixtures,
                "audit": _audit, "print": _print, "reprint": _reprint, "batch": _batch,
                "verify-code": _verify_code, "member": _member}
    import peewee

    cfg = None
    try:
        cfg = _config(args)
        return commands[args.command](args, cfg)
    except DomainError as exc:
        print(f"エラー: {exc.message}", file=sys.stderr)
        return 2
    except peewee.DatabaseError as exc:
        path = Path(cfg.db) if cfg is not None else Path("?")
        print(f"エラー: {_database_error(path, exc).message}", file=sys.stderr)
        return 2
    except RecursionError:
        print("エラー: 入れ子が深すぎるデータは扱えません。", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"エラー: {exc}", file=sys.stderr)
        return 2
