"""Printed and spreadsheet documents of a draw: announcement list (公示), draw record for the
notary, family result letters, results workbook. All are built from a read public bundle
(`lottery.read_bundle`, protocol §13); only the letters take a child's private data, passed in
explicitly.

The announcement and the draw record are the draw day's record (the signed results). When the
bundle carries post-draw actions (§14), the letters give each child's outcome after them and
the workbook adds the lists after them, both from `after_actions`.
"""

from api.documents.after_actions import AfterActions, ChildAfterActions, after_actions
from api.documents.announcement import announcement_pdf
from api.documents.draw_record import draw_record_pdf
from api.documents.errors import (
    DocumentError,
    InvalidDocumentInput,
    LetterDataMismatch,
    UnknownApplication,
    UnmaskedPersonalData,
    UnverifiedActions,
)
from api.documents.letters import LetterRecipient, result_letter_pdf, result_letters_pdf
from api.documents.spreadsheet import results_xlsx

__all__ = [
    "AfterActions",
    "ChildAfterActions",
    "DocumentError",
    "InvalidDocumentInput",
    "LetterDataMismatch",
    "LetterRecipient",
    "UnknownApplication",
    "UnmaskedPersonalData",
    "UnverifiedActions",
    "after_actions",
    "announcement_pdf",
    "draw_record_pdf",
    "result_letter_pdf",
    "result_letters_pdf",
    "results_xlsx",
]
