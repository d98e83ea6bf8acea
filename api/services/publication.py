"""The public bundle (protocol §13): the engine's files from the run, plus the audit log.

The zip holds the files inside one top-level directory named after the draw; entry times are
fixed so the same files give the same zip bytes.
"""

from __future__ import annotations

import io
import zipfile

from sqlmodel import Session, select

from api import audit
from api.errors import NotFound
from api.lifecycle import State, require_state
from api.models import BundleFile, Draw

__all__ = ["bundle_contents", "bundle_zip"]

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def bundle_contents(session: Session, draw: Draw) -> dict[str, bytes]:
    """Every file of the draw's public bundle, by name."""
    require_state(draw, allowed=(State.DRAWN, State.PUBLISHED), what=("公开数据包", "the bundle"))
    files = {
        row.name: row.content
        for row in session.exec(select(BundleFile).where(BundleFile.draw_id == draw.id))
    }
    if not files:
        raise NotFound("数据包不存在", f"draw {draw.public_id} has no bundle")
    assert draw.id is not None
    events = audit.events_of(session, draw.id)
    if events and events[-1].signature is not None:
        files["audit.jsonl"] = audit.audit_jsonl(events)
        files["audit.sig.json"] = events[-1].signature
    return files


def bundle_zip(session: Session, draw: Draw) -> bytes:
    """The bundle as a zip archive, files under `<draw id>/`, in name order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(bundle_contents(session, draw).items()):
            info = zipfile.ZipInfo(f"{draw.public_id}/{name}", date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()
