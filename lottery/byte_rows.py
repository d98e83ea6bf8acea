"""Many rows of canonical JSON (protocol §2.3) assembled as bytes, all rows at once, with numpy.

The big parts of a results document (§12.1 applicant rows, §12.2 waitlists and class lists) are
a million rows of the same shape: fixed bytes (`,["`, `","`, ...) between strings that are
plain (printable ASCII without `"` or `\\`, written between quotes as they are, see
`lottery.canonical_parts`) or are canonical encodings already. Each varying part is a
`ByteColumn`: the bytes of every row's string in one zero-padded matrix, with the lengths.
`join_rows` lays the segments of every row side by side in one matrix and drops the padding
with one boolean selection, so the bytes come out in row order and segment order with no Python
code per row. The result is byte for byte the concatenation of the segments (tests compare it
with `rfc8785` on generated and on real draws).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "ByteColumn",
    "bytes_column",
    "encoded_column",
    "hex16_column",
    "join_rows",
    "plain_column",
]

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
_NEWLINE = 0x0A
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


@dataclass(frozen=True, eq=False)
class ByteColumn:
    """One byte string per row: row i is string `index[i]` (or string i without an index), and
    string k is `matrix[k, :lengths[k]]` (the rest of the matrix row is padding).

    `take` only composes indices: the strings are copied once, into the rows being joined.
    """

    matrix: U8
    lengths: I64
    index: I64 | None = None

    def __len__(self) -> int:
        return int((self.lengths if self.index is None else self.index).size)

    @property
    def width(self) -> int:
        return int(self.matrix.shape[1])

    def take(self, rows: npt.NDArray[np.integer]) -> ByteColumn:
        """The rows `rows` of this column (rows may repeat, in any order)."""
        chosen: I64 = np.asarray(rows, dtype=np.int64)
        if chosen.size and not 0 <= int(chosen.min()) <= int(chosen.max()) < len(self):
            raise IndexError(f"rows outside a column of {len(self)}")
        index = chosen if self.index is None else self.index[chosen]
        return ByteColumn(self.matrix, self.lengths, index)

    def row_lengths(self, low: int = 0, high: int | None = None) -> I64:
        """The length of the string of every row (of rows `low` to `high`)."""
        if self.index is None:
            return self.lengths[low:high]
        return self.lengths[self.index[low:high]]

    def is_full(self) -> bool:
        """True when no string has padding (so no row has)."""
        return bool((self.lengths == self.width).all())

    def write(self, out: U8, low: int, high: int) -> None:
        """The matrix rows of rows `low` to `high` into `out`."""
        if self.index is None:
            out[...] = self.matrix[low:high]
        else:  # indices checked in `take`: 'clip' only spares numpy a buffered copy
            np.take(self.matrix, self.index[low:high], axis=0, out=out, mode="clip")


def bytes_column(joined: bytes, count: int) -> ByteColumn:
    """The column of `count` byte strings given joined by newlines (none may hold a newline).

    Every string's bytes are its row's first bytes: in row-major order the kept cells of the
    matrix are exactly the bytes of `joined` that are not newlines.
    """
    if count == 0:
        if joined:
            raise ValueError("bytes given for a column of no rows")
        return ByteColumn(np.zeros((0, 0), dtype=np.uint8), np.zeros(0, dtype=np.int64))
    data = np.frombuffer(joined, dtype=np.uint8)
    breaks = np.flatnonzero(data == _NEWLINE)
    if breaks.size != count - 1:
        raise ValueError(f"{count} strings expected, {breaks.size + 1} found (a newline inside?)")
    ends = np.append(breaks, data.size)
    lengths = (ends - np.r_[0, breaks + 1]).astype(np.int64)
    width = int(lengths.max())
    if (lengths == width).all():  # equal lengths: the joined bytes are the matrix already
        matrix = np.append(data, np.uint8(_NEWLINE)).reshape(count, width + 1)[:, :width]
        return ByteColumn(matrix, lengths)
    matrix = np.zeros((count, width), dtype=np.uint8)
    matrix[np.arange(width) < lengths[:, None]] = data[data != _NEWLINE]
    return ByteColumn(matrix, lengths)


def plain_column(strings: Sequence[str]) -> ByteColumn:
    """The ASCII bytes of plain strings (the caller has checked `is_plain`), one per row."""
    return bytes_column("\n".join(strings).encode("ascii"), len(strings))


def encoded_column(items: Sequence[bytes]) -> ByteColumn:
    """Canonical encodings (which never hold a raw newline, §2.3), one per row."""
    return bytes_column(b"\n".join(items), len(items))


def hex16_column(numbers: npt.NDArray[np.uint64]) -> ByteColumn:
    """Every number as hex16 (§8.2), lowercase, zero-padded: digits looked up a nibble at a time."""
    octets = numbers.astype(">u8").view(np.uint8).reshape(-1, 8)
    matrix = np.empty((numbers.size, 16), dtype=np.uint8)
    matrix[:, 0::2] = _HEX_DIGITS[octets >> 4]
    matrix[:, 1::2] = _HEX_DIGITS[octets & 15]
    return ByteColumn(matrix, np.full(numbers.size, 16, dtype=np.int64))


# Rows assembled at a time: a few megabytes of matrix, which stay in the processor's cache and
# are reused from one block to the next, instead of fresh memory for the whole document.
_ROWS_PER_BLOCK = 1 << 16


def join_rows(
    count: int,
    segments: Sequence[bytes | ByteColumn],
    *,
    opening: bytes = b"",
    closing: bytes = b"",
    skip: int = 0,
) -> bytes:
    """`opening` + every row's segments concatenated, rows one after another (fixed bytes repeat
    per row), without the first `skip` bytes of the first row, + `closing`.

    The rows are laid side by side in a matrix, one block of columns per segment; where a
    column's strings are shorter than its block, a mask marks the bytes to keep, and one
    selection drops the padding in row-major order, which is the order of the output bytes.
    """
    widths = [len(s) if isinstance(s, bytes) else s.width for s in segments]
    for segment in segments:
        if isinstance(segment, ByteColumn) and len(segment) != count:
            raise ValueError(f"a column of {len(segment)} rows among {count} rows")
    # Whether a column has padding is a property of its strings: asked once, not per block.
    padded = [isinstance(s, ByteColumn) and not s.is_full() for s in segments]
    pieces = [opening]
    for low in range(0, count, _ROWS_PER_BLOCK):
        high = min(count, low + _ROWS_PER_BLOCK)
        pieces.append(_block(segments, widths, padded, low, high))
    if count:
        pieces[1] = pieces[1][skip:]
    pieces.append(closing)
    return b"".join(pieces)


def _block(
    segments: Sequence[bytes | ByteColumn],
    widths: list[int],
    padded: list[bool],
    low: int,
    high: int,
) -> bytes:
    """The bytes of rows `low` to `high` (see `join_rows`); `padded[k]`: segment k has padding."""
    table = np.empty((high - low, sum(widths)), dtype=np.uint8)
    keep = np.empty(table.shape, dtype=np.bool_) if any(padded) else None
    at = 0
    for segment, width, has_padding in zip(segments, widths, padded, strict=True):
        block = slice(at, at + width)
        if isinstance(segment, bytes):
            table[:, block] = np.frombuffer(segment, dtype=np.uint8)
            if keep is not None:
                keep[:, block] = True
        else:
            segment.write(table[:, block], low, high)
            if keep is not None and has_padding:
                lengths = segment.row_lengths(low, high)
                np.less(np.arange(width), lengths[:, None], out=keep[:, block])
            elif keep is not None:
                keep[:, block] = True
        at += width
    return (table if keep is None else table[keep]).tobytes()
