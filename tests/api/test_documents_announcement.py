"""The announcement list (公示名单) and the notary's draw record, read back from the PDF."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pypdf
import pytest
from sample_draws import Child, rules_for, tiers
from test_documents_lists import bundle_of, multi_children, multi_draw, privates, run_test_draw

from api.documents import InvalidDocumentInput, announcement_pdf, draw_record_pdf
from api.documents.announcement import Notice
from api.documents.public_lists import draw_facts
from lottery import School, key_fingerprint, read_bundle

VECTORS = Path(__file__).parents[1] / "vectors" / "draws"


def pdf_text(data: bytes) -> str:
    """All text of a PDF, whitespace removed (extraction spaces words unpredictably)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def page_count(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def grouped(value: str) -> str:
    return "".join(value[i : i + 8] for i in range(0, len(value), 8))


def test_announcement_header_gives_a_family_the_pins_and_the_notice() -> None:
    _, bundle = multi_draw()
    notice = Notice(
        posted_at="2026-07-10T01:30:00Z",
        objection_deadline="2026-07-15T09:00:00Z",
        contact="招生办 0571-12345678",
        lookup_url="https://zs.example.gov.cn/l/T26",
    )
    found = pdf_text(announcement_pdf(bundle, notice=notice))
    facts = draw_facts(bundle)
    for value in (
        grouped(facts.manifest_digest),
        grouped(facts.key_fingerprint),
        "Testdraw",
        "Testbureau",
        "公示日期：2026年7月10日09:30",  # local time, Asia/Shanghai
        "公示期至（异议受理截止）：2026年7月15日17:00",
        "异议受理联系方式：招生办0571-12345678",
        "https://zs.example.gov.cn/l/T26",
        "（盖章）Testbureau2026年7月10日",
        "第1页共",
    ):
        assert value in found, value
    # the pin of the sealing announcement, and how the seed was fixed (§7.4, §7.5, §12.6)
    assert f"核对码PIN（与封存公告一致）{facts.pin}" in found
    ceremony = bundle.ceremony
    assert "揭示截止于2026年7月1日" in found
    assert f"{len(ceremony.checkpoint_signatures)}位联署截止记录" in found
    assert f"{len(ceremony.beacon_signatures)}位见证人联署；数值{ceremony.beacon.value}" in found
    assert "公共随机源（主随机源）" in found
    # a notice board is no place for a shell command or the seed: those are the record's
    assert "verify-draw" not in found and facts.seed not in found
    # the digests printed are those a verifier computes from the files (§6.4, §12.3)
    assert facts.manifest_digest == bundle.results["manifest"]


def test_announcement_in_english_is_a_separate_document() -> None:
    _, bundle = multi_draw()
    chinese = pdf_text(announcement_pdf(bundle))
    english = pdf_text(announcement_pdf(bundle, language="en"))
    assert "录取名单" in chinese and "Admitted" not in chinese
    assert "Publicannouncementofthedrawresults" in english and "录取名单" not in english
    assert "Page1of" in english


def test_announcement_refuses_an_unknown_language_or_zone() -> None:
    _, bundle = multi_draw()
    with pytest.raises(InvalidDocumentInput, match="language"):
        announcement_pdf(bundle, language="fr")
    with pytest.raises(InvalidDocumentInput, match="zone"):
        announcement_pdf(bundle, zone="Mars/Olympus")


def test_announcement_lists_every_school_with_masked_rows_and_counts() -> None:
    result, bundle = multi_draw()
    found = pdf_text(announcement_pdf(bundle))
    by_application = {r.application: r for r in bundle.records}
    for entry in bundle.results["schools"]:
        school = next(s for s in bundle.manifest.rules.schools if s.id == entry["id"])
        assert f"{school.name}（{school.id}）" in found
        assert f"计划{school.seats}录取{entry['admitted']}候补{len(entry['waitlist'])}" in found
        for cutoff in entry["cutoffs"]:  # every seat label's, with its passed-over count
            if cutoff["lottery_number"] is not None:
                assert cutoff["lottery_number"] in found
        assert "普通名额录取线" in found
        for application in entry["waitlist"]:
            record = by_application[application]
            assert f"{application}{record.masked_name}{record.masked_id}" in found
    for application, _, status, _, _ in bundle.results["applicants"]:
        if status == "admitted":
            record = by_application[application]
            assert f"{application}{record.masked_name}{record.masked_id}" in found
    assert len(result.results["applicants"]) == 32


def test_announcement_and_record_never_show_a_full_name_or_id_number() -> None:
    _, bundle = multi_draw()
    found = pdf_text(announcement_pdf(bundle)) + pdf_text(
        draw_record_pdf(bundle, witnesses_present=["王某 公证员"], place="某县", printed_at=NOW)
    )
    people = privates(multi_children())
    assert people and all(p.name not in found and p.id_number not in found for p in people)
    assert all(p.receipt not in found for p in people)
    # and the masked forms are what is there instead
    assert bundle.records[0].masked_name in found


NOW = "2026-07-02T03:00:00Z"


def test_same_bundle_gives_identical_bytes_and_another_draw_does_not() -> None:
    _, bundle = multi_draw()
    _, other = multi_draw("single")
    first = announcement_pdf(bundle)
    assert first == announcement_pdf(bundle)
    assert first != announcement_pdf(other)
    record = draw_record_pdf(bundle, witnesses_present=["甲"], place="某县", printed_at=NOW)
    assert record == draw_record_pdf(bundle, witnesses_present=["甲"], place="某县", printed_at=NOW)
    assert b"/CreationDate (D:20260701020000+00'00')" in first  # sealed_at, not the clock
    assert b"/CreationDate (D:20260702030000+00'00')" in record


def test_draw_record_shows_ceremony_files_and_counts() -> None:
    result, bundle = multi_draw()
    data = draw_record_pdf(
        bundle,
        witnesses_present=["李明 公证员", "王芳 家长代表"],
        place="某县教育局",
        printed_at=NOW,
    )
    found = pdf_text(data)
    manifest = bundle.manifest
    for witness in manifest.witnesses:
        assert witness.commitment in found
    for _, secret in bundle.ceremony.reveals:
        assert secret is not None and secret.hex() in found
    assert bundle.ceremony.seed.hex() in found
    assert manifest.applicants.root in found
    assert manifest.beacon.primary.source.replace(" ", "") in found
    assert bundle.ceremony.beacon.value in found
    facts = draw_facts(bundle)
    assert f"核对码PIN（与封存公告一致）{facts.pin}" in found
    count = len(manifest.witnesses)
    assert f"{count}位见证人中{count}位揭示，{count}位联署截止记录" in found
    assert found.count("联署截止记录：是联署随机源声明：是") == count
    for witness in manifest.witnesses:  # each witness's key, by its fingerprint (§7.1)
        assert key_fingerprint(bytes.fromhex(witness.public_key)) in found
    import hashlib

    for name, content in bundle.files.items():
        line = f"{name}{len(content)}{hashlib.sha256(content).hexdigest()}"
        # the index lists the record among the public documents, so the record leaves it out
        assert (line in found) == (name not in ("index.json", "index.sig.json")), name
    for role in ("公证员", "监督员", "纪检监察", "家长代表", "操作员"):
        assert role in found
    assert "签字盖章日期" in found  # a box to sign and one to seal, per person
    assert "李明公证员、王芳家长代表" in found and "某县教育局" in found
    for entry in result.results["schools"]:
        tiers_text = "；".join(f"{t}{n}" for t, n in entry["by_tier"])
        assert f"{entry['id']}{entry['seats']}{entry['admitted']}{tiers_text}" in found


def test_draw_record_states_a_withheld_reveal() -> None:
    bundle = read_bundle(VECTORS / "single" / "11-missing-reveal")
    found = pdf_text(draw_record_pdf(bundle, witnesses_present=[], place="某县", printed_at=NOW))
    assert "未揭示" in found


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"printed_at": "2026-07-02 03:00"}, "printed_at: '2026-07-02 03:00' is not a time"),
        ({"place": "  "}, "place: '  ' is empty"),
        ({"witnesses_present": "张三"}, "give a list of names"),
        ({"witnesses_present": ["张三", ""]}, "witnesses_present item 2: '' is empty"),
    ],
)
def test_draw_record_refuses_bad_arguments(arguments: dict[str, object], message: str) -> None:
    _, bundle = multi_draw()
    given: dict[str, object] = {"witnesses_present": ["张三"], "place": "某县", "printed_at": NOW}
    given |= arguments
    with pytest.raises(InvalidDocumentInput, match=re.escape(message)):
        draw_record_pdf(bundle, **given)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "case", sorted(p.name for p in (VECTORS / "multi").iterdir() if p.is_dir())
)
def test_every_multi_vector_bundle_renders(case: str) -> None:
    bundle = read_bundle(VECTORS / "multi" / case)
    found = pdf_text(announcement_pdf(bundle))
    assert draw_facts(bundle).manifest_digest in found
    for entry in bundle.results["schools"]:
        for application in entry["waitlist"]:
            assert application in found


def test_three_thousand_applicants_render_over_many_pages() -> None:
    schools = [
        School(id=f"S{k:02d}", name=f"第{k}小学", seats=150, tiers=tiers("HOME", "G"))
        for k in range(1, 11)
    ]
    children = [
        Child(
            application=f"A{i:05d}",
            preferences=(f"S{i % 10 + 1:02d}",),
            tiers={f"S{i % 10 + 1:02d}": "HOME"} if i % 3 == 0 else {},
        )
        for i in range(3000)
    ]
    bundle = bundle_of(run_test_draw(rules_for(schools), children, label="large"))
    data = announcement_pdf(bundle)
    # 3,000 lines (1,500 admitted, 1,500 on waitlists) over many pages, header on each
    assert page_count(data) > 40
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert "报名号" in reader.pages[page_count(data) // 2].extract_text()


def test_a_long_announcement_comes_in_parts_of_whole_schools() -> None:
    from api.documents.announcement import announcement_parts

    _, bundle = multi_draw()
    parts = list(announcement_parts(bundle, max_lines=10))
    assert [n for n, _ in parts] == list(range(1, len(parts) + 1)) and len(parts) >= 2
    texts = [pdf_text(data) for _, data in parts]
    for school in bundle.manifest.rules.schools:  # every school in exactly one part, whole
        holding = [t for t in texts if f"{school.name}（{school.id}）" in t]
        assert len(holding) == 1
    assert all("（盖章）" in t and "公示日期" in t for t in texts)
    whole = list(announcement_parts(bundle, max_lines=10_000))
    assert len(whole) == 1


def test_the_record_lists_every_cutoff_and_the_groups_without_room() -> None:
    """§10.8 and §10.10 in the draw record: each school's cutoff per seat label, and the groups
    that fit nowhere whole (left to the second round or the bureau's manual placement)."""
    _, bundle = multi_draw()
    found = pdf_text(
        draw_record_pdf(bundle, witnesses_present=["甲"], place="某县", printed_at=NOW)
    )
    assert "各校录取线（按名额类别）" in found and "普通名额录取线：" in found
    assert "无法整组安置的同胞组" in found and "无：没有因剩余名额分散" in found
    results = {**bundle.results, "groups_without_room": ["G7", "G9"]}
    marked = dataclasses.replace(bundle, results=results)
    found = pdf_text(
        draw_record_pdf(marked, witnesses_present=["甲"], place="某县", printed_at=NOW)
    )
    assert "留待补录或由教育局人工安置" in found and "G7，G9" in found
    english = pdf_text(
        draw_record_pdf(
            marked, witnesses_present=["甲"], place="某县", printed_at=NOW, language="en"
        )
    )
    assert "Open-seatcutoff" in english and "Siblinggroupswithoutroom" in english  # no spaces
