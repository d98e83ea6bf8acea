"""Class lists (均衡编班, protocol §11): the public list is masked and follows the signed
classes; the admitting school's register names its pupils in full, classes included."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sample_draws import Child, record_for, rules_for, tiers
from test_documents_announcement import pdf_text
from test_documents_lists import bundle_of, run_test_draw

from api.documents import class_lists_pdf, school_register_xlsx
from api.documents.school_lists import PrivateLine
from lottery import ClassPolicy, School

CHILDREN = [
    Child(application=f"A{i:03d}", preferences=("S01",), sex="F" if i % 2 else "M")
    for i in range(12)
]


def _bundle():  # type: ignore[no-untyped-def]
    policy = ClassPolicy(count=2, max_size=45, twins="together")
    school = School(id="S01", name="第一小学", seats=8, tiers=tiers("G"), classes=policy)
    return bundle_of(run_test_draw(rules_for([school]), CHILDREN, label="classes"))


def test_the_public_class_lists_are_masked_and_follow_the_signed_classes() -> None:
    bundle = _bundle()
    found = pdf_text(class_lists_pdf(bundle))
    classes = bundle.results["schools"][0]["classes"]
    records = {r.application: r for r in bundle.records}
    assert len(classes) == 2 and sum(len(c) for c in classes) == 8
    for n, members in enumerate(classes, start=1):
        assert f"第{n}班{len(members)}人" in found
        for k, application in enumerate(members, start=1):
            assert f"{k}{application}{records[application].masked_name}" in found
    for child in CHILDREN:
        assert record_for(child, "classes")[0].name not in found


def test_the_schools_register_names_its_pupils_in_full() -> None:
    bundle = _bundle()
    private = {
        child.application: PrivateLine(
            name=record_for(child, "classes")[0].name,
            id_number=record_for(child, "classes")[0].id_number,
        )
        for child in CHILDREN
    }
    workbook = load_workbook(io.BytesIO(school_register_xlsx(bundle, "S01", private)))
    admitted = list(workbook["录取名单"].iter_rows(min_row=2, values_only=True))
    in_classes = list(workbook["编班名单"].iter_rows(min_row=2, values_only=True))
    assert len(admitted) == len(in_classes) == 8
    for line in admitted:
        assert (line[2], line[3]) == (private[str(line[1])].name, private[str(line[1])].id_number)
    classes = bundle.results["schools"][0]["classes"]
    assert [line[2] for line in in_classes] == [a for members in classes for a in members]
