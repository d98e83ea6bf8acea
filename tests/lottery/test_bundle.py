"""Public bundles, protocol §13: layout, canonical files, signatures, nothing personal."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sample_draws import (
    Child,
    plain_school,
    record_for,
    rules_for,
    signing_test_key,
    test_draw,
)

from lottery import (
    BundleError,
    EncodingError,
    InvalidRecord,
    LotteryError,
    SignatureError,
    actions_from_document,
    canonical_json,
    index_digest,
    read_bundle,
    sign_document,
    tagged_hash,
    write_bundle,
)
from lottery.index import index_document

CHILDREN = [Child(f"A{i:02d}", group="TW" if i < 2 else None) for i in range(8)]


@pytest.fixture(scope="module")
def drawn():  # type: ignore[no-untyped-def]
    return test_draw(rules_for([plain_school(3)]), CHILDREN, label="bundle")


@pytest.fixture(scope="module")
def result(drawn):  # type: ignore[no-untyped-def]
    return drawn[0]


def _write(directory: Path, drawn, **kwargs) -> None:  # type: ignore[no-untyped-def]
    write_bundle(directory, drawn[0], log=drawn[1], signing_key=signing_test_key(), **kwargs)


@pytest.fixture
def bundle_dir(tmp_path: Path, drawn) -> Path:  # type: ignore[no-untyped-def]
    _write(tmp_path / "bundle", drawn)
    return tmp_path / "bundle"


def _reindex(bundle_dir: Path) -> None:
    """Re-make and re-sign index.json after a change, as the key holder can (§13.5): the
    checks behind the index are then the ones tested."""
    index = json.loads((bundle_dir / "index.json").read_bytes())
    files = {p.name: p.read_bytes() for p in bundle_dir.iterdir()}
    from lottery import AuditHead

    digest = tagged_hash("manifest", files["manifest.json"])
    fresh = index_document(digest, files, (), AuditHead(**index["audit"]))
    (bundle_dir / "index.json").write_bytes(canonical_json(fresh))
    signature = sign_document("index", index_digest(fresh), signing_test_key())
    (bundle_dir / "index.sig.json").write_bytes(canonical_json(signature))


def test_directory_and_zip_read_back_the_same(tmp_path: Path, drawn) -> None:  # type: ignore[no-untyped-def]
    result = drawn[0]
    _write(tmp_path / "b", drawn, zip_path=tmp_path / "b.zip")
    from_dir, from_zip = read_bundle(tmp_path / "b"), read_bundle(tmp_path / "b.zip")
    assert from_dir.files == from_zip.files
    assert from_dir.ceremony == result.ceremony
    assert from_dir.records == result.sealed.records
    assert sorted(from_dir.files) == sorted(p.name for p in (tmp_path / "b").iterdir())


def test_zip_bytes_are_reproducible(tmp_path: Path, drawn) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path / "x", drawn, zip_path=tmp_path / "x.zip")
    _write(tmp_path / "y", drawn, zip_path=tmp_path / "y.zip")
    assert (tmp_path / "x.zip").read_bytes() == (tmp_path / "y.zip").read_bytes()


def test_zip_with_one_top_level_folder(tmp_path: Path, bundle_dir: Path) -> None:
    with zipfile.ZipFile(tmp_path / "nested.zip", "w") as archive:
        for path in bundle_dir.iterdir():
            archive.writestr(f"draw-2026/{path.name}", path.read_bytes())
    read_bundle(tmp_path / "nested.zip")


def test_nothing_personal_in_the_bundle(bundle_dir: Path) -> None:
    everything = b"".join(p.read_bytes() for p in bundle_dir.iterdir())
    for child in CHILDREN:
        private, _ = record_for(child, "bundle")
        assert private.name.encode() not in everything
        assert private.id_number.encode() not in everything
        assert private.receipt.encode() not in everything


def test_refuses_a_non_empty_directory_and_leaves_nothing_half_written(
    tmp_path: Path,
    drawn,  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "other.txt").write_text("keep me")
    with pytest.raises(BundleError, match="not empty"):
        _write(tmp_path / "taken", drawn)
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["other.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def _tamper(bundle_dir: Path, name: str, old: bytes, new: bytes) -> None:
    path = bundle_dir / name
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))


@pytest.mark.parametrize(
    ("name", "old", "new", "error"),
    [
        ("results.json", b'"admitted"', b'"waitlisted"', SignatureError),
        ("manifest.json", b'"seats":3', b'"seats":4', SignatureError),
        ("applicants.jsonl", b'"sex":"F"', b'"sex":"M"', BundleError),
        ("ceremony.json", b'"seed":"', b'"seed":"0', SignatureError),
        ("results.json", b"{", b"{ ", EncodingError),
        ("manifest.sig.json", b'"signature":"', b'"signature":"00', SignatureError),
    ],
)
def test_tampering_is_detected(
    bundle_dir: Path, name: str, old: bytes, new: bytes, error: type[LotteryError]
) -> None:
    _tamper(bundle_dir, name, old, new)
    if error is not EncodingError:  # the index names the changed file first (§13.5)
        with pytest.raises(BundleError, match=r"index\.json"):
            read_bundle(bundle_dir)
    _reindex(bundle_dir)
    with pytest.raises(error):
        read_bundle(bundle_dir)


def test_unlisted_file_and_index_signature(bundle_dir: Path) -> None:
    index = json.loads((bundle_dir / "index.json").read_bytes())
    listed = {**index, "files": [f for f in index["files"] if f["name"] != "README.txt"]}
    (bundle_dir / "index.json").write_bytes(canonical_json(listed))
    signature = sign_document("index", index_digest(listed), signing_test_key())
    (bundle_dir / "index.sig.json").write_bytes(canonical_json(signature))
    with pytest.raises(BundleError, match=r"README.txt: a file of the bundle that index.json"):
        read_bundle(bundle_dir)
    # A document added to the index without the key: the index signature fails.
    entry = {"bytes": 1, "name": "公示.pdf", "sha256": "00" * 32, "title": "公示"}
    (bundle_dir / "index.json").write_bytes(canonical_json({**index, "documents": [entry]}))
    with pytest.raises(SignatureError, match="index signature"):
        read_bundle(bundle_dir)


def test_readme_is_derived(bundle_dir: Path) -> None:
    readme = (bundle_dir / "README.txt").read_text("utf-8")
    assert "Key fingerprint: " in readme and "Pin:             " in readme
    _tamper(bundle_dir, "README.txt", b"Authority", b"Authorised by")
    _reindex(bundle_dir)
    with pytest.raises(BundleError, match=r"README.txt: not the text"):
        read_bundle(bundle_dir)


def test_dropped_applicant_is_detected(bundle_dir: Path) -> None:
    lines = (bundle_dir / "applicants.jsonl").read_bytes().split(b"\n")
    (bundle_dir / "applicants.jsonl").write_bytes(b"\n".join(lines[:3] + lines[4:]))
    _reindex(bundle_dir)
    with pytest.raises(BundleError, match="7 records, manifest says 8"):
        read_bundle(bundle_dir)


def test_forged_seed_in_canonical_form_is_detected(bundle_dir: Path) -> None:
    document = json.loads((bundle_dir / "ceremony.json").read_text())
    document["seed"] = "0" * 64
    from lottery import canonical_json

    (bundle_dir / "ceremony.json").write_bytes(canonical_json(document))
    _reindex(bundle_dir)
    with pytest.raises(SignatureError, match="ceremony signature: digest"):
        read_bundle(bundle_dir)


def test_missing_and_unexpected_files(bundle_dir: Path) -> None:
    (bundle_dir / "notes.txt").write_text("x")
    with pytest.raises(BundleError, match="unexpected files"):
        read_bundle(bundle_dir)
    (bundle_dir / "notes.txt").unlink()
    (bundle_dir / "results.sig.json").unlink()
    with pytest.raises(BundleError, match="missing required files"):
        read_bundle(bundle_dir)


def test_record_with_unknown_field(bundle_dir: Path) -> None:
    _tamper(bundle_dir, "applicants.jsonl", b'{"application"', b'{"age":7,"application"')
    _reindex(bundle_dir)
    with pytest.raises(InvalidRecord, match="unexpected \\['age'\\]"):
        read_bundle(bundle_dir)


ACTED = (
    Path(__file__).resolve().parents[1] / "vectors" / "draws" / "multi" / "09-da-post-draw-actions"
)


def _copy(target: Path) -> Path:
    target.mkdir(parents=True)
    for file in ACTED.iterdir():
        (target / file.name).write_bytes(file.read_bytes())
    return target


def test_post_draw_actions_are_read_back_checked() -> None:
    bundle = read_bundle(ACTED)
    entries = actions_from_document(
        bundle.files["actions.json"],
        bundle.files["actions.sig.json"],
        signing_key=bundle.manifest.signing_key,
        results_json=bundle.files["results.json"],
    )
    document = json.loads(bundle.files["actions.json"])
    assert [e.application for e in entries] == [a["application"] for a in document["actions"]]
    assert [list(map(list, e.moves)) for e in entries] == [a["moves"] for a in document["actions"]]


def test_a_bundle_with_unsigned_or_foreign_actions_is_refused(tmp_path: Path) -> None:
    unsigned = _copy(tmp_path / "unsigned")
    (unsigned / "actions.sig.json").unlink()
    _reindex(unsigned)
    with pytest.raises(BundleError, match=r"no actions\.sig\.json"):
        read_bundle(unsigned)
    # Signed by the draw's key, but made for other results.
    foreign = _copy(tmp_path / "foreign")
    document = json.loads((foreign / "actions.json").read_bytes())
    document["results"] = "00" * 32
    raw = canonical_json(document)
    signature = sign_document("actions", tagged_hash("actions", raw), signing_test_key())
    (foreign / "actions.json").write_bytes(raw)
    (foreign / "actions.sig.json").write_bytes(canonical_json(signature))
    _reindex(foreign)
    with pytest.raises(BundleError, match="made for results 0000"):
        read_bundle(foreign)
    # Changed after signing.
    (foreign / "actions.sig.json").write_bytes((ACTED / "actions.sig.json").read_bytes())
    _reindex(foreign)
    with pytest.raises(SignatureError):
        read_bundle(foreign)
