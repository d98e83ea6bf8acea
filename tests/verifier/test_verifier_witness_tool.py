"""The witness tool (protocol §7.9-§7.10): every step, with the witness's files and the
bureau's in separate folders, as they would be on two machines and a USB stick."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from bureau import (
    CLOSED_AT,
    QUICKNET_SIGNATURE,
    REVEALED_AT,
    SEALED_AT,
    Bureau,
    jcs,
    make_witnesses,
)

from verifier.witness import witness_main

BEFORE_BEACON = "2024-10-14T16:50:00Z"  # the local clock at each step: after closing, before `at`
VALUE = hashlib.sha256(bytes.fromhex(QUICKNET_SIGNATURE)).hexdigest()


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, now: str = BEFORE_BEACON
) -> tuple[int, str]:
    # The witness types the time from its own watch (`--now`) where §7.10 needs it.
    timed = argv[0] in ("check-manifest", "cosign") and "--now" not in argv
    code = witness_main([*argv, "--now", now] if timed else list(argv), lang="en")
    return code, capsys.readouterr().out


def load(path: Path) -> Any:
    return json.loads(path.read_bytes())


@pytest.fixture
def sealed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Bureau, Path, Path, Path]:
    """A witness (its own folder) made with the tool, and a bureau (another folder) that sealed
    a manifest naming it beside one in-memory witness."""
    mine, usb, office = tmp_path / "witness", tmp_path / "usb", tmp_path / "bureau"
    usb.mkdir()
    code, out = run(
        capsys,
        "new",
        "--draw",
        "D-2026",
        "--witness",
        "W9",
        "--name",
        "Notary",
        "--dir",
        str(mine),
        now=SEALED_AT,
    )
    assert code == 0 and "Commitment:" in out
    assert stat.S_IMODE((mine / "witness-private.json").stat().st_mode) == 0o600
    commitment = load(mine / "commitment.json")
    assert commitment["kind"] == "witness-commitment" and commitment["commitment"] in out
    other = make_witnesses(1)[0]
    bureau = Bureau()
    entry = {k: commitment[k] for k in ("name", "commitment", "public_key")} | {"id": "W9"}
    bureau.seal([other.entry(bureau.draw_id), entry])
    (usb / "manifest.json").write_bytes(jcs(bureau.manifest))
    bureau.write(office, {"manifest.json": jcs(bureau.manifest)})  # for manifest.sig.json
    (usb / "manifest.sig.json").write_bytes((office / "manifest.sig.json").read_bytes())
    return bureau, mine, usb, office


def test_the_four_witness_steps_end_to_end(
    sealed: Any, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bureau, mine, usb, _ = sealed
    other = make_witnesses(1)[0]
    # At sealing: the manifest holds this witness; the tool shows what to compare.
    code, out = run(
        capsys,
        "check-manifest",
        "--dir",
        str(mine),
        str(usb / "manifest.json"),
        str(usb / "manifest.sig.json"),
        now=SEALED_AT,
    )
    assert code == 0 and bureau.digest in out and "Pin:" in out
    # Reveal, then the bureau's receipt.
    code, _ = run(
        capsys, "reveal", "--dir", str(mine), "--out", str(usb / "reveal.json"), now=REVEALED_AT
    )
    assert code == 0
    bureau.accept(other.reveal(bureau.digest))
    receipt = bureau.accept(load(usb / "reveal.json"))
    (usb / "receipt.json").write_bytes(jcs(receipt))
    code, out = run(
        capsys, "check-receipt", "--dir", str(mine), str(usb / "receipt.json"), now=REVEALED_AT
    )
    assert code == 0 and "Receipt checked" in out
    # Co-sign the checkpoint, then the beacon statement after seeing the value at its source.
    (usb / "checkpoint.json").write_bytes(jcs(bureau.close()))
    code, _ = run(
        capsys,
        "cosign",
        "--dir",
        str(mine),
        str(usb / "checkpoint.json"),
        "--out",
        str(usb / "c1.json"),
    )
    assert code == 0
    statement = bureau.enter_beacon(
        VALUE, proof={"signature": QUICKNET_SIGNATURE, "previous_signature": None}
    )
    (usb / "beacon.json").write_bytes(jcs(statement))
    code, out = run(
        capsys,
        "cosign",
        "--dir",
        str(mine),
        str(usb / "beacon.json"),
        "--value-seen",
        "0" * 64,
        "--out",
        str(usb / "c2.json"),
    )
    assert code == 1 and "REFUSED" in out and not (usb / "c2.json").exists()
    code, _ = run(
        capsys,
        "cosign",
        "--dir",
        str(mine),
        str(usb / "beacon.json"),
        "--value-seen",
        VALUE.upper(),
        "--out",
        str(usb / "c2.json"),
    )
    assert code == 0
    cosignatures = {kind: {"W0": other.cosign(kind, document), "W9": load(usb / file)["signature"]}
                    for kind, document, file in (("checkpoint", bureau.checkpoint, "c1.json"), ("beacon", statement, "c2.json"))}  # fmt: skip
    bundle = bureau.publish(tmp_path / "bundle", cosignatures)
    # After publication: the bundle holds this witness's reveal, co-signatures and receipt head.
    code, out = run(capsys, "check", "--dir", str(mine), str(bundle))
    assert code == 0 and "holds your reveal and both co-signatures" in out, out


def test_refusals_name_what_is_wrong(sealed: Any, capsys: pytest.CaptureFixture[str]) -> None:
    _, mine, usb, _ = sealed
    manifest, signature = str(usb / "manifest.json"), str(usb / "manifest.sig.json")
    code, out = run(capsys, "reveal", "--dir", str(mine), "--out", str(usb / "r.json"))
    assert code == 1 and "check-manifest" in out and not (usb / "r.json").exists()
    code, out = run(
        capsys,
        "check-manifest",
        "--dir",
        str(mine),
        manifest,
        signature,
        now="2024-10-14T17:13:33Z",
    )
    assert code == 1 and "not in the future" in out  # the beacon value may exist already
    code, out = run(capsys, "check-manifest", "--dir", str(usb), manifest, signature)
    assert code == 1 and "witness new" in out
    code, out = run(
        capsys, "new", "--draw", "D-2026", "--witness", "W9", "--name", "N", "--dir", str(mine)
    )
    assert code == 1 and "exists already" in out
    stranger = usb / "stranger"
    run(capsys, "new", "--draw", "D-2026", "--witness", "W9", "--name", "N", "--dir", str(stranger))
    code, out = run(
        capsys, "check-manifest", "--dir", str(stranger), manifest, signature, now=SEALED_AT
    )
    assert code == 1 and "does not hold witness W9" in out


def test_a_checkpoint_without_the_witness_reveal_is_not_cosigned(
    sealed: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    bureau, mine, usb, _ = sealed
    run(
        capsys,
        "check-manifest",
        "--dir",
        str(mine),
        str(usb / "manifest.json"),
        str(usb / "manifest.sig.json"),
        now=SEALED_AT,
    )
    run(capsys, "reveal", "--dir", str(mine), "--out", str(usb / "reveal.json"))
    bureau.accept(make_witnesses(1)[0].reveal(bureau.digest))  # the bureau drops W9's reveal
    (usb / "checkpoint.json").write_bytes(jcs(bureau.close()))
    code, out = run(
        capsys,
        "cosign",
        "--dir",
        str(mine),
        str(usb / "checkpoint.json"),
        "--out",
        str(usb / "c.json"),
    )
    assert code == 1 and "does not list the reveal of W9" in out and not (usb / "c.json").exists()
    code, out = run(
        capsys,
        "cosign",
        "--dir",
        str(mine),
        str(usb / "checkpoint.json"),
        "--out",
        str(usb / "c.json"),
        now=CLOSED_AT.replace("16:45", "16:40"),
    )
    assert code == 1


def test_the_time_is_typed_by_the_witness_with_its_offset(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The tool reads no clock (§7.10: the witness's own watch); a time without Z or an offset
    # could be read in two zones, so it is refused as wrong usage before anything is read.
    for typed in ("2026-06-01 10:15", "yesterday"):
        with pytest.raises(SystemExit) as stopped:
            witness_main(
                ["check-manifest", "--dir", ".", "m.json", "s.json", "--now", typed], lang="en"
            )
        assert stopped.value.code == 2
    assert "--now" in capsys.readouterr().err
