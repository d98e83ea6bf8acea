"""The message catalogue: every word a page shows, one table per language.

`catalogue/zh.py` is the first language; `catalogue/en.py` is offered beside it (a switch on
every page). Both tables have exactly the same keys (a test checks it), and other code (the
documents, the command line) may reuse them: `Messages("zh")("lookup.title")`.
Values are `str.format` templates: `Messages("en")("screen.applicants", count=3000)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.pages.catalogue import en, zh

__all__ = ["CATALOGUES", "DEFAULT_LANGUAGE", "LANGUAGES", "Messages", "choose_language"]

CATALOGUES: dict[str, dict[str, str]] = {"zh": zh.MESSAGES, "en": en.MESSAGES}
LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"


@dataclass(frozen=True)
class Messages:
    """The words of one language; calling it with a key gives the text."""

    lang: str

    def __call__(self, key: str, **values: object) -> str:
        template = CATALOGUES[self.lang][key]
        return template.format(**values) if values else template

    def section(self, prefix: str) -> dict[str, str]:
        """Every message whose key starts with `prefix` (handed to a page's script as JSON)."""
        return {k: v for k, v in CATALOGUES[self.lang].items() if k.startswith(prefix)}

    @property
    def other(self) -> str:
        """The language the switch offers."""
        return "en" if self.lang == "zh" else "zh"


def choose_language(query: str | None, cookie: str | None) -> str:
    """`?lang=` first, then the `lang` cookie, then Chinese."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT_LANGUAGE
