"""Scale: a large city's grade (150,000 children, 10 preferences each) in one XLSX."""

from __future__ import annotations

import datetime

import pytest
from import_corpus.builders import HEADER_ZH, fast_xlsx_bytes, make_id

from api.importing import ImportRules, read_applicant_bytes

APPLICANTS = 150_000
SCHOOLS = tuple(f"S{n:03d}" for n in range(1000))
RULES = ImportRules(
    schools=frozenset(SCHOOLS),
    birth_date_from=datetime.date(2012, 9, 1),
    birth_date_to=datetime.date(2013, 8, 31),
    max_preferences=10,
    tiers_by_school=dict.fromkeys(SCHOOLS, ("T1", "T2")),
    categories=frozenset({"SIB"}),
)


def _row(n: int) -> list[str]:
    birth = datetime.date(2012, 9, 1) + datetime.timedelta(days=n % 365)
    region = f"{110000 + n // 1000:06d}"
    id_number = make_id(birth=birth.strftime("%Y%m%d"), sequence=f"{n % 1000:03d}", region=region)
    twins = n % 50 < 2  # rows 0 and 1 of every 50 are a pair applying together
    first = n - n % 2 if twins else n
    preferences = ";".join(SCHOOLS[(first * 7 + k * 13) % 1000] for k in range(10))
    name = "张三丰" if n % 2 else "Anna Lopez"
    group = f"G{n // 2}" if twins else ""
    category = "SIB" if twins else ""
    return [f"A{n:06d}", name, id_number, preferences, "T1", category, group]


@pytest.mark.slow
def test_150k_rows_xlsx_are_all_read_and_checked() -> None:
    # How long it takes is measured by bench/bench_import.py, not asserted here.
    data = fast_xlsx_bytes([HEADER_ZH, *(_row(n) for n in range(APPLICANTS))])
    result = read_applicant_bytes(data, filename="city.xlsx", draw_rules=RULES)
    assert len(result.rows) == APPLICANTS
    assert result.rows[-1].row == APPLICANTS + 1
    assert result.rows[-1].preferences[0] == SCHOOLS[(APPLICANTS - 1) * 7 % 1000]
