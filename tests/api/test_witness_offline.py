"""A whole draw whose witnesses use only the verifier package's witness tool, each in a folder of
its own, every file copied by hand between their folders and the clerk's (a USB stick), through
sealing, reveals, checkpoint, beacon, run and publication, and each witness's final check
(protocol §7.9-§7.10, §12.6). The clerk uses the `lottery` CLI; the clock is the real one."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import DRAW_ID, QUICKNET, applicant_rows, drand_round, draw_spec
from test_cli_lifecycle import Operator, write_applicants

from api.clock import utc_now

WITNESSES = ("W1", "W2", "W3")


def witness_tool(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """`verify-draw witness ...` as a witness runs it on its own machine."""
    done = subprocess.run(
        [sys.executable, "-m", "verifier", "witness", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def usb(source: Path, folder: Path) -> Path:
    """Copy a file onto another machine's folder, as a USB stick would."""
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(source, folder / source.name))


def _in_an_hour() -> str:
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    return later.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("beacon", ["drand", "decimal"])
def test_witnesses_with_only_the_verifier_package(tmp_path: Path, beacon: str) -> None:
    clerk = tmp_path / "clerk"
    clerk.mkdir()
    homes = {code: tmp_path / f"witness-{code}" for code in WITNESSES}
    run = Operator(clerk)
    run("keys")
    run("migrate")
    run("create-bureau", "--code", "XQ", "--name", "某县教育局")
    spec = draw_spec(seats=3)
    if beacon == "drand":
        spec["beacon"]["primary"]["round"] = drand_round(_in_an_hour())
        value = "ef" * 32
    else:
        spec["beacon"] = {
            "primary": {
                "source": "上证综合指数收盘 SSE composite close",
                "round": "2026-06-01",
                "format": "decimal",
                "at": _in_an_hour(),
            }
        }
        value = "3051.25"
    assert spec["beacon"]["primary"]["source"].startswith("drand:" + QUICKNET) == (
        beacon == "drand"
    )
    (clerk / "draw.json").write_text(json.dumps(spec), encoding="utf-8")
    setup_commands = len(run.commands)
    run("create", str(clerk / "draw.json"))
    run("import", DRAW_ID, str(write_applicants(clerk / "list.csv", applicant_rows(8))))

    # Before sealing: each witness makes its key, secret and commitment file at home.
    commitments = []
    for code, home in homes.items():
        witness_tool("new", "--draw", DRAW_ID, "--witness", code, "--name", f"见证人{code}",
                     "--dir", str(home))  # fmt: skip
        commitments.append(str(usb(home / "commitment.json", clerk / f"in-{code}")))
    run("witness", "add", *commitments)
    run("objection", DRAW_ID)
    manifest_dir = clerk / "sealed"
    sealed = run("seal", DRAW_ID, "--out", str(manifest_dir)).stdout
    pin = re.search(r"pin:\s+([0-9A-Z-]{24})", sealed)
    digest = re.search(r"manifest digest: ([0-9a-f]{64})", sealed)
    fingerprint = re.search(r"key fingerprint: ([0-9a-f]{64})", sealed)
    assert pin and digest and fingerprint, sealed

    # At sealing: each witness checks the manifest holds its key and commitment (§7.10).
    for home in homes.values():
        witness_tool("check-manifest", "--dir", str(home), "--now", utc_now(),
                     str(usb(manifest_dir / "manifest.json", home)),
                     str(usb(manifest_dir / "manifest.sig.json", home)))  # fmt: skip

    # Reveals: W1 and W2 reveal; W3 stays away. The clerk takes both files with one command,
    # which then closes the reveals (the checkpoint, later than sealing to the second); each
    # witness gets the bureau's receipt back.
    revealed = ("W1", "W2")
    handed_in = []
    for code in revealed:
        home = homes[code]
        witness_tool("reveal", "--dir", str(home), "--out", str(home / "reveal.json"))
        handed_in.append(str(usb(home / "reveal.json", clerk / f"in-{code}")))
    sealed_at = json.loads((manifest_dir / "manifest.json").read_bytes())["draw"]["sealed_at"]
    while utc_now() <= sealed_at:
        time.sleep(0.05)
    run("witness", "reveal", *handed_in, "--dir", str(clerk), "--close")
    for code in revealed:
        home = homes[code]
        witness_tool(
            "check-receipt", "--dir", str(home), str(usb(clerk / f"receipt-{code}.json", home))
        )
    cosignatures = []
    for code in revealed:
        home = homes[code]
        checkpoint = usb(clerk / "checkpoint.json", home)
        witness_tool("cosign", "--dir", str(home), str(checkpoint), "--now", utc_now(),
                     "--out", str(home / "cosign-checkpoint.json"))  # fmt: skip
        cosignatures.append(str(usb(home / "cosign-checkpoint.json", clerk / f"in-{code}")))
    run("witness", "cosign", *cosignatures)

    # The beacon value, checked at its source by each witness, then co-signed.
    run("beacon", DRAW_ID, "--value", value, "--out", str(clerk / "beacon.json"))
    cosignatures = []
    for code in revealed:
        home = homes[code]
        statement = usb(clerk / "beacon.json", home)
        witness_tool("cosign", "--dir", str(home), str(statement), "--value-seen", value,
                     "--now", utc_now(),
                     "--out", str(home / "cosign-beacon.json"))  # fmt: skip
        cosignatures.append(str(usb(home / "cosign-beacon.json", clerk / f"in-{code}")))
    run("witness", "cosign", *cosignatures)

    run("run", DRAW_ID)
    run("publish", DRAW_ID)
    run("export", DRAW_ID, "--out", str(clerk / "bundle.zip"))
    # What the clerk typed for this draw, the witnesses acting on their own machines (issue 13:
    # 12 or fewer): create, import, witness add, objection, seal, witness reveal --close,
    # witness cosign, beacon, witness cosign, run, publish, export.
    assert len(run.commands) - setup_commands == 12, run.commands[setup_commands:]

    # Each revealed witness checks the published bundle: its reveal, its co-signatures, its
    # receipt's head in the log (§7.10). W3 never revealed: its tool has nothing to check.
    for code in revealed:
        home = homes[code]
        witness_tool("check", "--dir", str(home), str(usb(clerk / "bundle.zip", home)))
    absent = homes["W3"]
    refused = witness_tool("check", "--dir", str(absent), str(usb(clerk / "bundle.zip", absent)),
                           ok=False)  # fmt: skip
    assert refused.returncode != 0 and "reveal" in refused.stdout
    verified = subprocess.run(
        [sys.executable, "-m", "verifier", str(clerk / "bundle.zip"),
         "--pin", pin[1], "--expect-manifest", digest[1], "--expect-key", fingerprint[1]],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
