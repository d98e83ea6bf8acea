"""The words of the printed documents, one table per language: Chinese (`zh`, what a bureau
posts) and English (`en`, offered separately, never mixed into the same line).

Terms follow the bureaus' own words: 报名号, 回执码, 摇号号码, 公示, 递补, 均衡编班. A person
reads local time (Asia/Shanghai by default), written the way they write it: 2026年7月10日 09:30
(`local_time`); signed data keeps UTC.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Mapping

from api.documents.errors import InvalidDocumentInput

__all__ = [
    "DEFAULT_ZONE",
    "LANGUAGES",
    "check_language",
    "local_date",
    "local_time",
    "mode_word",
    "seat_word",
    "status_word",
    "utc_from_local",
    "words",
]

DEFAULT_ZONE = "Asia/Shanghai"
LANGUAGES = ("zh", "en")

_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "colon": "：",
        "gap": "　",
        "announcement": "摇号结果公示名单",
        "pre_draw": "摇号前报名名单公示",
        "after_actions": "递补结果公示",
        "draw_record": "摇号过程记录",
        "posted_at": "公示日期",
        "deadline": "公示期至（异议受理截止）",
        "contact": "异议受理联系方式",
        "authority": "主办单位",
        "draw": "摇号编号",
        "mode": "摇号方式",
        "sealed_at": "名单封存时间",
        "applicants": "报名人数",
        "lookup": "家长查询：扫描二维码或访问",
        "lookup_how": "凭报名号和回执码查询本人结果，并可自行核对；回执码请勿告诉他人。",
        "pins": "核对值（与封存公告和查询页上的一致）",
        "manifest_digest": "方案摘要",
        "key_fingerprint": "签名公钥指纹",
        "pin": "核对码 PIN（与封存公告一致）",
        "c_checkpoint": "揭示截止于 {at}：{witnesses} 位见证人中 {revealed} 位揭示，{signed} 位联署截止记录。",
        "c_beacon": "公共随机源（{used}）：{source}，轮次 {round}，{signed} 位见证人联署；数值 ",
        "c_used_primary": "主随机源",
        "c_used_fallback": "备用随机源",
        "c_proof": "随机源声明附有 drand 轮次签名，可用验证程序核对。",
        "privacy": "本名单不含完整姓名和身份证号。",
        "plan": "计划",
        "admitted": "录取",
        "waitlist": "候补",
        "per_tier": "各类别录取人数",
        "reserved_used": "预留名额（已用/预留）",
        "cutoff_open": "截止位次（最后一名录取者的类别和摇号号码）",
        "admitted_list": "录取名单",
        "waitlist_list": "候补名单（按顺序递补）",
        "no": "序号",
        "application": "报名号",
        "name": "姓名",
        "id_number": "身份证号",
        "lottery_number": "摇号号码",
        "number_here": "本校号码",
        "tier": "类别",
        "seat": "名额",
        "position": "候补位次",
        "moved_by": "递补操作",
        "multiple": "本次每所学校使用各自的号码（本校号码）排序。",
        "draw_day_note": "本名单为摇号当日结果；此后的递补另行公示。",
        "seal": "（盖章）",
        "none": "无",
        "totals": "合计",
        "page": "第 {page} 页",
        "pages": " 共 {pages} 页",
        "open": "普通",
        "reserved": "预留：{category}",
        "actions_included": "已计入截至 {at} 的 {count} 项递补操作",
        "actions_digest": "递补记录摘要",
        "outcome_root": "结果树根（第 {seq} 号结果头；查询页可下载本人的结果证明核对）",
        "r_rules": "一、摇号规则",
        "r_rules_text": "方式：{mode}；{tie}；最多志愿数：{max}；同胞、双胞胎整体录取或整体不录取。"
        "同一学校内先按类别（优先级）排序，同类别内按摇号号码从小到大排序。",
        "tie_single": "每人一个摇号号码",
        "tie_multiple": "每校一个摇号号码",
        "school": "学校",
        "seats": "计划",
        "tiers_order": "类别顺序（优先在前）",
        "classes": "编班",
        "classes_text": "{count} 个班，每班最多 {size} 人",
        "auto": "自动",
        "r_sealed": "二、报名名单封存",
        "r_sealed_text": "封存时间：{at}；人数：{count}；默克尔根：",
        "r_witnesses": "三、见证人承诺与揭示",
        "min_reveals": "至少需揭示：{count}",
        "commitment": "承诺",
        "reveal": "揭示",
        "not_revealed": "未揭示",
        "witness_key": "公钥指纹",
        "cosigned": "联署截止记录：{checkpoint}　联署随机源声明：{beacon}",
        "cs_yes": "是",
        "cs_no": "否",
        "r_beacon": "四、公共随机源",
        "value": "值",
        "r_seed": "五、随机种子",
        "seed": "随机种子",
        "results_digest": "结果摘要",
        "r_files": "六、公开数据包文件（每个文件的 SHA-256）",
        "file": "文件",
        "bytes": "字节",
        "r_counts": "七、摇号结果统计",
        "per_tier_short": "各类别",
        "reserved_short": "预留",
        "cutoff_short": "普通名额截止",
        "cutoffs_title": "各校录取线（按名额类别）",
        "gwr_title": "无法整组安置的同胞组",
        "gwr_text": "以下同胞（多胞胎）组在所填志愿的每所学校都没有足够名额整组录取（剩余名额合计够用，"
        "但分散在不同学校）。同胞组不拆分录取，这些组留待补录或由教育局人工安置（记入问题线索台账）：",
        "gwr_none": "无：没有因剩余名额分散而未能整组安置的同胞组。",
        "r_verify": "八、自行验证",
        "verify_text": "下载公开数据包，用独立的验证程序重新计算全部摇号过程：",
        "r_sign": "九、签字盖章",
        "place": "地点",
        "printed_at": "打印时间",
        "present": "到场人员",
        "confirm": "以上记录与公开数据包一致，摇号过程公开、公平、公正。",
        "role": "职责",
        "signature": "签字",
        "seal_box": "盖章",
        "date": "日期",
        "notary": "公证员",
        "supervisor": "监督员",
        "inspector": "纪检监察",
        "parent_rep": "家长代表",
        "operator": "操作员",
        "action_time": "时间",
        "action_kind": "事项",
        "action_child": "放弃或未通过复核者",
        "action_moves": "递补录取（候补者 → 学校）",
        "letter": "录取/派位结果通知书",
        "dear": "{name} 同学家长：",
        "letter_ids": "报名号：{application}　摇号号码：{number}",
        "outcome": "结果：{outcome}",
        "admitted_at": "录取：{school}（{id}），{seat}",
        "moved_in": "（第 {seq} 项递补操作从候补名单递补）",
        "removed_by": "已于第 {seq} 项递补操作移出本次摇号：不占学位，不在任何候补名单。",
        "draw_day_outcome": "摇号当天结果：{outcome}",
        "r_removed": "已移出",
        "r_admitted": "录取，{seat}",
        "r_earlier": "已录取前一志愿",
        "r_position": "候补第 {n} 位",
        "r_not": "未录取",
        "r_then": "{now}（摇号当天：{then}）",
        "letter_actions": "本通知书已计入截至 {at} 的 {count} 项递补操作（放弃、资格复核未通过空出的学位按"
        "候补名单依次递补）：结果和候补位次为递补后的；类别、号码和录取线仍为摇号当天的。",
        "letter_schools": "各志愿学校：每所学校先按类别（优先级）排序，同类别内按摇号号码从小到大排序；"
        "普通名额和各类专项名额各有录取线，即以该类名额录取的最后一名孩子的类别和号码"
        "（专项名额只在本类别孩子之间比较，请对照普通名额录取线）。",
        "l_school": "学校",
        "l_tier": "类别",
        "l_number": "使用号码",
        "l_cutoff": "录取线（类别，摇号号码）",
        "l_cutoff_draw_day": "摇号当天录取线",
        "l_result": "结果",
        "receipt": "回执码：{code}　请妥善保管，勿告诉他人。",
        "letter_lookup": "查询与核对：扫描二维码或访问 {url}，凭报名号和回执码查询；也可在公开数据包上"
        "运行独立验证程序：",
        # the sealing announcement (封存公告, §12.6)
        "s_title": "封存公告",
        "s_lead": "报名名单和摇号规则已封存，此后不能再修改。下列核对值在任何见证人揭示之前公布，"
        "由公证员留存打印件，并在大屏和本局网站同时公布。",
        "s_pin": "核对码 PIN",
        "s_pin_note": "请家长记下这个核对码。结果公布后，用验证程序（或查询页上的“自行核对”）输入核对码："
        "只有核对码一致，才能证明数据包是本局这次摇号的。",
        "s_page": "本公告的网页",
        "s_check": "核对码由方案摘要和签名公钥指纹算出；任何人重做一次摇号都会得到不同的核对码。",
        "s_beacon": "公共随机源（登记时其数值尚未产生）",
        "s_primary": "主随机源",
        "s_fallback": "备用随机源",
        "s_beacon_text": "{source}，轮次 {round}，公布时间 {at}",
        "s_beacon_note": "见证人揭示须在随机源公布之前截止；随机源数值公布后由见证人核对并联署。",
        "s_witnesses": "见证人及其公钥指纹",
        "s_witness_id": "编号",
        "s_witness_name": "见证人",
        "s_witness_key": "公钥指纹",
        "s_witness_note": "每位见证人在自己的电脑上生成密钥和秘密值；揭示、截止和随机源都需见证人签名。",
    },
    "en": {
        "colon": ": ",
        "gap": "   ",
        "announcement": "Public announcement of the draw results",
        "pre_draw": "Applicant list before the draw, for objections",
        "after_actions": "Announcement of waitlist moves",
        "draw_record": "Record of the draw",
        "posted_at": "Posted",
        "deadline": "Objections until",
        "contact": "Objections to",
        "authority": "Authority",
        "draw": "Draw",
        "mode": "Mode",
        "sealed_at": "List sealed at",
        "applicants": "Applicants",
        "lookup": "Families: scan the code or open",
        "lookup_how": "Look up your child's result with the application number and receipt "
        "code, and check it yourself; keep the receipt code private.",
        "pins": "Check values (the look-up page must show the same)",
        "manifest_digest": "Manifest digest",
        "key_fingerprint": "Signing key fingerprint",
        "pin": "Pin (as in the sealing announcement)",
        "c_checkpoint": "Reveals closed {at}: {revealed} of {witnesses} witnesses revealed, {signed} co-signed the checkpoint.",
        "c_beacon": "Beacon ({used}): {source}, round {round}, co-signed by {signed} witnesses; value ",
        "c_used_primary": "primary",
        "c_used_fallback": "fallback",
        "c_proof": "The beacon statement carries the drand round's signature, which the verifier can check.",
        "privacy": "This list never shows a full name or ID number.",
        "plan": "Plan",
        "admitted": "Admitted",
        "waitlist": "Waitlist",
        "per_tier": "Admitted per tier",
        "reserved_used": "Reserved seats (used/reserved)",
        "cutoff_open": "Cutoff (tier and lottery number of the last admitted)",
        "admitted_list": "Admitted",
        "waitlist_list": "Waitlist, in order",
        "no": "No.",
        "application": "Application",
        "name": "Name",
        "id_number": "ID number",
        "lottery_number": "Lottery number",
        "number_here": "Number here",
        "tier": "Tier",
        "seat": "Seat",
        "position": "Position",
        "moved_by": "Moved by action",
        "multiple": "Each school ranks by its own number per child (Number here).",
        "draw_day_note": "This list shows the draw day's results; later moves are announced "
        "separately.",
        "seal": "(Seal)",
        "none": "none",
        "totals": "Totals",
        "page": "Page {page}",
        "pages": " of {pages}",
        "open": "open",
        "reserved": "reserved: {category}",
        "actions_included": "includes {count} post-draw action(s) up to {at}",
        "actions_digest": "Actions digest",
        "outcome_root": "Outcome root (results head {seq}; the look-up page gives this child's "
        "outcome proof)",
        "r_rules": "1. Rules",
        "r_rules_text": "Mode: {mode}; {tie}; at most {max} preferences; siblings and twins are "
        "admitted together or not at all. Each school ranks by tier first, then by lottery "
        "number, lowest first.",
        "tie_single": "one number per child",
        "tie_multiple": "a number per child and school",
        "school": "School",
        "seats": "Seats",
        "tiers_order": "Tiers, best first",
        "classes": "Classes",
        "classes_text": "{count} classes of at most {size}",
        "auto": "auto",
        "r_sealed": "2. Sealed applicant list",
        "r_sealed_text": "Sealed at {at}; applicants: {count}; Merkle root:",
        "r_witnesses": "3. Witness commitments and reveals",
        "min_reveals": "Minimum reveals: {count}",
        "commitment": "commitment",
        "reveal": "reveal",
        "not_revealed": "not revealed",
        "witness_key": "key fingerprint",
        "cosigned": "co-signed the checkpoint: {checkpoint}; co-signed the beacon statement: {beacon}",
        "cs_yes": "yes",
        "cs_no": "no",
        "r_beacon": "4. Public beacon",
        "value": "value",
        "r_seed": "5. Seed",
        "seed": "Seed",
        "results_digest": "Results digest",
        "r_files": "6. Files of the public bundle (SHA-256 of each)",
        "file": "File",
        "bytes": "Bytes",
        "r_counts": "7. Results per school and tier",
        "per_tier_short": "Per tier",
        "reserved_short": "Reserved",
        "cutoff_short": "Open-seat cutoff",
        "cutoffs_title": "Cutoffs per school and kind of seat",
        "gwr_title": "Sibling groups without room",
        "gwr_text": "These sibling groups found no school on their list with room for the whole "
        "group (enough seats were left in all, but spread over several schools). A group is never "
        "split; these groups are left to the second round or to the bureau's manual placement "
        "(recorded in the ledger):",
        "gwr_none": "None: no sibling group was left without a seat because the free seats were "
        "spread over several schools.",
        "r_verify": "8. Check it yourself",
        "verify_text": "Download the public bundle and re-run the whole draw with the "
        "independent verifier:",
        "r_sign": "9. Signatures and seals",
        "place": "Place",
        "printed_at": "Printed at",
        "present": "Present",
        "confirm": "We confirm this record matches the public bundle and that the draw was "
        "held as recorded.",
        "role": "Role",
        "signature": "Signature",
        "seal_box": "Seal",
        "date": "Date",
        "notary": "Notary",
        "supervisor": "Supervisor",
        "inspector": "Discipline inspector",
        "parent_rep": "Parent representative",
        "operator": "Operator",
        "action_time": "Time",
        "action_kind": "What",
        "action_child": "Child leaving",
        "action_moves": "Admitted from the waitlist (child → school)",
        "letter": "Result letter",
        "dear": "To the family of {name}:",
        "letter_ids": "Application: {application}   Lottery number: {number}",
        "outcome": "Outcome: {outcome}",
        "admitted_at": "admitted: {school} ({id}), {seat}",
        "moved_in": " (filled from the waitlist by post-draw action {seq})",
        "removed_by": "Removed from the draw by post-draw action {seq}: holds no seat and is on "
        "no waitlist.",
        "draw_day_outcome": "Draw-day outcome: {outcome}",
        "r_removed": "removed",
        "r_admitted": "admitted, {seat}",
        "r_earlier": "admitted to an earlier choice",
        "r_position": "waitlist position {n}",
        "r_not": "not admitted",
        "r_then": "{now} (draw day: {then})",
        "letter_actions": "This letter includes {count} post-draw action(s) up to {at}: the "
        "outcome and waitlist positions are as they stand after them; tiers, numbers and "
        "cutoffs are the draw day's.",
        "letter_schools": "Your schools: each school ranks by tier first, then by lottery "
        "number, lowest first. Open seats and each kind of reserved seat have their own cutoff: "
        "the tier and number of the last child admitted on them (reserved seats are compared "
        "only within their category; compare with the open-seat cutoff).",
        "l_school": "School",
        "l_tier": "Your tier",
        "l_number": "Number used",
        "l_cutoff": "Cutoffs (tier, number)",
        "l_cutoff_draw_day": "Draw-day cutoffs",
        "l_result": "Result",
        "receipt": "Receipt code: {code}   Keep it private.",
        "letter_lookup": "Look up and check: scan the code or open {url} with the application "
        "number and receipt code, or run the independent verifier on the public bundle:",
        # the sealing announcement (封存公告, §12.6)
        "s_title": "Sealing announcement",
        "s_lead": "The applicant list and the rules are sealed and can no longer change. The "
        "values below are published before any witness reveals: the notary keeps this printed "
        "copy, and the big screen and the bureau's site show the same.",
        "s_pin": "Pin",
        "s_pin_note": "Families: write this pin down. After the results, enter it in the "
        "verifier (or in the look-up page's own check): only a matching pin shows that the "
        "bundle is this draw of the bureau's.",
        "s_page": "This announcement online",
        "s_check": "The pin is computed from the manifest digest and the key fingerprint; any "
        "re-made draw has a different pin.",
        "s_beacon": "Public beacon (its value does not exist yet)",
        "s_primary": "Primary",
        "s_fallback": "Fallback",
        "s_beacon_text": "{source}, round {round}, published {at}",
        "s_beacon_note": "Witness reveals close before the beacon value is published; the "
        "witnesses check the value at its source and co-sign it.",
        "s_witnesses": "Witnesses and their key fingerprints",
        "s_witness_id": "ID",
        "s_witness_name": "Witness",
        "s_witness_key": "Key fingerprint",
        "s_witness_note": "Each witness made its key and secret on its own computer; the "
        "reveals, the checkpoint and the beacon are all signed by the witnesses.",
    },
}
_MODES = {
    "zh": {
        "single_school_lottery": "单校摇号",
        "deferred_acceptance": "多校志愿（延迟接受）",
        "immediate_acceptance": "多校志愿（志愿优先）",
        "zone_assignment": "电脑派位",
    },
    "en": {
        "single_school_lottery": "single-school lottery",
        "deferred_acceptance": "preferences, deferred acceptance",
        "immediate_acceptance": "preferences, immediate acceptance",
        "zone_assignment": "zone assignment",
    },
}
_STATUSES = {
    "zh": {
        "admitted": "录取",
        "waitlisted": "候补",
        "unplaced": "未录取",
        "declined": "已放弃",
        "disqualified": "资格复核未通过",
    },
    "en": {
        "admitted": "admitted",
        "waitlisted": "waitlisted",
        "unplaced": "not placed",
        "declined": "declined",
        "disqualified": "failed the eligibility re-check",
    },
}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]  # fmt: skip


def check_language(language: str) -> None:
    """Raise `InvalidDocumentInput` unless `language` is one the documents are written in."""
    if language not in LANGUAGES:
        raise InvalidDocumentInput(f"language: {language!r}; expected one of {LANGUAGES}")


def words(language: str) -> Mapping[str, str]:
    """The message table of `language` (`zh` or `en`)."""
    check_language(language)
    return _WORDS[language]


def mode_word(mode: str, language: str) -> str:
    """The draw's mode (§10) in words."""
    return _MODES[language].get(mode, mode)


def status_word(status: str, language: str) -> str:
    """An outcome (§10.7, §14.1) in words."""
    return _STATUSES[language].get(status, status)


def seat_word(label: str | None, categories: Mapping[str, str], language: str) -> str:
    """The seat type of an admitted child (§9.1): open, or reserved for a category."""
    if label is None:
        return ""
    if label == "open":
        return _WORDS[language]["open"]
    category = label.removeprefix("reserved:")
    return _WORDS[language]["reserved"].format(category=categories.get(category, category))


def _local(value: str, zone: str) -> datetime.datetime:
    try:
        utc = datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    except (TypeError, ValueError):
        raise InvalidDocumentInput(f"time: {value!r} is not YYYY-MM-DDTHH:MM:SSZ (§1.5)") from None
    try:
        return utc.astimezone(zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidDocumentInput(f"zone: {zone!r} is not a time zone name") from None


def local_time(value: str, language: str = "zh", zone: str = DEFAULT_ZONE) -> str:
    """A protocol time (§1.5, UTC) as a person reads it: `2026年7月10日 09:30` in Chinese,
    `10 July 2026, 09:30` in English, in the local `zone`."""
    local = _local(value, zone)
    if language == "zh":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {local:%H:%M}"


def local_date(value: str, language: str = "zh", zone: str = DEFAULT_ZONE) -> str:
    """The local date of a protocol time: `2026年7月10日`, `10 July 2026`."""
    local = _local(value, zone)
    if language == "zh":
        return f"{local.year}年{local.month}月{local.day}日"
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}"


def utc_from_local(value: str, zone: str = DEFAULT_ZONE) -> str:
    """A time a person types, `2026-07-10 09:30` in the local `zone` (or already a protocol
    time `...Z`), as a protocol time in UTC (§1.5)."""
    value = value.strip()
    if value.endswith("Z"):
        _local(value, zone)  # checks the form
        return value
    try:
        local = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M")
    except ValueError:
        raise InvalidDocumentInput(
            f"时间格式应为 2026-07-10 09:30 (time {value!r}: expected YYYY-MM-DD HH:MM)"
        ) from None
    try:
        aware = local.replace(tzinfo=zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidDocumentInput(f"zone: {zone!r} is not a time zone name") from None
    return aware.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
