"""The two other notices a bureau posts: the masked applicant list before the draw, for the
objection period (摇号前报名名单公示, protocol §4.1), and the waitlist moves after the draw
(递补公示, §14): each decline or failed re-check, and who was admitted from the waitlist.

Both carry the same notice head and seal area as the announcement, in one language.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from reportlab.platypus import Flowable, Spacer

from api.documents.after_actions import after_actions
from api.documents.announcement import Notice, notice_block
from api.documents.errors import InvalidDocumentInput
from api.documents.marks import seal_area
from api.documents.messages import (
    DEFAULT_ZONE,
    check_language,
    local_date,
    local_time,
    status_word,
    words,
)
from api.documents.pdf import build_pdf, check_time, heading, list_table, paragraph, text
from api.documents.public_lists import check_masked, draw_facts
from lottery import Bundle, DrawRules, PublicRecord

__all__ = ["after_actions_pdf", "applicant_list_pdf"]


def applicant_list_pdf(
    rules: DrawRules,
    records: Sequence[PublicRecord],
    *,
    notice: Notice,
    created_at: str,
    zone: str = DEFAULT_ZONE,
) -> bytes:
    """The masked applicant list for the objection period, before sealing: application
    number, masked name and ID number, sex, category and listed schools (§4.1). `created_at`
    (§1.5) dates the document. Raises `UnmaskedPersonalData` for a record not masked."""
    check_time(created_at, "created_at")
    w = words("zh")
    schools = {s.id: s.name for s in rules.schools}
    categories = {c.id: c.label for c in rules.categories}
    rows = []
    for n, record in enumerate(sorted(records, key=lambda r: r.application), start=1):
        check_masked(record)
        listed = "；".join(schools.get(s, s) for s in record.preferences)
        category = categories.get(record.category or "", "")
        sex = {"F": "女", "M": "男"}.get(record.sex, "")
        rows.append((n, record.application, record.masked_name, record.masked_id, sex,
                     category, listed))  # fmt: skip
    header = (w["no"], w["application"], w["name"], w["id_number"], "性别", "类别", "报名学校")
    lines = [
        f"主办单位：{rules.authority}　摇号编号：{rules.draw_id}　报名人数：{len(rows)}",
        "公示日期：" + ("" if notice.posted_at is None else local_time(notice.posted_at, "zh", zone)),
        "异议截止："
        + ("" if notice.objection_deadline is None else local_time(notice.objection_deadline, "zh", zone)),
        f"异议受理联系方式：{notice.contact}",
        "名单封存后不再变更；如有错漏，请在异议截止前提出。",
    ]  # fmt: skip
    story: list[Flowable] = [
        paragraph(text(rules.title), "title"),
        paragraph(text(w["pre_draw"]), "subtitle"),
        paragraph("<br/>".join(text(line) for line in lines)),
        *list_table(header, rows),
        Spacer(1, 10),
        seal_area(
            rules.authority, local_date(notice.posted_at or created_at, "zh", zone), w["seal"]
        ),
    ]
    return build_pdf(
        story,
        title=f"{rules.title} {w['pre_draw']}",
        footer=rules.draw_id,
        created_at=notice.posted_at or created_at,
        identity="\x00".join(
            ["applicants", rules.draw_id, *(r.private_digest for r in records)]
        ).encode(),
    )


def after_actions_pdf(
    bundle: Bundle, *, notice: Notice | None = None, language: str = "zh", zone: str = DEFAULT_ZONE
) -> bytes:
    """The 递补公示: every post-draw action in order and the moves it made (§14.2, §14.3).
    Raises `UnverifiedActions` if the actions do not check out, `InvalidDocumentInput` if the
    bundle has none."""
    check_language(language)
    after = after_actions(bundle)
    if after is None:
        raise InvalidDocumentInput("actions.json: the bundle has no post-draw actions to announce")
    notice = notice or Notice()
    facts, w = draw_facts(bundle), words(language)
    records = {r.application: r for r in bundle.records}
    schools = {s.id: s.name for s in bundle.manifest.rules.schools}
    document = json.loads(bundle.files["actions.json"])
    rows = []
    for action in document["actions"]:
        gone = records[action["application"]]
        check_masked(gone)
        kind = status_word("declined" if action["type"] == "decline" else "disqualified", language)
        moved = (
            "；".join(
                f"{records[a].masked_name}（{a}）→ {schools.get(to, to)}"
                for a, _, to in action["moves"]
            )
            or w["none"]
        )
        rows.append((action["seq"], local_time(action["at"], language, zone), kind,
                     f"{gone.masked_name}（{gone.application}）", moved))  # fmt: skip
    header = (w["no"], w["action_time"], w["action_kind"], w["action_child"], w["action_moves"])
    story: list[Flowable] = [
        paragraph(text(facts.title), "title"),
        paragraph(text(w["after_actions"]), "subtitle"),
        *notice_block(facts, notice, language=language, zone=zone),
        paragraph(
            text(
                w["actions_included"].format(
                    count=after.count, at=local_time(after.last_at, language, zone)
                )
            )
        ),
        heading(w["after_actions"], style="h2"),
        *list_table(header, rows),
        Spacer(1, 10),
        seal_area(
            facts.authority,
            local_date(notice.posted_at or after.last_at, language, zone),
            w["seal"],
        ),
    ]
    return build_pdf(
        story,
        title=f"{facts.title} {w['after_actions']}",
        footer=f"{facts.draw_id} · {after.digest[:16]}",
        created_at=notice.posted_at or after.last_at,
        identity="\x00".join(
            ["after-actions", language, zone, after.digest, repr(notice)]
        ).encode(),
        page_words=(w["page"], w["pages"]),
    )
