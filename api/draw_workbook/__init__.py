"""Define a draw without JSON: a filled-in Excel workbook (`lottery init`), read back into the
draw's rules (`lottery create FILE.xlsx`), errors naming the sheet and the cell."""

from api.draw_workbook.reader import read_draw_workbook
from api.draw_workbook.writer import draw_template_xlsx

__all__ = ["draw_template_xlsx", "read_draw_workbook"]
