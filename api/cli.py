"""Command line: `lottery demo --out DIR [--entropy TEXT] [--applicants N]`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.demo import TIERS, DemoSummary, run_demo
from lottery import LotteryError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Sunshine draw engine.")


@app.callback()
def _root() -> None:
    """Sunshine draw: auditable school-admission lottery (protocol sunshine-draw/1)."""


def _print_summary(summary: DemoSummary) -> None:
    labels = dict(TIERS)
    lines = [
        f"Bundle written to {summary.bundle}",
        f"Applicants:     {summary.applicants}",
        f"Seats:          {summary.seats}",
        f"Admitted:       {summary.admitted}",
    ]
    lines += [f"  tier {t} {labels.get(t, '')}: {n}" for t, n in summary.admitted_by_tier]
    lines += [
        f"Reserved seats used: {summary.reserved_used} of {summary.reserved_seats} (随迁子女)",
        f"Cutoff:         {summary.cutoff}",
        f"Waitlist:       {summary.waitlist}",
        f"Manifest:       {summary.manifest_digest}",
        f"Seed:           {summary.seed}",
        f"Results:        {summary.results_digest}",
    ]
    typer.echo("\n".join(lines))


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Directory for the public bundle (must not exist).")],
    entropy: Annotated[
        str | None,
        typer.Option(help="Derive every secret from this text (reproducible bundles)."),
    ] = None,
    applicants: Annotated[int, typer.Option(min=1, help="Number of applicants.")] = 3000,
) -> None:
    """Run a realistic synthetic single-school draw and write its public bundle."""
    try:
        summary = run_demo(out, entropy_text=entropy, applicants=applicants)
    except LotteryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    _print_summary(summary)


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
