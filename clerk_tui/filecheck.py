"""Checks on the files an administrator or a clerk points the program at, made before anything is
written: configuration and key files others could change, destinations that would overwrite the
live database or an unrelated file, leftovers of an interrupted write, and the print command.

Every refusal is a DomainError with a Japanese message that names the file and the fix."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path

from clerk_tui.domain.errors import DomainError

SECRET_MIN_BYTES = 32
PDF_MAGIC = b"%PDF-"
PDF = (PDF_MAGIC, "PDF")
FILE_PLACEHOLDER = "{file}"
# The lock file beside a database on which writers queue (clerk_tui/db/write_queue.py).
WRITE_LOCK_SUFFIX = ".write-lock"
# The companions kept beside a database file: writing any of them corrupts it (SQLite's) or
# splits the writers' queue in two (the lock file).
DB_COMPANIONS = ("", "-wal", "-shm", "-journal", WRITE_LOCK_SUFFIX)


def _owner_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def check_trusted_file(path: Path, what: str, *, secret: bool = False) -> os.stat_result:
    """Refuse a file whose content others could have chosen: not owned by root or by the user
    running the program, or writable by others; a secret must not be readable by others either."""
    st = path.stat()
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid not in (0, os.getuid()):
        raise DomainError(
            f"{what} {path} の所有者（{_owner_name(st.st_uid)}）が root でも実行中のユーザー"
            f"（{_owner_name(os.getuid())}）でもないため使いません。"
            f"所有者を root か本人に変更してください（例: sudo chown root {path}）。")
    if mode & stat.S_IWOTH:
        raise DomainError(
            f"{what} {path} は他のユーザーも書き換えられる設定です（権限 {mode:o}）。"
            f"安全のため使いません。修正: chmod o-w {path}")
    if secret and mode & stat.S_IROTH:
        raise DomainError(
            f"{what} {path} は他のユーザーも読める設定です（権限 {mode:o}）。"
            f"鍵が漏れるため使いません。修正: chmod o-rwx {path}")
    return st


def read_secret_file(path: Path, what: str = "施設確認コードの鍵ファイル") -> bytes:
    """The key in `path` (surrounding whitespace removed), after the ownership and permission
    checks; at least SECRET_MIN_BYTES long."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise DomainError(f"{what} {path} がありません（設定 facility_secret_file）。")
    check_trusted_file(path, what, secret=True)
    data = path.read_bytes().strip()
    if len(data) < SECRET_MIN_BYTES:
        raise DomainError(
            f"{what} {path} が短すぎます（{len(data)}バイト。{SECRET_MIN_BYTES}バイト以上が必要です）。"
            f"作り直し: head -c 32 /dev/urandom | base64 > {path}")
    return data


def check_database_folder(folder: Path) -> None:
    """A folder others may write to lets them plant or swap the database's -wal and -shm files."""
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & stat.S_IWOTH:
        raise DomainError(
            f"データベースのフォルダ {folder} は他のユーザーも書き込める設定です（権限 {mode:o}）。"
            f"個人情報保護のため起動しません。修正: chmod o-w {folder}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


def database_files(db_path: Path) -> list[Path]:
    db_path = Path(db_path).expanduser()
    return [db_path.with_name(db_path.name + suffix) for suffix in DB_COMPANIONS]


def check_destination(dest: Path, *, db_path: Path | None, replaceable: tuple[bytes, str] | None,
                      create_folder: bool = False, allow_db_folder: bool = False,
                      option: str = "--out") -> Path:
    """Where a command is about to write `dest`, checked before anything is written. Refused: the
    live database or one of its companions, a folder, a missing folder (unless `create_folder`),
    an existing file unless it starts with the `replaceable` prefix (a PDF made earlier may be
    replaced by a PDF; None: never replace), and — unless `allow_db_folder` — a file in the
    database's own folder. Returns the absolute path."""
    dest = Path(dest).expanduser()
    absolute = Path(os.path.abspath(dest))
    if db_path is not None:
        for live in database_files(db_path):
            if _same_file(absolute, live):
                what = "そのもの" if live.name == Path(db_path).name else "の付属ファイル"
                raise DomainError(
                    f"{option} {dest} は稼働中のデータベース{what}（{live.name}）です。"
                    "上書きすると壊れるため書き出しません。別のフォルダのファイル名を指定してください。",
                    field=option)
    if absolute.is_dir():
        raise DomainError(f"{option} {dest} はフォルダです。ファイル名まで指定してください。", field=option)
    folder = absolute.parent
    if not folder.is_dir():
        if not create_folder:
            raise DomainError(
                f"{option} の出力先フォルダ {folder} がありません。"
                "フォルダを作成してから実行してください（何も書き出していません）。", field=option)
    elif not os.access(folder, os.W_OK | os.X_OK):
        raise DomainError(f"{option} の出力先フォルダ {folder} に書き込む権限がありません。", field=option)
    if db_path is not None and not allow_db_folder:
        db_folder = Path(os.path.abspath(Path(db_path).expanduser())).parent
        if _same_file(folder, db_folder):
            raise DomainError(
                f"{option} {dest} はデータベースと同じフォルダ（{db_folder}）です。"
                "データベースのフォルダには書き出しません。別のフォルダを指定するか、"
                "承知のうえで --allow-db-folder を付けてください。", field=option)
    if absolute.exists() or absolute.is_symlink():
        if replaceable is None:
            raise DomainError(f"{option} {dest} は既にあるファイルです。上書きしません。"
                              "新しいファイル名を指定してください。", field=option)
        prefix, label = replaceable
        if absolute.is_file() and not absolute.is_symlink():
            with absolute.open("rb") as fh:
                if fh.read(len(prefix)) == prefix:
                    return absolute  # made by this program earlier: replaced atomically
        raise DomainError(
            f"{option} {dest} は{label}ではない既存のファイルです。上書きしません。"
            "新しいファイル名を指定してください。", field=option)
    return absolute


def remove_stale_temporaries(folder: Path, pattern: str) -> list[Path]:
    """Remove leftovers of an interrupted write (named `pattern`, whose second dot-separated
    field from the end is the writer's process id) whose process is gone."""
    removed = []
    if not folder.is_dir():
        return removed
    for p in folder.glob(pattern):
        pid = _pid_in(p.name)
        if pid is not None and (pid == os.getpid() or _alive(pid)):
            continue  # this run's own, or another run is writing it right now
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            pass
    return removed


def _pid_in(name: str) -> int | None:
    parts = name.split(".")
    return int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def print_command_args(command: str | Sequence[str] | None) -> list[str] | None:
    """The configured print command as an argument list (never run through a shell). A string
    is split like a shell would split it, but nothing else of a shell applies. `{file}` must be
    a whole argument, so a file name cannot become part of a shell script; without it, the file
    is the last argument."""
    if not command:
        return None
    if isinstance(command, str):
        try:
            args = shlex.split(command)
        except ValueError as exc:
            raise DomainError(f"設定 print_command の書き方に誤りがあります（{exc}）。") from None
    elif isinstance(command, (list, tuple)) and all(isinstance(a, str) for a in command):
        args = list(command)
    else:
        raise DomainError("設定 print_command は文字列か文字列の配列で書いてください。")
    if not args:
        return None
    for a in args:
        if FILE_PLACEHOLDER in a and a != FILE_PLACEHOLDER:
            raise DomainError(
                f"設定 print_command の引数「{a}」に {FILE_PLACEHOLDER} が埋め込まれています。"
                f"ファイル名がコマンドとして解釈されるおそれがあるため、{FILE_PLACEHOLDER} は"
                "単独の引数として書いてください（例: [\"lp\", \"-d\", \"PRINTER\", \"{file}\"]）。")
    if FILE_PLACEHOLDER not in args:
        args.append(FILE_PLACEHOLDER)
    return args


def check_print_command(command: str | Sequence[str] | None) -> list[str] | None:
    """The print command's argument list, refused when its program cannot be found."""
    args = print_command_args(command)
    if args is not None and shutil.which(args[0]) is None:
        raise DomainError(
            f"印刷コマンド {args[0]} が見つかりません（設定 print_command）。"
            "コマンド名とパスを確かめてください（何も交付していません）。")
    return args


def fill_print_command(args: Sequence[str], path: Path) -> list[str]:
    """The argument list for printing `path` (absolute, so it can never look like an option)."""
    absolute = str(Path(os.path.abspath(path)))
    return [absolute if a == FILE_PLACEHOLDER else a for a in args]


def toml_error(exc: ValueError) -> str:
    """A TOML syntax error (tomllib's English text) as a Japanese message with its line and column."""
    text = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", text)
    where = f"{m[1]}行目 {m[2]}文字目: " if m else ""
    reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", text)
    return f"{where}TOML の書き方に誤りがあります（{reason}）。引用符・括弧・= の抜けを確かめてください。"
