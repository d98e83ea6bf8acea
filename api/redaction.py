"""ID numbers never leave the service in clear in an error (issue 13: the duplicate-ID error
echoed the full number).

Every error answer, printed error and problem report passes its texts through
`redact_id_numbers`, whatever part of the service wrote the message: a run of 15 to 18 digits
(the last may be X), standing alone, keeps its first 4 and last 4 characters, the rule of the
public lists (`lottery.mask_id_number`), and a wrong ID number is masked the same way, because a
typing error is still a child's number.
"""

from __future__ import annotations

import re

__all__ = ["redact_id_numbers"]

# 4 kept + 7..10 hidden + 4 kept = 15..18 characters; not inside a longer run of letters and
# digits, so a hex digest or a token is left alone.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{4})(\d{7,10})(\d{3}[\dXx])(?![0-9A-Za-z])")


def redact_id_numbers(text: str) -> str:
    """`text` with every ID-number-like run masked: 110101202001011234 -> 1101**********1234."""
    return _ID_NUMBER.sub(lambda m: m[1] + "*" * len(m[2]) + m[3], text)
