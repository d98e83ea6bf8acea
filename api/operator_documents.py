"""`lottery documents ...`: every document of a draw, from the service's database or from a
published bundle (anyone can rebuild the public ones).

    documents applicants DRAW --out FILE [notice options]  摇号前公示: the masked applicant list
    documents public DRAW --out DIR [notice options]      公示名单, 过程记录 (zh, en), workbook,
                                                          CSV, class lists
    documents from-bundle BUNDLE --out DIR [options]      the same, from a published bundle
    documents letters DRAW --out DIR [--per-file N]       结果通知书 in bulk, N letters a file
    documents school-register DRAW SCHOOL --out FILE      the school's unmasked register: NOT
                                                          PUBLIC, each download audit-logged

Files are written whole or not at all: into a fresh directory renamed into place at the end.
Times given (`--posted-at 2026-07-10 09:30`) are local (setting zone, Asia/Shanghai default).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from api.clock import utc_now
from api.db import session_scope
from api.documents import DocumentError
from api.documents.announcement import Notice
from api.documents.catalogue import RecordDetails, document_title, public_documents
from api.documents.letters import result_letter_files
from api.documents.messages import DEFAULT_ZONE, utc_from_local
from api.documents.school_lists import class_lists_pdf
from api.documents.stored import (
    applicant_notice,
    letter_recipients,
    school_register,
    stored_bundle,
)
from api.errors import InvalidInput
from api.lifecycle import transaction
from api.operator_support import OPERATOR, DrawId, database, operator_signer, reported
from api.progress import step
from api.services.access import find_draw
from api.services.publication import index_documents
from lottery import Bundle, LotteryError, read_bundle

__all__ = ["documents_app"]

documents_app = typer.Typer(
    help="摇号文书 / documents of a draw (公示, 过程记录, 通知书, 名册)", no_args_is_help=True
)

Out = Annotated[Path, typer.Option(help="a new (or empty) directory")]
PostedAt = Annotated[str | None, typer.Option(help="公示日期, local: '2026-07-10 09:30'")]
Deadline = Annotated[str | None, typer.Option(help="异议截止, local: '2026-07-15 17:00'")]
Contact = Annotated[str, typer.Option(help="异议受理联系方式 (who and phone)")]
LookupUrl = Annotated[str, typer.Option(help="short link to the look-up page (QR code)")]
Place = Annotated[str, typer.Option(help="where the draw was held (draw record)")]
Present = Annotated[list[str] | None, typer.Option("--present", help="a person present")]
Zone = Annotated[str, typer.Option(help="local time zone")]


@contextmanager
def _documents_reported() -> Iterator[None]:
    """A document or bundle error becomes the service's bilingual error (exit 1)."""
    with reported():
        try:
            yield
        except (DocumentError, LotteryError) as error:
            raise InvalidInput(f"文书未生成：{error}", f"no document made: {error}") from None


def _write_all(out: Path, documents: Iterator[tuple[str, bytes]]) -> None:
    """Write into the new or empty directory `out`, whole or not at all."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InvalidInput(f"输出目录不是空目录: {out}", f"output directory is not empty: {out}")
    fresh = out.with_name(f".{out.name}.partial-{os.getpid()}")
    fresh.mkdir(parents=True)
    try:
        for name, data in documents:
            (fresh / name).write_bytes(data)
    except BaseException:
        for written in fresh.iterdir():
            written.unlink()
        fresh.rmdir()
        raise
    if out.exists():
        out.rmdir()
    fresh.rename(out)


def _public(
    bundle: Bundle, notice: Notice, record: RecordDetails, zone: str
) -> Iterator[tuple[str, bytes]]:
    tell: Callable[[str], None] = lambda name: typer.echo(f"  {name}", err=True)  # noqa: E731
    yield from public_documents(
        bundle, notice=notice, record=record, zone=zone, progress=tell
    ).items()
    yield "均衡编班名单.pdf", class_lists_pdf(bundle)


def _notice(
    posted_at: str | None, deadline: str | None, contact: str, lookup_url: str, zone: str
) -> Notice:
    return Notice(
        posted_at=None if posted_at is None else utc_from_local(posted_at, zone),
        objection_deadline=None if deadline is None else utc_from_local(deadline, zone),
        contact=contact,
        lookup_url=lookup_url,
    )


@documents_app.command("public")
def public_command(
    draw_id: DrawId,
    out: Out,
    posted_at: PostedAt = None,
    deadline: Deadline = None,
    contact: Contact = "",
    lookup_url: LookupUrl = "",
    place: Place = "",
    present: Present = None,
    zone: Zone = DEFAULT_ZONE,
) -> None:
    """The public documents of a stored draw (after the run)."""
    with _documents_reported(), database() as engine, session_scope(engine) as session:
        notice = _notice(posted_at, deadline, contact, lookup_url, zone)
        bundle = stored_bundle(session, find_draw(session, draw_id))
        printed = notice.posted_at or utc_now()
        record = RecordDetails(
            printed, place or bundle.manifest.rules.authority, tuple(present or ())
        )
        with step(f"生成文书 / making the documents of {draw_id}"):
            documents = dict(_public(bundle, notice, record, zone))
        # listed in the signed index with their SHA-256 (§13.5), in the same transaction
        with transaction(session):  # all or nothing: the index changes only if the files land
            index_documents(session, find_draw(session, draw_id), documents,
                            titles=document_title, signer=operator_signer())  # fmt: skip
            _write_all(out, iter(documents.items()))
    typer.echo(str(out))
    typer.echo(
        f"{len(documents)} 份文书已列入签名索引 / documents listed in the signed index (§13.5)"
    )


@documents_app.command("applicants")
def applicants_command(
    draw_id: DrawId,
    out: Annotated[Path, typer.Option(help="a new .pdf file")],
    posted_at: PostedAt = None,
    deadline: Deadline = None,
    contact: Contact = "",
    zone: Zone = DEFAULT_ZONE,
) -> None:
    """The masked applicant list before the draw (摇号前公示), for the objection period."""
    with _documents_reported(), database() as engine, session_scope(engine) as session:
        if out.exists():
            raise InvalidInput(f"文件已存在: {out}", f"file exists: {out}")
        notice = _notice(posted_at, deadline, contact, "", zone)
        data = applicant_notice(
            session, find_draw(session, draw_id), notice=notice, at=notice.posted_at or utc_now()
        )
        partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
        partial.write_bytes(data)
        partial.rename(out)
    typer.echo(str(out))


@documents_app.command("from-bundle")
def from_bundle_command(
    bundle_path: Annotated[Path, typer.Argument(help="a published bundle: directory or zip")],
    out: Out,
    posted_at: PostedAt = None,
    deadline: Deadline = None,
    contact: Contact = "",
    lookup_url: LookupUrl = "",
    place: Place = "",
    present: Present = None,
    zone: Zone = DEFAULT_ZONE,
) -> None:
    """The public documents rebuilt from a published bundle (no database needed)."""
    with _documents_reported():
        notice = _notice(posted_at, deadline, contact, lookup_url, zone)
        bundle = read_bundle(bundle_path)
        printed = notice.posted_at or bundle.manifest.sealed_at
        record = RecordDetails(
            printed, place or bundle.manifest.rules.authority, tuple(present or ())
        )
        _write_all(out, _public(bundle, notice, record, zone))
    typer.echo(str(out))


def _letter_names(
    files: Iterator[tuple[int, bytes]], *, per_file: int, total: int
) -> Iterator[tuple[str, bytes]]:
    for start, data in files:
        end = min(start + per_file, total)
        typer.echo(f"  结果通知书 letters {start + 1}-{end} / {total}", err=True)
        yield f"结果通知书-{start + 1:06d}-{end:06d}.pdf", data


@documents_app.command("letters")
def letters_command(
    draw_id: DrawId,
    out: Out,
    per_file: Annotated[int, typer.Option(min=1, help="letters per PDF file")] = 2000,
    lookup_url: LookupUrl = "",
    language: Annotated[str, typer.Option(help="zh or en")] = "zh",
    zone: Zone = DEFAULT_ZONE,
) -> None:
    """The families' result letters (结果通知书), in files of `per_file` letters."""
    with _documents_reported(), database() as engine, session_scope(engine) as session:
        draw = find_draw(session, draw_id)
        bundle = stored_bundle(session, draw)
        recipients = letter_recipients(session, draw)
        files = result_letter_files(
            bundle,
            recipients,
            per_file=per_file,
            language=language,
            lookup_url=lookup_url,
            zone=zone,
        )
        _write_all(out, _letter_names(files, per_file=per_file, total=len(recipients)))
    typer.echo(str(out))


@documents_app.command("school-register")
def school_register_command(
    draw_id: DrawId,
    school: Annotated[str, typer.Argument(help="the admitting school's id")],
    out: Annotated[Path, typer.Option(help="a new .xlsx file")],
) -> None:
    """The admitting school's register with full names and ID numbers. NOT PUBLIC: give it to
    that school only; the download is written to the audit log."""
    with _documents_reported():
        if out.exists():
            raise InvalidInput(f"文件已存在: {out}", f"file exists: {out}")
        signer = operator_signer()
        with database() as engine, session_scope(engine) as session:
            draw = find_draw(session, draw_id)
            data = school_register(
                session, draw, school, actor=OPERATOR, at=utc_now(), signer=signer
            )
        partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
        partial.write_bytes(data)
        partial.rename(out)
    typer.echo(f"{out} (已记入审计日志 / recorded in the audit log)")
