"""Printed and spreadsheet documents of a draw: announcement list (公示), the applicant list
before the draw and the waitlist moves after it, draw record for the notary, family result
letters, class lists, results workbook and CSV, and the admitting school's register. All are
built from a read public bundle (`lottery.read_bundle`, protocol §13); only the letters and the
school's register take private data, passed in explicitly. Fonts: `fonts`; words: `messages`.

The announcement and the draw record are the draw day's record (the signed results). When the
bundle carries post-draw actions (§14), the letters give each child's outcome after them and
the workbook adds the lists after them, both from `after_actions`.
"""

from api.documents.after_actions import AfterActions, ChildAfterActions, after_actions
from api.documents.announcement import Notice, announcement_pdf
from api.documents.catalogue import PUBLIC_FILES, RecordDetails, public_documents
from api.documents.draw_record import draw_record_pdf
from api.documents.errors import (
    DocumentError,
    InvalidDocumentInput,
    LetterDataMismatch,
    UnknownApplication,
    UnmaskedPersonalData,
    UnverifiedActions,
)
from api.documents.fonts import MissingFont, UnprintableText
from api.documents.letters import (
    LetterRecipient,
    result_letter_files,
    result_letter_pdf,
    result_letters_pdf,
)
from api.documents.notices import after_actions_pdf, applicant_list_pdf
from api.documents.public_csv import results_csv
from api.documents.school_lists import class_lists_pdf, school_register_xlsx
from api.documents.spreadsheet import results_xlsx

__all__ = [
    "PUBLIC_FILES",
    "AfterActions",
    "ChildAfterActions",
    "DocumentError",
    "InvalidDocumentInput",
    "LetterDataMismatch",
    "LetterRecipient",
    "MissingFont",
    "Notice",
    "RecordDetails",
    "UnknownApplication",
    "UnmaskedPersonalData",
    "UnprintableText",
    "UnverifiedActions",
    "after_actions",
    "after_actions_pdf",
    "announcement_pdf",
    "applicant_list_pdf",
    "class_lists_pdf",
    "draw_record_pdf",
    "public_documents",
    "result_letter_files",
    "result_letter_pdf",
    "result_letters_pdf",
    "results_csv",
    "results_xlsx",
    "school_register_xlsx",
]
