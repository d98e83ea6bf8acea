"""FastAPI dependencies shared by the routes: settings, the signer, the clock."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.settings import Settings
from api.signer import Signer, load_signer

__all__ = ["NowDep", "SettingsDep", "SignerDep"]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _signer(request: Request) -> Signer:
    signer: Signer | None = getattr(request.app.state, "signer", None)
    if signer is None:
        signer = load_signer(request.app.state.settings.signing_key_file)
        request.app.state.signer = signer
    return signer


def _now(request: Request) -> str:
    now: str = request.app.state.clock()
    return now


SettingsDep = Annotated[Settings, Depends(_settings)]
SignerDep = Annotated[Signer, Depends(_signer)]
NowDep = Annotated[str, Depends(_now)]
