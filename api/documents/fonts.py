"""The fonts of every printed document, embedded, with a fallback per character.

A notice printed on a PC without Chinese fonts must still show every character, so each PDF
embeds the subsets of TrueType fonts it uses (`pdffonts` shows `emb yes` for all):

- `BODY`: AR PL UMing (Debian `fonts-arphic-uming`), a Ming (宋体-style) face, as official
  notices use. Noto CJK is not used: its CFF outlines do not load in reportlab.
- `HEADING`: WenQuanYi Zen Hei (`fonts-wqy-zenhei`), a Hei (sans) face for titles; the body
  face stands in when it is absent.
- `MONO`: DejaVu Sans Mono (`fonts-dejavu-core`) for digests and numbers, in place of Courier.
- `FALLBACKS`: Hanazono HanaMinA and HanaMinB (`fonts-hanazono`), for characters the body face
  lacks, names outside the BMP such as 𠮷 and 𡒄 among them.

`markup` turns any text into Paragraph markup whose characters each use the first face that
has a glyph for them; `check_printable` raises when no face has one, so a child's name is never
printed with a character missing. `scripts/setup.sh` installs the packages
(`scripts/system-packages.txt`).

reportlab writes the ToUnicode map of a TrueType subset with `<%04X>`, which is wrong for a
character outside the BMP (a PDF wants UTF-16BE, a surrogate pair): text extraction then reads
𠮷 as garbage. `_TrueTypeFont` writes the map right, so what is extracted is what is printed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont

from api.documents.errors import DocumentError

__all__ = [
    "BODY",
    "FALLBACKS",
    "HEADING",
    "MONO",
    "MissingFont",
    "UnprintableText",
    "check_printable",
    "covered",
    "face_for",
    "heading_face",
    "markup",
    "register_fonts",
    "string_width",
    "to_unicode_cmap",
]

BODY = "SunshineMing"
HEADING = "SunshineHei"
MONO = "SunshineMono"
FALLBACKS = ("SunshineHanaMinA", "SunshineHanaMinB")
_FONT_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts"))


class MissingFont(DocumentError):
    """A font file the documents need is not installed."""


class UnprintableText(DocumentError):
    """A text holds a character that no embedded font can draw."""


@dataclass(frozen=True)
class _Face:
    name: str
    files: tuple[str, ...]  # paths relative to a font directory, first found wins
    package: str
    subfont: int = 0
    required: bool = True


_FACES = (
    _Face(BODY, ("arphic/uming.ttc",), "fonts-arphic-uming"),
    _Face(HEADING, ("wqy/wqy-zenhei.ttc",), "fonts-wqy-zenhei", required=False),
    _Face(MONO, ("dejavu/DejaVuSansMono.ttf",), "fonts-dejavu-core"),
    _Face(FALLBACKS[0], ("hanazono/HanaMinA.ttf",), "fonts-hanazono"),
    _Face(FALLBACKS[1], ("hanazono/HanaMinB.ttf",), "fonts-hanazono"),
)


def to_unicode_cmap(font_name: str, subset: list[int]) -> str:
    """A ToUnicode CMap for one 256-character subset (PDF 32000-1 §9.10.3): code `i` maps to
    `subset[i]` written in UTF-16BE, so a character outside the BMP is a surrogate pair."""
    mappings = [
        f"<{code:02X}> <{chr(point).encode('utf-16-be').hex().upper()}>"
        for code, point in enumerate(subset)
    ]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            f"/CIDSystemInfo\n<< /Registry ({font_name})\n/Ordering ({font_name})\n/Supplement 0\n>> def",
            f"/CMapName /{font_name} def",
            "/CMapType 2 def",
            f"1 begincodespacerange\n<00> <{len(subset) - 1:02X}>\nendcodespacerange",
            f"{len(subset)} beginbfchar",
            *mappings,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


class _TrueTypeFont(TTFont):  # type: ignore[misc]  # reportlab has no type hints
    """reportlab's embedded TrueType font, with each subset's ToUnicode map written right."""

    def addObjects(self, doc: object) -> None:  # reportlab's name
        state = self.state.get(doc)  # reportlab drops it in addObjects
        subsets = [] if state is None else [list(subset) for subset in state.subsets]
        super().addObjects(doc)
        objects = doc.idToObject  # type: ignore[attr-defined]
        tail = self.face.name + self.face.subfontNameX
        for n, subset in enumerate(subsets):
            if all(point <= 0xFFFF for point in subset):
                continue  # reportlab's map is right for these
            font_name = (SUBSETN(n) + b"+" + tail).decode("pdfdoc")
            objects["toUnicodeCMap:" + font_name].content = to_unicode_cmap(font_name, subset)


def _find(face: _Face) -> Path | None:
    for directory in _FONT_DIRS:
        for name in face.files:
            if (directory / name).is_file():
                return directory / name
    return None


@functools.cache
def register_fonts() -> frozenset[str]:
    """Register every installed document face with reportlab, once; the names registered.

    Raises `MissingFont` naming the Debian package when a required font is not installed.
    """
    registered = set()
    for face in _FACES:
        path = _find(face)
        if path is None:
            if face.required:
                raise MissingFont(
                    f"字体未安装 font not installed: {face.files[0]} (Debian package "
                    f"{face.package}; run scripts/setup.sh)"
                )
            continue
        pdfmetrics.registerFont(_TrueTypeFont(face.name, str(path), subfontIndex=face.subfont))
        registered.add(face.name)
    return frozenset(registered)


def heading_face() -> str:
    """The face of titles: WQY Zen Hei if installed, else the body face (the font file is
    looked for, not loaded: loading waits for the first document)."""
    return HEADING if _find(_FACES[1]) is not None else BODY


@functools.cache
def _glyphs(font_name: str) -> frozenset[int]:
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    return frozenset(font.face.charToGlyph)


def covered(value: str, font_name: str = BODY) -> bool:
    """Whether `font_name` has a glyph for every character of `value`."""
    glyphs = _glyphs(font_name)
    return all(ord(c) in glyphs for c in value)


def face_for(character: str, preferred: str = BODY) -> str | None:
    """The first face, `preferred` then the fallbacks, with a glyph for `character`."""
    point = ord(character)
    for name in (preferred, BODY, *FALLBACKS):
        if point in _glyphs(name):
            return name
    return None


def check_printable(value: str, what: str) -> None:
    """Raise `UnprintableText` if a character of `value` has a glyph in no face. `what` names
    the field for the clerk; the value itself is not repeated (it may be a name)."""
    for position, character in enumerate(value, start=1):
        if not character.isspace() and face_for(character) is None:
            raise UnprintableText(
                f"{what}: 第 {position} 个字符 U+{ord(character):04X} 无可用字体 "
                f"(character {position}, U+{ord(character):04X}, is in no embedded font)"
            )


def markup(value: object, font_name: str = BODY) -> str:
    """`value` as Paragraph markup (escaped), each run of characters the preferred face lacks
    set in the fallback face that has them. Raises `UnprintableText` for a character in none."""
    source = str(value)
    if covered(source, font_name):
        return escape(source)
    runs: list[tuple[str, str]] = []
    for position, character in enumerate(source, start=1):
        face = font_name if character.isspace() else face_for(character, font_name)
        if face is None:
            raise UnprintableText(
                f"第 {position} 个字符 U+{ord(character):04X} 无可用字体 (character "
                f"{position}, U+{ord(character):04X}, is in no embedded font)"
            )
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + character)
        else:
            runs.append((face, character))
    return "".join(
        escape(chunk) if face == font_name else f'<font name="{face}">{escape(chunk)}</font>'
        for face, chunk in runs
    )


def string_width(value: str, font_name: str, size: float) -> float:
    """The printed width of `value` in points, fallback faces counted where they are used."""
    register_fonts()
    if covered(value, font_name):
        return float(pdfmetrics.stringWidth(value, font_name, size))
    return sum(
        float(pdfmetrics.stringWidth(c, face_for(c, font_name) or font_name, size)) for c in value
    )
