"""Witness and ceremony commands for the clerk at the draw PC (protocol §7): every witness file
(§7.9) comes and goes on a USB stick, made on the witness's own machine by the verifier's
witness tool (`verify-draw witness ...`). The files name their draw, so no command asks for it.

    witness add FILE...                 commitment files, before sealing (§7.1)
    witness reveal FILE --out RECEIPT   a reveal file; writes the bureau's reveal receipt (§7.3)
    witness cosign FILE...              co-signature files of the checkpoint or the beacon
    ceremony close DRAW --out FILE      close the reveals: the checkpoint to co-sign (§7.4)
    beacon DRAW --value V --out FILE    the published beacon value: the statement to co-sign
    void DRAW --reason R                the ceremony cannot be completed (§7.8)
    announce DRAW                       the sealing announcement: digest, fingerprint, pin

A refused file (a reveal that does not match, a late reveal, a bad co-signature) is logged in
the audit log (`refused.*`) and changes nothing else; the command names what was wrong.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session, select

from api.clock import utc_now
from api.db import session_scope
from api.errors import InvalidInput, NotFound
from api.models import BeaconValue, Checkpoint, Draw, SignedDocument
from api.operator_support import OPERATOR, DrawId, database, draw_change, operator_signer, reported
from api.refusals import logged_change
from api.services import ceremony, sealing
from api.services.access import find_draw
from api.signer import Signer
from lottery import DrandProof, canonical_json

__all__ = ["announce", "beacon", "ceremony_app", "void", "witness_app"]

witness_app = typer.Typer(
    help="见证人文件 (U 盘): 承诺、揭示、联署 / witness files: commitment, reveal, co-signature",
    no_args_is_help=True,
)
ceremony_app = typer.Typer(help="摇号仪式 / the ceremony", no_args_is_help=True)

Files = Annotated[list[Path], typer.Argument(help="见证人文件 / witness files (§7.9)")]
Out = Annotated[Path, typer.Option(help="写出的文件 (不覆盖) / file to write (never overwritten)")]


def _read(path: Path) -> dict[str, Any]:
    """A witness file as JSON, or `InvalidInput` naming the file."""
    try:
        document = json.loads(path.read_bytes())
    except OSError as error:
        raise InvalidInput(f"无法读取 {path}", f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise InvalidInput(f"{path} 不是 JSON 文件", f"{path} is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise InvalidInput(f"{path} 不是见证人文件", f"{path} is not a witness file (§7.9)")
    return document


def check_free(path: Path) -> None:
    """Refuse to write over an existing file (witness files are never overwritten)."""
    if path.exists():
        raise InvalidInput(f"文件已存在: {path}", f"file exists (never overwritten): {path}")


def _write(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _by_manifest(session: Session, digest: object) -> Draw:
    row = session.exec(
        select(SignedDocument).where(
            SignedDocument.kind == "manifest", SignedDocument.digest == str(digest)
        )
    ).first()
    if row is None:
        raise NotFound(
            f"没有清单摘要为 {str(digest)[:16]}… 的抽签",
            f"no draw has the manifest {str(digest)[:16]}... this file names",
        )
    draw = session.get(Draw, row.draw_id)
    assert draw is not None
    return draw


def _by_signed_digest(session: Session, digest: object) -> Draw:
    """The draw whose checkpoint or beacon statement a co-signature file names."""
    text = str(digest)
    checkpoint = session.exec(select(Checkpoint).where(Checkpoint.digest == text)).first()
    beacon = session.exec(select(BeaconValue).where(BeaconValue.digest == text)).first()
    draw_id = checkpoint.draw_id if checkpoint else beacon.draw_id if beacon else None
    if draw_id is None:
        raise NotFound(
            f"没有摘要为 {text[:16]}… 的检查点或信标声明",
            f"no checkpoint or beacon statement has the digest {text[:16]}... this file names",
        )
    draw = session.get(Draw, draw_id)
    assert draw is not None
    return draw


def _finder(find: Callable[[Session, Any], Draw], key: Any) -> Callable[[Session], Draw]:
    """The draw a file names, looked up by `find` once a session is open."""
    return lambda session: find(session, key)


@contextmanager
def _file_change(
    find: Callable[[Session], Draw], signer: Signer, at: str
) -> Iterator[tuple[Session, Draw]]:
    """One transaction for one witness file; a refusal is logged in its own (api.refusals)."""
    with database() as engine, session_scope(engine) as session:
        draw = find(session)
        with logged_change(session, actor=OPERATOR, at=at, signer=signer):
            yield session, draw


@witness_app.command("add")
def witness_add(files: Files) -> None:
    """登记见证人的承诺文件 (封存前) / register witnesses' commitment files (before sealing)."""
    with reported():
        signer = operator_signer()
        for path in files:
            document = _read(path)
            at = utc_now()
            find = _finder(find_draw, str(document.get("draw")))
            with _file_change(find, signer, at) as (session, draw):
                witness = sealing.commit_file(
                    session, draw, document, holder=None, actor=OPERATOR, at=at, signer=signer
                )
                code, public_id = witness.code, draw.public_id
            typer.echo(
                f"见证人 {code} 已登记承诺 / witness {code} committed ({public_id}): "
                f"{document['commitment']}"
            )


@witness_app.command("reveal")
def witness_reveal(
    files: Annotated[
        list[Path],
        typer.Argument(help="揭示文件, 可多个 / the witnesses' reveal files, one or more"),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="回执文件 (仅一个揭示文件时), 默认 receipt-<见证人>.json / the receipt file"
        ),
    ] = None,
    folder: Annotated[
        Path,
        typer.Option(
            "--dir", help="回执 (和检查点) 写入的文件夹 / folder for the receipts (and checkpoint)"
        ),
    ] = Path(),
    close: Annotated[
        bool,
        typer.Option(
            "--close",
            help="接收后截止揭示, 写出 checkpoint.json / then close the reveals (the checkpoint)",
        ),
    ] = False,
) -> None:
    """接收见证人的揭示文件, 为每位写出教育局签名的回执; 加 --close 随后截止揭示 / accept reveal
    files, writing each witness's receipt; with --close, close the reveals afterwards."""
    if out is not None and len(files) != 1:
        raise typer.BadParameter("--out 只能用于一个揭示文件 / --out takes exactly one reveal file")
    public_id = None
    with reported():
        signer = operator_signer()
        for file in files:
            document = _read(file)
            path = out or folder / f"receipt-{document.get('witness')}.json"
            check_free(path)
            at = utc_now()
            find = _finder(_by_manifest, document.get("manifest"))
            with _file_change(find, signer, at) as (session, draw):
                receipt = ceremony.reveal(
                    session, draw, document, holder=None, actor=OPERATOR, at=at, signer=signer
                )
                public_id = draw.public_id
            _write(path, canonical_json(receipt))
            witness = receipt["witness"]
            typer.echo(
                f"见证人 {witness} 已揭示; 回执已写入 {path}, 请交给该见证人\n"
                f"witness {witness} revealed; receipt written to {path}: hand it back to them"
            )
    if close and public_id is not None:
        ceremony_close(public_id, folder / "checkpoint.json")


@witness_app.command("cosign")
def witness_cosign(files: Files) -> None:
    """接收见证人对检查点或信标声明的联署文件 / accept co-signature files."""
    with reported():
        signer = operator_signer()
        for path in files:
            document = _read(path)
            at = utc_now()
            find = _finder(_by_signed_digest, document.get("digest"))
            with _file_change(find, signer, at) as (session, draw):
                witness, of = ceremony.cosign(
                    session, draw, document, holder=None, actor=OPERATOR, at=at, signer=signer
                )
                missing = ceremony.missing_cosignatures(session, draw, of)
            what = "检查点" if of == "checkpoint" else "信标声明"
            waiting = ", ".join(missing) if missing else "无 / none"
            typer.echo(
                f"见证人 {witness} 已联署{what} / witness {witness} co-signed the {of}; "
                f"尚缺 / still missing: {waiting}"
            )


@ceremony_app.command("open")
def ceremony_open(draw_id: DrawId) -> None:
    """开始摇号仪式 (可省略: 第一份揭示即开始) / open the ceremony (optional)."""
    with reported():
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            ceremony.open_ceremony(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
    typer.echo(f"{draw_id}: 仪式开始 / ceremony open")


@ceremony_app.command("close")
def ceremony_close(draw_id: DrawId, out: Out = Path("checkpoint.json")) -> None:
    """截止揭示, 写出检查点文件供见证人联署 / close the reveals; write the checkpoint file for
    every revealed witness to co-sign (before the beacon's time)."""
    with reported():
        check_free(out)
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            row = ceremony.close_reveals(session, draw, actor=OPERATOR, at=utc_now(), signer=signer)
            document, digest = row.document, row.digest
            revealed = sorted(ceremony.reveal_rows(session, draw))
        _write(out, document)
    typer.echo(
        f"揭示已截止; 检查点 {digest} 写入 {out}\n"
        f"reveals closed; checkpoint {digest} written to {out}\n"
        f"请以下见证人联署 / to be co-signed by: {', '.join(revealed)}"
    )


def beacon(
    draw_id: DrawId,
    value: Annotated[str, typer.Option(help="公开信标值, 与来源公布的一致 / the published value")],
    out: Out = Path("beacon.json"),
    fallback: Annotated[
        bool, typer.Option(help="使用了备用信标 / the declared fallback source was used")
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="使用备用的原因 (必填, 记入日志) / why the fallback")
    ] = None,
    drand_signature: Annotated[
        str | None, typer.Option(help="drand 轮次签名 (可选) / the drand round's signature")
    ] = None,
    drand_previous: Annotated[
        str | None, typer.Option(help="前一轮签名 (链式) / previous signature (chained)")
    ] = None,
) -> None:
    """录入公开信标值, 写出信标声明供见证人联署 / enter the published beacon value; write the
    beacon statement for every revealed witness to co-sign."""
    with reported():
        check_free(out)
        proof = None if drand_signature is None else DrandProof(drand_signature, drand_previous)
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            row = ceremony.enter_beacon(
                session,
                draw,
                used="fallback" if fallback else "primary",
                value=value,
                proof=proof,
                reason=reason,
                actor=OPERATOR,
                at=utc_now(),
                signer=signer,
            )
            document, digest = row.document, row.digest
        assert document is not None
        _write(out, document)
    typer.echo(
        f"信标值已录入; 信标声明 {digest} 写入 {out}, 请见证人核对来源后联署\n"
        f"beacon entered; statement {digest} written to {out}: witnesses check the value at its "
        "source, then co-sign"
    )


def void(
    draw_id: DrawId,
    reason: Annotated[str, typer.Option(help="作废原因 (记入日志) / why (logged)")],
) -> None:
    """作废本次抽签 (联署未到或揭示不足) / void the draw: a co-signature never came, or too few
    witnesses revealed. A re-run is a new draw: `lottery create ... --replaces DRAW`."""
    with reported():
        signer = operator_signer()
        with draw_change(draw_id) as (session, draw):
            ceremony.void(session, draw, reason=reason, actor=OPERATOR, at=utc_now(), signer=signer)
    typer.echo(f"{draw_id}: 已作废 / void ({reason})")


def announce(
    draw_id: DrawId,
    out: Annotated[
        Path | None,
        typer.Option(
            help="写出 manifest.json 和签名供见证人核对 / write the manifest for witnesses"
        ),
    ] = None,
) -> None:
    """封存公告: 清单摘要、密钥指纹和核对码 / the sealing announcement: manifest digest, key
    fingerprint and pin, for the big screen and the notary (§12.6); with `--out DIR`, the sealed
    manifest and its signature for each witness to check (`verify-draw witness check-manifest`)."""
    with reported(), database() as engine, session_scope(engine) as session:
        draw = find_draw(session, draw_id)
        facts = sealing.sealing_announcement(session, draw)
        if out is not None:
            write_sealed_manifest(session, draw, out)
    typer.echo("\n".join(announcement_lines(facts)))


def write_sealed_manifest(session: Session, draw: Draw, out: Path) -> None:
    """`manifest.json` and `manifest.sig.json` into `out`, for each witness to check at sealing
    (`verify-draw witness check-manifest`, §7.10); never over an existing file."""
    stored = sealing.signed_document(session, draw, "manifest")
    if stored is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, data in (("manifest.json", stored.document),
                       ("manifest.sig.json", stored.signature)):  # fmt: skip
        check_free(out / name)
        _write(out / name, data)


def announcement_lines(facts: dict[str, Any]) -> list[str]:
    """The sealing announcement in words (§12.6), Chinese first."""
    return [
        f"封存公告 / sealing announcement: {facts['draw']}",
        f"清单摘要 manifest digest: {facts['manifest_digest']}",
        f"密钥指纹 key fingerprint: {facts['key_fingerprint']}",
        f"核对码 pin:               {facts['pin_display']}",
        "请公证员抄录以上三行并公告 / the notary writes these three lines down and posts them",
    ]
