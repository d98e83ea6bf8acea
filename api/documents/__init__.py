"""Printed and spreadsheet documents of a draw: announcement list (公示), draw record for the
notary, family result letters, results workbook. All are built from a read public bundle
(`lottery.read_bundle`, protocol §13); only the letters take a child's private data, passed in
explicitly."""

from api.documents.announcement import announcement_pdf
from api.documents.draw_record import draw_record_pdf
from api.documents.errors import (
    DocumentError,
    InvalidDocumentInput,
    LetterDataMismatch,
    UnknownApplication,
    UnmaskedPersonalData,
)
from api.documents.letters import LetterRecipient, result_letter_pdf, result_letters_pdf
from api.documents.spreadsheet import results_xlsx

__all__ = [
    "DocumentError",
    "InvalidDocumentInput",
    "LetterDataMismatch",
    "LetterRecipient",
    "UnknownApplication",
    "UnmaskedPersonalData",
    "announcement_pdf",
    "draw_record_pdf",
    "result_letter_pdf",
    "result_letters_pdf",
    "results_xlsx",
]
