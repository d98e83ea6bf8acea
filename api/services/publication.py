"""The public bundle (protocol §13): the engine's files from the run, with the audit log as it
stands and the signed index over every file and the public documents (§13.5).

The log grows after the run, so the bundle is a snapshot: `refresh_bundle` (at the run, at
publication, after each post-draw action, and when the public documents are indexed) puts the
log as it stands, its signature and a new signed index into the stored files; the index's head
is then the bundled log's last entry, as §13.5 requires, and the engine's `check_audit_log`
binds the log to the signed documents first. The zip holds the files inside one top-level directory named after the draw; entry times are
fixed so the same files give the same zip bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping, Sequence

from sqlmodel import Session, select

from api import audit
from api.errors import NotFound
from api.lifecycle import State, require_state
from api.models import BundleFile, Draw
from api.services.sealing import DataChanged, sealed_manifest
from api.signer import Signer
from lottery import (
    AuditHead,
    BundleError,
    check_audit_log,
    index_digest,
    index_document,
    parse_audit_log,
    parse_canonical,
)
from lottery.encoding import canonical_json
from lottery.hashing import tagged_hash

__all__ = ["bundle_contents", "bundle_zip", "index_documents", "refresh_bundle"]

_LOG_AND_INDEX = ("audit.jsonl", "audit.sig.json", "index.json", "index.sig.json")

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def bundle_contents(session: Session, draw: Draw) -> dict[str, bytes]:
    """Every file of the draw's public bundle (its last snapshot), by name."""
    require_state(draw, allowed=(State.DRAWN, State.PUBLISHED), what=("公开数据包", "the bundle"))
    files = {
        row.name: row.content
        for row in session.exec(select(BundleFile).where(BundleFile.draw_id == draw.id))
    }
    if not files:
        raise NotFound("数据包不存在", f"draw {draw.public_id} has no bundle")
    return files


def refresh_bundle(
    session: Session,
    draw: Draw,
    *,
    signer: Signer,
    documents: Sequence[tuple[str, str, bytes]] | None = None,
) -> None:
    """Store the bundle with the log as it stands and a new signed index listing `documents`
    ((file name, title, bytes) of the public documents published beside it, §13.5); without
    `documents`, the index keeps the documents the previous index listed (a post-draw action
    does not unlist what was posted). `DataChanged` if the log is broken or does not bind to
    the signed documents (§15.3)."""
    previous = session.exec(
        select(BundleFile).where(BundleFile.draw_id == draw.id, BundleFile.name == "index.json")
    ).first()
    kept = [] if previous is None else parse_canonical(previous.content)["documents"]
    files = {
        name: data
        for name, data in bundle_contents(session, draw).items()
        if name not in _LOG_AND_INDEX
    }
    assert draw.id is not None
    events = audit.events_of(session, draw.id)
    try:
        audit.check_chain(events, draw.public_id)
    except audit.AuditChainBroken as error:
        raise DataChanged("审计日志链断裂, 拒绝继续", f"the audit log is broken: {error}") from None
    last = events[-1]
    assert last.signature is not None
    files["audit.jsonl"] = audit.audit_jsonl(events, draw.public_id)
    files["audit.sig.json"] = last.signature
    head = AuditHead(seq=last.seq, hash=last.entry_hash)
    manifest, digest = sealed_manifest(session, draw)
    actions = files.get("actions.json")
    try:
        check_audit_log(
            parse_audit_log(files["audit.jsonl"]),
            manifest_digest=digest,
            manifest=manifest,
            ceremony_doc=parse_canonical(files["ceremony.json"]),
            results_digest=tagged_hash("results", files["results.json"]),
            actions_doc=None if actions is None else parse_canonical(actions),
            index_head=head,
            results_head=parse_canonical(files["results.json"])["audit"],
        )
        index = index_document(digest, files, documents or (), head)
        if documents is None:
            index["documents"] = kept
    except BundleError as error:
        raise DataChanged(
            f"审计日志与已签名文件不符, 拒绝继续: {error}", f"refusing the bundle: {error}"
        ) from None
    files["index.json"] = canonical_json(index)
    files["index.sig.json"] = signer.signature_file("index", index_digest(index))
    for name in _LOG_AND_INDEX:
        row = session.exec(
            select(BundleFile).where(BundleFile.draw_id == draw.id, BundleFile.name == name)
        ).first()
        if row is None:
            row = BundleFile(draw_id=draw.id, name=name, content=b"")
        row.content = files[name]
        session.add(row)
    session.flush()


def index_documents(
    session: Session,
    draw: Draw,
    documents: Mapping[str, bytes],
    *,
    titles: Callable[[str], str],
    signer: Signer,
) -> None:
    """List the public documents posted beside the bundle in its signed index (§13.5), with
    each one's SHA-256: a printed or downloaded copy, or a hosted copy of the family's check
    script, can then be checked against the index with any tool. Replaces the list."""
    require_state(draw, allowed=(State.DRAWN, State.PUBLISHED), what=("文书入索引", "indexing"))
    names = sorted(documents, key=str.encode)
    # No audit entry of its own: the draw record is made from the log, so an entry here would
    # change the very document being listed. The signed index is the record of this step.
    refresh_bundle(
        session, draw, signer=signer, documents=[(n, titles(n), documents[n]) for n in names]
    )


def bundle_zip(session: Session, draw: Draw) -> bytes:
    """The bundle as a zip archive, files under `<draw id>/`, in name order."""
    buffer = io.BytesIO()
    contents = bundle_contents(session, draw)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(contents.items()):
            info = zipfile.ZipInfo(f"{draw.public_id}/{name}", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
