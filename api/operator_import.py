"""Operator commands to define a draw and keep its list right until sealing (`lottery ...`).

    init [FILE.xlsx]                                  a filled-in draw workbook to edit
    create FILE.xlsx|SPEC.json [--bureau CODE]        the draw, from the workbook (or JSON)
    template DRAW --out FILE.xlsx                     the applicant list template, drop-downs
    import DRAW FILE [--map H=F] [--ignore H]         the list, all or nothing; saves receipts

Corrections (correct, withdraw, replace) and receipts printed again are in
`api.operator_corrections`.

Receipts go to `SUNSHINE_DATA_DIR/<draw>/receipts/` unless `--receipts DIR`/`--out DIR` says
otherwise, as a PDF (one page per family) and a CSV for an SMS system, readable by the
operator's account only; the command prints where they are.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlmodel import Session, select

from api.clock import utc_now
from api.db import session_scope
from api.draw_workbook import draw_template_xlsx, read_draw_workbook
from api.errors import InvalidInput, NotFound
from api.lifecycle import transaction
from api.models import Bureau
from api.operator_support import (
    OPERATOR,
    DrawId,
    database,
    draw_change,
    invalid_input,
    operator_settings,
    operator_signer,
    problem_report_csv,
    reported,
)
from api.progress import print_error, step
from api.schemas import ApplicantCreated, DrawCreate
from api.services import applicants, ceremony, draws, receipts
from api.services.access import find_draw
from api.services.applicant_template import applicant_template_xlsx
from api.services.column_choices import column_choices

__all__ = ["app", "read_draw_definition", "receipts_dir", "save_receipts", "tell_receipts"]

app = typer.Typer(help="抽签定义、导入与更正 / define, import, correct", no_args_is_help=True)

Application = Annotated[str, typer.Argument(help="报名号 / the application number")]
Reason = Annotated[str, typer.Option(help="原因 (写入审计日志, 不写姓名和身份证号) / reason")]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise InvalidInput(
            f"无法读取文件 {path}", f"cannot read {path}: {error.strerror}"
        ) from None


def read_draw_definition(path: Path) -> DrawCreate:
    """The draw's rules from a workbook (`lottery init`) or a JSON spec (`POST /api/draws`)."""
    data = _read(path)
    if path.suffix.lower() in (".xlsx", ".xlsm") or data.startswith(b"PK"):
        return read_draw_workbook(data, filename=path.name)
    try:
        return DrawCreate.model_validate_json(data)
    except ValidationError as error:
        raise invalid_input(error, ("抽签规则文件", f"draw spec {path}")) from None


@app.command()
def init(
    out: Annotated[Path, typer.Argument(help="新工作簿 / the new workbook")] = Path(
        "抽签定义 draw.xlsx"
    ),
) -> None:
    """写出填好示例的抽签定义工作簿 / write a filled-in draw workbook to edit."""
    if out.exists():
        typer.echo(f"文件已存在 / file exists: {out}", err=True)
        raise typer.Exit(1)
    with reported():
        _write_file(out, draw_template_xlsx())
    typer.echo(f"{out}\n修改后运行 / edit it, then run: lottery create {out}")


def _write_file(path: Path, data: bytes) -> None:
    try:
        with path.open("xb") as handle:
            handle.write(data)
    except OSError as error:
        raise InvalidInput(
            f"无法写入文件 {path}", f"cannot write {path}: {error.strerror}"
        ) from None


def _bureau(session: Session, code: str | None) -> Bureau:
    rows = list(session.exec(select(Bureau)))
    if code is None and len(rows) == 1:
        return rows[0]
    if code is None:
        raise InvalidInput(
            f"有 {len(rows)} 个教育局, 请用 --bureau 指定",
            f"{len(rows)} bureaus are registered; name one with --bureau",
        )
    for row in rows:
        if row.code == code:
            return row
    raise NotFound(f"没有代码为 {code} 的教育局", f"no bureau with code {code}")


@app.command()
def create(
    spec: Annotated[Path, typer.Argument(help="抽签定义工作簿 (lottery init) 或 JSON")],
    bureau: Annotated[str | None, typer.Option(help="教育局代码 (有多个时) / bureau code")] = None,
    update: Annotated[
        bool, typer.Option(help="修改已创建的草稿的规则 / replace the rules of the draft draw")
    ] = False,
    replaces: Annotated[
        str | None, typer.Option(help="重新抽签: 被作废的抽签编号 / the void draw this re-runs")
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="重新抽签的原因 / why the re-run (with --replaces)")
    ] = None,
) -> None:
    """按工作簿创建抽签 (草稿) / create a draw in draft from the workbook (or a JSON spec).

    After editing the workbook again, `--update` replaces the rules of the draw while it is a
    draft (before the objection period)."""
    with reported():
        rules = read_draw_definition(spec)
        signer = operator_signer()
        if update:
            with draw_change(rules.id) as (session, draw):
                draws.update_rules(
                    session, draw, spec=rules, actor=OPERATOR, at=utc_now(), signer=signer
                )
            typer.echo(f"{rules.id}: rules replaced / 规则已更新")
            return
        with database() as engine, session_scope(engine) as session, transaction(session):
            owner = _bureau(session, bureau)
            assert owner.id is not None
            draw = draws.create_draw(
                session, spec=rules, bureau_id=owner.id, actor=OPERATOR, at=utc_now(), signer=signer
            )
            if replaces is not None:
                ceremony.set_replaces(
                    session,
                    draw,
                    void_draw=find_draw(session, replaces),
                    reason=reason or "",
                    actor=OPERATOR,
                    at=utc_now(),
                    signer=signer,
                )
            public_id = draw.public_id
    typer.echo(public_id)


@app.command()
def template(
    draw_id: DrawId,
    out: Annotated[Path, typer.Option(help="考生名单模板 .xlsx / the applicant template")],
) -> None:
    """写出本次抽签的考生名单模板 (学校、类别下拉选择) / the applicant template, drop-downs."""
    with reported(), database() as engine, session_scope(engine) as session:
        if out.exists():
            raise InvalidInput(f"文件已存在: {out}", f"file exists: {out}")
        _write_file(out, applicant_template_xlsx(session, find_draw(session, draw_id)))
    typer.echo(str(out))


def receipts_dir(draw_id: str, given: Path | None) -> Path:
    return given or operator_settings().data_dir / draw_id / "receipts"


def save_receipts(
    draw_id: str, applications: list[str] | None, directory: Path, *, reprint: bool
) -> tuple[list[Path], Path, int]:
    """Write the receipts as PDFs (one per 1,000 families, for printing in batches) and one
    CSV, owner-only files; returns their paths and the number of children.

    The rows are read in one short transaction; the pages are laid out after it, so a long
    list does not hold the draw while it prints."""
    settings = operator_settings()
    signer = operator_signer()
    at = utc_now()
    with draw_change(draw_id) as (session, draw):
        if reprint:
            files = receipts.print_receipts(
                session,
                draw,
                applications=applications,
                actor=OPERATOR,
                at=at,
                signer=signer,
                lookup_url=settings.public_base_url,
            )
        else:
            files = receipts.receipt_files(
                session,
                draw,
                applications=applications,
                signer=signer,
                lookup_url=settings.public_base_url,
                at=at,
            )
    directory.mkdir(parents=True, exist_ok=True)
    stem = f"回执 receipts {draw_id} {at.replace('-', '').replace(':', '')}"
    csv = _write_new(directory, stem, "csv", files.csv())
    parts = files.pdf_parts()
    pdfs = []
    with step(f"回执 / laying out receipts for {files.children} children"):
        for number, pdf in enumerate(parts, start=1):
            name = stem if len(parts) == 1 else f"{stem} part {number}"
            pdfs.append(_write_new(directory, name, "pdf", pdf()))
    return pdfs, csv, files.children


def _write_new(directory: Path, stem: str, suffix: str, data: bytes) -> Path:
    """A new owner-only file (never overwrites: -2, -3, ... when the name is taken)."""
    for number in range(1, 1000):
        path = directory / (f"{stem}.{suffix}" if number == 1 else f"{stem}-{number}.{suffix}")
        try:
            with path.open("xb") as handle:
                path.chmod(0o600)
                handle.write(data)
        except FileExistsError:
            continue
        return path
    raise InvalidInput(f"无法在 {directory} 中新建文件", f"cannot create a new file in {directory}")


@app.command("import")
def import_command(
    draw_id: DrawId,
    file: Annotated[Path, typer.Argument(help="考生名单 .csv 或 .xlsx / the applicant list")],
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="表头=字段, 如 家庭类型=类别 / HEADER=FIELD (repeatable)"),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="明确忽略的列 / a column to leave out (repeatable)")
    ] = None,
    receipts_dir: Annotated[
        Path | None, typer.Option("--receipts", help="回执保存目录 / where receipts are saved")
    ] = None,
) -> None:
    """导入考生名单 (全部或全不), 保存回执 / import the list, all or nothing; save receipts.

    A rejection writes FILE.problems.csv. An unknown column refuses the import until it is
    mapped (--map) or ignored (--ignore), or named in a 列对应 sheet of the workbook.
    """
    with reported():
        data = _read(file)
        choices = column_choices(map_ or [], ignore or [])
        signer = operator_signer()
        try:
            with step(f"导入考生 / importing {file.name}"), draw_change(draw_id) as (s, draw):
                summary = applicants.import_list(
                    s,
                    draw,
                    data=data,
                    filename=file.name,
                    actor=OPERATOR,
                    at=utc_now(),
                    signer=signer,
                    choices=choices,
                )
        except InvalidInput as error:
            if not error.problems:
                raise
            report = file.with_name(file.name + ".problems.csv")
            report.write_bytes(problem_report_csv(error))
            print_error(error, more=f"问题报告 / problem report: {report}")
            raise typer.Exit(1) from None
        typer.echo(f"imported {len(summary.created)} applicants into {draw_id}")
        _tell_columns(summary)
        tell_receipts(draw_id, summary.created, receipts_dir)


def _tell_columns(summary: applicants.ImportSummary) -> None:
    for header, field in summary.mapped_columns:
        typer.echo(f"  列 column {header} -> {field}")
    for header in summary.ignored_columns:
        typer.echo(f"  已忽略的列 ignored column: {header}")
    for warning in summary.warnings:
        typer.echo(f"  注意 note: {warning}")


def tell_receipts(draw_id: str, created: list[ApplicantCreated], given: Path | None) -> None:
    """Save the receipts of the children just created, and say where they are."""
    pdfs, csv, count = save_receipts(
        draw_id, [c.application for c in created], receipts_dir(draw_id, given), reprint=False
    )
    typer.echo(f"回执 receipts ({count}): {pdfs[0]}")
    for pdf in pdfs[1:]:
        typer.echo(f"  {pdf}")
    typer.echo(f"短信 CSV for SMS: {csv}")
    typer.echo("回执含回执码, 请妥善保管 / receipts hold the codes: keep them safe")
    url = operator_settings().public_base_url
    if "localhost" in url or "127.0.0.1" in url:
        typer.echo(
            f"注意: 回执上的查询网址是 {url}; 请设置 SUNSHINE_PUBLIC_BASE_URL 后用 lottery receipts "
            f"重新打印 / note: the receipts give the look-up address {url}; set "
            "SUNSHINE_PUBLIC_BASE_URL and print them again with lottery receipts",
            err=True,
        )
