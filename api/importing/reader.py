"""Reading an applicant file, all or nothing.

`read_applicant_bytes` runs every stage (decode, headers, rows, cross-row
checks) and either returns every applicant or raises one `ImportRejected`
listing every problem found, sorted by row. It touches no database and no
clock: the same bytes and rules always give the same answer.
"""

from __future__ import annotations

from pathlib import Path

from api.importing.cross_checks import cross_row_problems
from api.importing.decoding import decode_table
from api.importing.headers import find_header_row, map_columns
from api.importing.model import ColumnChoices, ImportResult, ImportRules
from api.importing.report import ImportProblem, ImportRejected, Message
from api.importing.validation import validate_rows
from api.importing.workbook import cell_problems

__all__ = ["read_applicant_bytes", "read_applicant_file"]

_NO_APPLICANTS = Message(
    zh="文件中没有任何考生 (只有表头)", en="no applicants: the file has a header but no rows"
)


def read_applicant_file(
    path: Path, *, draw_rules: ImportRules, choices: ColumnChoices | None = None
) -> ImportResult:
    """Read an applicant list from a CSV or XLSX file; see read_applicant_bytes."""
    return read_applicant_bytes(
        path.read_bytes(), filename=path.name, draw_rules=draw_rules, choices=choices
    )


def read_applicant_bytes(
    data: bytes,
    *,
    filename: str,
    draw_rules: ImportRules,
    choices: ColumnChoices | None = None,
) -> ImportResult:
    """Every normalised applicant of the file, or ImportRejected with every problem.

    The format is decided by the content; `filename` is used in messages and to
    spot a file named .xlsx that is not a workbook. `choices` maps or ignores columns the
    import does not know (a workbook's 列对应 sheet adds to them; `choices` wins).
    """
    table = decode_table(data, filename=filename)
    choices = _with_sheet(choices or ColumnChoices(), table.mapping)
    header_index = find_header_row(table.rows, choices)
    merged, formulas = cell_problems(table, header_index)
    located = (*table.problems, *merged, *formulas)
    try:
        columns, header_warnings = map_columns(
            table.rows, header_index=header_index, choices=choices
        )
    except ImportRejected as rejected:
        raise ImportRejected(located + rejected.problems, filename=filename) from None
    # A column left out is not read, so formulas there (a 序号 of =ROW()-2) do no harm.
    formulas = tuple(p for p in formulas if p.column not in columns.ignored)
    located = (*table.problems, *merged, *formulas)
    applicants, keys, row_problems = validate_rows(table.rows, columns=columns, rules=draw_rules)
    cross_problems, cross_warnings = cross_row_problems(keys, columns=columns)
    # A formula cell is reported as a formula, not again as the empty value calamine read.
    formula_at = {(p.row, p.column) for p in formulas}
    row_problems = [p for p in row_problems if (p.row, p.column) not in formula_at]
    problems = [*located, *row_problems, *cross_problems]
    if not keys:
        problems.append(ImportProblem.at(_NO_APPLICANTS, row=None, column=None))
    if problems:
        raise ImportRejected(tuple(sorted(problems, key=_by_row)), filename=filename)
    return ImportResult(
        rows=tuple(applicants),
        warnings=(*table.warnings, *header_warnings, *cross_warnings),
        encoding=table.encoding,
        format=table.format,
        ignored_columns=columns.ignored,
        mapped_columns=columns.mapped,
    )


def _with_sheet(choices: ColumnChoices, sheet: tuple[tuple[str, str], ...]) -> ColumnChoices:
    if not sheet:
        return choices
    return ColumnChoices(mapped={**dict(sheet), **choices.mapped}, ignored=choices.ignored)


def _by_row(problem: ImportProblem) -> int:
    """File-level problems first, then in row order (sorting is stable within a row)."""
    return 0 if problem.row is None else problem.row
