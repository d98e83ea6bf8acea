"""What the command line says, in English and Chinese (the check titles of protocol §17)."""

from __future__ import annotations

import os

TITLES = {
    "en": {
        1: "Bundle layout, canonical files, protocol version",
        2: "Signatures by the bureau's key",
        3: "Manifest valid, digest",
        4: "Applicant list: records, groups, sealed root and count",
        5: "Witness reveals match their commitments",
        6: "Beacon value matches the registered beacon",
        7: "Seed recomputed",
        8: "Every lottery number recomputed",
        9: "Allocation re-run from scratch, classes",
        10: "Published results equal the re-run",
        11: "Counts per school, tier, reserved seats; plan respected",
        12: "Post-draw actions (waitlist moves) replayed",
        13: "Audit-log chain",
    },
    "zh": {
        1: "数据包结构、规范化文件、协议版本",
        2: "教育局密钥的签名",
        3: "摇号清单（manifest）有效，摘要",
        4: "报名名单：记录、多胞胎/兄弟姐妹组、封存根与人数",
        5: "见证人揭示的秘密与承诺一致",
        6: "信标值与登记的信标一致",
        7: "重新计算随机种子",
        8: "逐一重新计算摇号号码",
        9: "从头重新派位，均衡编班",
        10: "公布的结果与重新计算完全一致",
        11: "各校、各层级、预留名额人数；未超计划",
        12: "重放发布后的递补操作",
        13: "审计日志链",
    },
}

STATUS = {
    "en": {"PASS": "PASS", "FAIL": "FAIL", "NOT RUN": "NOT RUN", "ABSENT": "ABSENT"},
    "zh": {"PASS": "通过", "FAIL": "失败", "NOT RUN": "未运行", "ABSENT": "无此项"},
}

TEXT = {
    "en": {
        "bundle": "Bundle",
        "manifest": "Manifest digest",
        "expected": "expected",
        "found": "found",
        "all_pass": "RESULT: all checks passed. This draw is exactly what the protocol gives.",
        "some_fail": "RESULT: verification FAILED. Do not accept this draw; see the failing check above.",
        "child": "Child",
        "in_list": "In the sealed applicant list",
        "not_in_list": "NOT proven to be in the sealed applicant list",
        "private_match": "Name, ID number and receipt code match the sealed record (salted digest recomputed).",
        "private_mismatch": "Name, ID number or receipt code do NOT match the sealed record. Check the spelling; if they are right, complain to the bureau and the notary.",
        "private_unchecked": "Name, ID number and receipt code were not checked against the sealed record (they are checked together). To check them, run again with --name NAME --id-number ID (they stay on this computer).",
        "lottery_number": "Lottery number",
        "status": "Outcome",
        "admitted": "admitted to",
        "waitlisted": "not admitted; on the waitlist",
        "unplaced": "not admitted",
        "at_school": "At school",
        "tier": "tier",
        "number_here": "number used here",
        "admitted_here": "admitted here",
        "not_admitted_here": "not admitted here",
        "cutoff": "last admitted: tier {tier}, number {number}",
        "no_cutoff": "nobody admitted",
        "waitlist_position": "waitlist position {position}",
        "explain": "Smaller is better: tiers come first (in the school's order), then the lottery number, lowest first.",
        "declined": "declined the place",
        "disqualified": "failed the eligibility re-check",
        "after_actions": "This outcome includes the bundle's {count} post-draw action(s) (declines and disqualifications; the seats they freed were filled from the waitlists, protocol §14), replayed in check 12. Tiers, lottery numbers and cutoffs are the draw day's.",
        "actions_unverified": "The bundle holds post-draw actions that check 12 did not verify: the outcome below is the draw day's, before them.",
        "draw_day": "On the draw day",
        "removed": "Removed from the draw by post-draw action {seq} ({kind}): holds no seat and is on no waitlist (§14.1).",
        "cutoff_draw_day": "last admitted on the draw day: tier {tier}, number {number}",
        "no_cutoff_draw_day": "nobody admitted on the draw day",
        "admitted_on_draw_day": "on the draw day: admitted here",
        "not_admitted_on_draw_day": "on the draw day: not admitted here",
        "position_was": "waitlist position {position} (on the draw day: {before})",
        "position_left": "no longer on this waitlist (on the draw day: position {before})",
    },
    "zh": {
        "bundle": "数据包",
        "manifest": "摇号清单摘要",
        "expected": "应为",
        "found": "实为",
        "all_pass": "结论：全部检查通过。本次摇号结果与协议计算结果完全一致。",
        "some_fail": "结论：验证失败。请勿接受本次摇号结果，见上方失败的检查项。",
        "child": "学生",
        "in_list": "已在封存的报名名单中",
        "not_in_list": "未能证明在封存的报名名单中",
        "private_match": "姓名、身份证号和回执码与封存记录一致（已重新计算加盐摘要）。",
        "private_mismatch": "姓名、身份证号或回执码与封存记录不一致。请核对输入；如无误，请向教育局和公证处反映。",
        "private_unchecked": "未将姓名、身份证号和回执码与封存记录核对（三者须一并核对）。如需核对，请加上 --name 姓名 --id-number 身份证号 再运行（信息只在本机使用）。",
        "lottery_number": "摇号号码",
        "status": "结果",
        "admitted": "录取学校",
        "waitlisted": "未录取；在候补名单上",
        "unplaced": "未录取",
        "at_school": "学校",
        "tier": "层级",
        "number_here": "在该校使用的号码",
        "admitted_here": "在该校录取",
        "not_admitted_here": "未在该校录取",
        "cutoff": "该校最后录取：层级 {tier}，号码 {number}",
        "no_cutoff": "该校无人录取",
        "waitlist_position": "候补第 {position} 位",
        "explain": "排序规则：先比层级（按学校公布的顺序），同层级再比摇号号码，号码小者优先。",
        "declined": "已放弃学位",
        "disqualified": "资格复核未通过",
        "after_actions": "以上结果已包含数据包中的 {count} 项发布后递补操作（放弃、资格复核未通过空出的学位按候补名单递补，协议 §14），已在第 12 项检查中重放核对。层级、摇号号码和录取线仍为摇号当天的。",
        "actions_unverified": "数据包中的发布后递补操作未通过第 12 项检查：以下为摇号当天、递补之前的结果。",
        "draw_day": "摇号当天",
        "removed": "已因第 {seq} 项递补操作（{kind}）移出本次摇号：不占学位，不在任何候补名单上（§14.1）。",
        "cutoff_draw_day": "摇号当天该校最后录取：层级 {tier}，号码 {number}",
        "no_cutoff_draw_day": "摇号当天该校无人录取",
        "admitted_on_draw_day": "摇号当天在该校录取",
        "not_admitted_on_draw_day": "摇号当天未在该校录取",
        "position_was": "候补第 {position} 位（摇号当天第 {before} 位）",
        "position_left": "已不在该校候补名单上（摇号当天第 {before} 位）",
    },
}


def language_from_environment(environ: dict[str, str] | None = None) -> str:
    """`zh` if LC_ALL, LC_MESSAGES or LANG (first one set) starts with zh, else `en`."""
    env = os.environ if environ is None else environ
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
