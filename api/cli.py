"""The `lottery` command: the operator commands of `api.operator_cli` and `lottery demo`.

    lottery demo --out DIR [--entropy TEXT] [--applicants N]
    lottery keys | migrate | create-bureau | issue-token | create | import | objection | witness
            | ledger | seal | ceremony | beacon | rehearse | run | publish | export | decline
            | second-round | status | list
    lottery --version

Run `lottery COMMAND --help` for each. Errors print the service's message in Chinese and
English and exit 1, never a traceback.
"""

from __future__ import annotations

import time
from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer

from api import operator_cli, operator_corrections, operator_import
from api.demo import DemoSummary, run_demo
from api.demo_county import TIERS
from api.errors import ServiceError
from api.operator_documents import documents_app
from api.progress import print_error
from lottery import PROTOCOL

__all__ = ["app", "main"]

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="阳光招生电脑派位 (可审计的摇号) / sunshine draw: an auditable school-admission lottery.\n\n"
    "操作指南 / operator guide: docs/operator.md",
)
app.registered_commands += operator_cli.app.registered_commands
app.registered_groups += operator_cli.app.registered_groups
app.registered_commands += operator_import.app.registered_commands
app.registered_commands += operator_corrections.app.registered_commands


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lottery {_package_version()} (protocol {PROTOCOL})")
        raise typer.Exit()


def _package_version() -> str:
    try:
        return metadata.version("sunshine-draw")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


app.add_typer(documents_app, name="documents")


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="显示版本 / show the version"
        ),
    ] = False,
) -> None:
    """阳光招生电脑派位 / sunshine draw: an auditable school-admission lottery."""


def _print_summary(summary: DemoSummary, seconds: float) -> None:
    labels = dict(TIERS)
    out = summary.out
    lines = [
        "",
        "汇总 / summary",
        f"Applicants:     {summary.applicants}",
        f"Seats:          {summary.seats}",
        f"Admitted:       {summary.admitted}",
        *(f"  tier {t} {labels.get(t, '')}: {n}" for t, n in summary.admitted_by_tier),
        f"Reserved seats used: {summary.reserved_used} of {summary.reserved_seats} (随迁子女)",
        f"Cutoffs:        {summary.cutoff}",
        f"Waitlist:       {summary.waitlist}",
        f"Manifest:       {summary.manifest_digest}",
        f"Seed:           {summary.seed}",
        f"Results:        {summary.results_digest}",
        "",
        f"公开数据包 / public bundle:   {out / 'bundle'}  (and {out / 'XQ-2026-SY01.zip'})",
        f"公示名单、过程记录、结果表 / announcement, draw record, results workbook: {out}",
        f"全部文书 / one of every document: {out / 'documents'}",
        f"核对码 / pin of the sealing announcement: {summary.pin}",
        f"自行验证 / verify it yourself: verify-draw {out / 'bundle'} --pin {summary.pin}",
        f"用时 / took {seconds:.1f} s",
        "",
        f"独立验证结论 / the independent verifier: {summary.verifier_verdict}",
    ]
    typer.echo("\n".join(lines))


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Output directory (new, empty, or an earlier demo's).")],
    entropy: Annotated[
        str | None,
        typer.Option(help="Derive every secret and the clock from this text (reproducible)."),
    ] = None,
    applicants: Annotated[int, typer.Option(min=20, help="Number of applicants.")] = 3000,
) -> None:
    """演示: 一次完整的县级摇号, 并独立验证 / run a realistic county draw end to end, verified."""
    started = time.monotonic()
    try:
        summary = run_demo(out, entropy_text=entropy, applicants=applicants, tell=typer.echo)
    except ServiceError as error:
        print_error(error)
        raise typer.Exit(1) from None
    _print_summary(summary, time.monotonic() - started)
    if summary.verifier_exit != 0:
        typer.echo("独立验证未通过 / the independent verifier did NOT pass", err=True)
        raise typer.Exit(1)


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
