"""Every sentence the verifier prints, in English and Chinese, by key.

A `Message` is a key of `TEXTS` with its parameters; it is put into words only when printed, in
the reader's language. A parameter that is itself a `Message` is put into the same language.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

# fmt: off
TEXTS: dict[str, tuple[str, str]] = {
    # The checks of protocol §17.
    "check_1": ("Bundle layout, canonical files, protocol version, README", "数据包结构、规范化文件、协议版本、说明文件"),
    "check_2": ("Signatures by the bureau's key", "教育局密钥的签名"),
    "check_3": ("Manifest valid, digest", "摇号清单（manifest）有效，摘要"),
    "check_4": ("Applicant list: records, groups, sealed root and count", "报名名单：记录、多胞胎/兄弟姐妹组、封存根与人数"),
    "check_5": ("Witness reveals match their commitments", "见证人揭示的秘密与承诺一致"),
    "check_6": ("Beacon value matches the registered beacon", "信标值与登记的信标一致"),
    "check_7": ("Seed recomputed", "重新计算随机种子"),
    "check_8": ("Every lottery number recomputed", "逐一重新计算摇号号码"),
    "check_9": ("Allocation re-run from scratch, classes", "从头重新派位，均衡编班"),
    "check_10": ("Published results equal the re-run", "公布的结果与重新计算完全一致"),
    "check_11": ("Counts per school, tier, reserved seats; plan respected", "各校、各层级、预留名额人数；未超计划"),
    "check_12": ("Post-draw actions (waitlist moves) replayed", "重放发布后的递补操作"),
    "check_13": ("Audit-log chain", "审计日志链"),
    "check_14": ("Second round derived from the previous draw (§14.5)", "补录由上一轮摇号正确推出（§14.5）"),
    "PASS": ("PASS", "通过"),
    "FAIL": ("FAIL", "失败"),
    "NOT RUN": ("NOT RUN", "未运行"),
    "ABSENT": ("ABSENT", "无此项"),
    # What a passed check proved.
    "pass_1": ("{files} files, all canonical, protocol {protocol}", "{files} 个文件，均为规范格式，协议 {protocol}"),
    "pass_2": ("{count} signatures valid, key fingerprint {fingerprint}", "{count} 个签名有效，密钥指纹 {fingerprint}"),
    "pass_3": ("mode {mode}, {schools} schools, manifest digest {digest}", "模式 {mode}，{schools} 所学校，清单摘要 {digest}"),
    "pass_4": ("{records} records in {units} units, root {root}", "{records} 条记录，{units} 个派位单位，根 {root}"),
    "pass_5": ("{revealed} of {witnesses} witnesses revealed, all matching", "{witnesses} 位见证人中 {revealed} 位揭示，全部一致"),
    "pass_6": ("beacon {beacon}", "信标 {beacon}"),
    "pass_7": ("seed {seed}", "种子 {seed}"),
    "pass_8": ("{count} lottery numbers recomputed and equal", "{count} 个摇号号码重新计算，全部一致"),
    "pass_9": ("{mode}: {admitted} of {applicants} admitted", "{mode}：{applicants} 人中录取 {admitted} 人"),
    "pass_10": ("{applicants} applicants and {schools} schools identical", "{applicants} 名报名者、{schools} 所学校完全一致"),
    "pass_11": ("counts consistent, no school above its plan", "人数一致，没有学校超计划"),
    "pass_12": ("{count} action(s) replayed, moves identical", "重放 {count} 项操作，递补完全一致"),
    "pass_13": ("{count} entries, chain intact", "{count} 条记录，链完整"),
    "pass_14": ("schools and records exactly those the previous draw leaves", "学校与名单正是上一轮留下的"),
    "absent": ("not in the bundle (optional)", "数据包中没有（可选）"),
    "not_run": ("not run: check {checks} did not pass", "未运行：第 {checks} 项未通过"),
    "malformed": ("unexpected data (a malformed document): {error}", "数据异常（文件格式错误）：{error}"),
    # Canonical JSON, §2.
    "json_depth": ("nested more than {limit} deep (§2.2)", "嵌套超过 {limit} 层（§2.2）"),
    "json_integer_range": ("integer {value} outside ±(2^53-1) (§1.4)", "整数 {value} 超出 ±(2^53-1)（§1.4）"),
    "json_type": ("a value of type {type} is not allowed (§2.2)", "不允许 {type} 类型的值（§2.2）"),
    "json_surrogate": ("a string holds a lone surrogate (§2.3)", "字符串含孤立代理码（§2.3）"),
    "json_fraction": ("number {number} is not an integer (§2.2)", "数字 {number} 不是整数（§2.2）"),
    "json_constant": ("{constant} is not allowed (§2.2)", "不允许 {constant}（§2.2）"),
    "json_duplicate_key": ("duplicate key {name!r} (§2.3)", "重复的键 {name!r}（§2.3）"),
    "json_utf8": ("not valid UTF-8 at byte {byte}", "第 {byte} 字节不是有效的 UTF-8"),
    "json_malformed": ("malformed JSON at byte {byte}: {reason}", "第 {byte} 字节处 JSON 格式错误：{reason}"),
    "json_not_canonical": ("valid JSON but not canonical (§2.5): re-encoding differs", "JSON 有效但不是规范格式（§2.5）：重新编码后不同"),
    "json_last_newline": ("the last line does not end with a newline (§13.1)", "最后一行没有以换行结尾（§13.1）"),
    "json_line": ("line {line}: {fault}", "第 {line} 行：{fault}"),
    # Fields and what they should hold.
    "field": ("{path}: expected {term}, found {value}", "{path}：应为{term}，实为 {value}"),
    "term_object": ("an object", "对象"),
    "term_keys": ("exactly the keys {keys}", "恰好这些键 {keys}"),
    "term_present": ("a value", "一个值"),
    "term_string": ("a string", "字符串"),
    "term_identifier": ("an identifier (1-64 of A-Z a-z 0-9 . _ -)", "标识符（1-64 个 A-Z a-z 0-9 . _ -）"),
    "term_hex64": ("64 lowercase hex digits", "64 位小写十六进制"),
    "term_hex128": ("128 lowercase hex digits", "128 位小写十六进制"),
    "term_integer": ("an integer >= {minimum}", "不小于 {minimum} 的整数"),
    "term_one_of": ("one of {options}", "以下之一：{options}"),
    "term_time": ("a time YYYY-MM-DDTHH:MM:SSZ", "时间 YYYY-MM-DDTHH:MM:SSZ"),
    "term_array": ("an array", "数组"),
    "term_masked_id": ("a masked ID number: 4 digits, 10 '*', 3 digits and a digit or X (§4.1)", "脱敏身份证号：4 位数字、10 个 *、3 位数字和 1 位数字或 X（§4.1）"),
    "term_masked_name": ("a masked name: '*', or one kept character, '*'s and at most one more, or words of one kept letter and '*' (§4.1)", "脱敏姓名：'*'，或首字加若干 '*' 加至多一个末字，或每个词首字母加 '*'（§4.1）"),
    "term_manifest_schools": ("schools of the manifest", "清单中的学校"),
    "term_distinct_nonempty": ("distinct values, at least one where required", "互不相同的值（必要时至少一个）"),
    "term_list_length": ("between {low} and {high} schools (§4.5)", "{low} 到 {high} 所学校（§4.5）"),
    "term_tier_of_school": ("a tier of a school of the manifest (§4.6)", "清单中学校的层级（§4.6）"),
    "term_one_in_single": ("1 in single_school_lottery (§6.1)", "单校摇号时为 1（§6.1）"),
    "term_nonempty": ("at least one entry", "至少一项"),
    "term_at_most": ("at most {limit}", "不超过 {limit}"),
    "term_fingerprint_of_key": ("the fingerprint of the public key (§12.4)", "公钥的指纹（§12.4）"),
    "term_increasing": ("ids strictly increasing (§6.1)", "标识严格递增（§6.1）"),
    "term_class_count": ("enough classes for {seats} seats at {cap} a class (§6.3)", "足够的班数（{seats} 个名额，每班不超过 {cap} 人，§6.3）"),
    "term_count": ("{count}", "{count}"),
    "term_null_no_beacon": ("null (no beacon was registered)", "null（未登记信标）"),
    "term_beacon_hex64": ("a hex64 beacon value (§7.2)", "hex64 格式的信标值（§7.2）"),
    "term_beacon_decimal": ("a decimal beacon value (§7.2)", "十进制格式的信标值（§7.2）"),
    "term_manifest_key": ("the manifest's key", "清单中的密钥"),
    "term_in_draw": ("an applicant still in the draw", "仍在本次摇号中的报名者"),
    "term_row": ("[application, lottery_number, status, school, label]", "[报名号, 摇号号码, 状态, 学校, 名额类别]"),
    # Signatures, §12.4-§12.5.
    "point_not_canonical": ("{path}: not a canonical point encoding (§12.5)", "{path}：不是规范的点编码（§12.5）"),
    "point_small_order": ("{path}: a point of small order, refused (§12.5)", "{path}：小阶点，拒绝（§12.5）"),
    "signature_digest": ("{file}: signs another digest than its document's", "{file}：签名的摘要与文件不符"),
    "signature_s_range": ("{file}: S is not below L (§12.5)", "{file}：S 不小于 L（§12.5）"),
    "signature_invalid": ("{file}: the Ed25519 signature is not valid", "{file}：Ed25519 签名无效"),
    "pin_key": ("the key fingerprint differs from the one given with --expect-key", "密钥指纹与 --expect-key 给出的不同"),
    "pin_manifest": ("the manifest digest differs from the one recorded on the day", "清单摘要与当天记录的不同"),
    # Merkle proofs, §5.3.
    "proof_hash_size": ("inclusion proof refused: a hash is not 32 bytes (§5.3)", "包含证明被拒绝：哈希不是 32 字节（§5.3）"),
    "proof_index": ("inclusion proof refused: index outside the tree", "包含证明被拒绝：序号超出树的范围"),
    "proof_too_long": ("inclusion proof refused: longer than the tree is deep", "包含证明被拒绝：比树深度长"),
    "proof_too_short": ("inclusion proof refused: shorter than the tree is deep", "包含证明被拒绝：比树深度短"),
    "proof_root": ("inclusion proof refused: the computed root differs", "包含证明被拒绝：计算出的根不同"),
    # The bundle, §13.
    "bundle_missing": ("required files missing (§13.1): {names}", "缺少必需的文件（§13.1）：{names}"),
    "bundle_cannot_size": ("manifest.json gives no usable applicant count, schools and preferences to size the other files (§13.3)", "manifest.json 没有可用的人数、学校和志愿数，无法确定其他文件的大小上限（§13.3）"),
    "bundle_symlink": ("{name!r} is a symbolic link; a bundle holds files only (§13.2)", "{name!r} 是符号链接；数据包只能包含文件（§13.2）"),
    "bundle_no_path": ("no bundle at {path}: neither a folder nor a file", "{path} 处没有数据包：既不是文件夹也不是文件"),
    "bundle_unknown": ("files that are not part of a bundle (§13.2): {names}", "不属于数据包的文件（§13.2）：{names}"),
    "bundle_pair": ("{document} and {signature} must be present together (§13.2)", "{document} 与 {signature} 必须同时存在（§13.2）"),
    "bundle_file": ("{name}: {fault}", "{name}：{fault}"),
    "bundle_not_file": ("{name!r} is not a regular file (§13.2)", "{name!r} 不是普通文件（§13.2）"),
    "bundle_too_large": ("{name}: {size} bytes, more than the {limit} allowed (§13.3)", "{name}：{size} 字节，超过允许的 {limit} 字节（§13.3）"),
    "bundle_bad_zip": ("{path} is not a readable zip archive: {reason}", "{path} 不是可读的 zip 压缩包：{reason}"),
    "bundle_absolute": ("zip entry {name!r} has an absolute path (§13.2)", "zip 条目 {name!r} 是绝对路径（§13.2）"),
    "bundle_escapes": ("zip entry {name!r} escapes the bundle (§13.2)", "zip 条目 {name!r} 指向数据包之外（§13.2）"),
    "bundle_zip_method": ("zip entry {name!r} is encrypted or uses an unknown method (§13.2)", "zip 条目 {name!r} 已加密或压缩方式不明（§13.2）"),
    "bundle_duplicate": ("zip entry {name!r} appears twice (§13.2)", "zip 条目 {name!r} 出现两次（§13.2）"),
    "bundle_zip_layout": ("zip entries must all be at the root or all in one top-level folder (§13.1)", "zip 条目必须都在根目录，或都在同一个顶层文件夹中（§13.1）"),
    "bundle_zip_size": ("zip entry {name!r} does not hold the {declared} bytes it declares (§13.3)", "zip 条目 {name!r} 的内容与声明的 {declared} 字节不符（§13.3）"),
    "bundle_bad_entry": ("{name!r} cannot be read: {reason}", "{name!r} 无法读取：{reason}"),
    "readme_differs": ("README.txt line {line} is not the text §13.4 derives from the signed files", "README.txt 第 {line} 行不是按 §13.4 由签名文件推出的文本"),
    "rehearsal_as_results": ("results.json holds a rehearsal (模拟摇号), not the official results (§16)", "results.json 是模拟摇号结果，不是正式结果（§16）"),
    # The draw.
    "zone_capacity": ("zone assignment needs at least as many seats as applicants (§6.3)", "电脑派位的总名额不得少于报名人数（§6.3）"),
    "ceremony_manifest": ("ceremony.json names another manifest digest", "ceremony.json 中的清单摘要不同"),
    "records_count": ("the number of records differs from the manifest's count", "记录条数与清单中的人数不同"),
    "records_root": ("the applicant list is not the one sealed in the manifest (root differs, §5.2)", "报名名单不是清单中封存的名单（根不同，§5.2）"),
    "record_too_long": ("applicants.jsonl line {line}: longer than {limit} bytes (§4.7)", "applicants.jsonl 第 {line} 行：超过 {limit} 字节（§4.7）"),
    "record_order": ("applicants.jsonl line {line}: {application} is not after the line before (§4.2)", "applicants.jsonl 第 {line} 行：{application} 没有排在上一行之后（§4.2）"),
    "group_size": ("group {group} has {size} members; 2 to 8 are allowed (§4.4)", "组 {group} 有 {size} 人；允许 2 到 8 人（§4.4）"),
    "group_differs": ("group {group}: {application} has other preferences or another category (§4.4)", "组 {group}：{application} 的志愿或类别与其他成员不同（§4.4）"),
    "reveal_mismatch": ("witness {witness}: the revealed secret does not match the commitment (§7.3)", "见证人 {witness}：揭示的秘密与承诺不符（§7.3）"),
    "reveals_too_few": ("too few witnesses revealed their secret (§7.3)", "揭示秘密的见证人太少（§7.3）"),
    "seed_differs": ("the seed is not the one §7.4 gives", "种子不是按 §7.4 计算出的值"),
    "results_rows": ("results.json does not have one row per applicant", "results.json 不是每名报名者一行"),
    "results_order": ("results.json does not list the sealed applicants in application order", "results.json 没有按报名号顺序列出封存的报名者"),
    "number_differs": ("applicant {application}: wrong lottery number (§8.2)", "报名者 {application}：摇号号码错误（§8.2）"),
    "results_differ": ("{count} difference(s) between the published results and the re-run", "公布的结果与重新计算有 {count} 处不同"),
    "count_above_plan": ("school {school}: more admitted than its seats (the plan): at most {limit} admitted", "学校 {school}：录取人数超过计划名额（最多 {limit} 人）"),
    "count_admitted": ("school {school}: the admitted count differs from the rows", "学校 {school}：录取人数与名单不符"),
    "count_reserved": ("school {school}: the count of reserved seats {category} differs from the rows", "学校 {school}：预留名额 {category} 的人数与名单不符"),
    "actions_moves": ("action {seq} ({application}): the published moves differ from the replay (§14.2)", "第 {seq} 项操作（{application}）：公布的递补与重放结果不同（§14.2）"),
    "audit_empty": ("the audit log is empty", "审计日志为空"),
    "audit_chain": ("audit.jsonl line {line}: prev is not the hash of the entry before (§15)", "audit.jsonl 第 {line} 行：prev 不是上一条的哈希（§15）"),
    "previous_fails": ("the previous draw does not verify (its check {number} fails)", "上一轮摇号未通过验证（第 {number} 项失败）"),
    "second_round_rule": ("manifest.json.{key} differs from the previous draw's (§14.5)", "manifest.json.{key} 与上一轮不同（§14.5）"),
    "second_round_school": ("manifest.json.schools[{index}] is not the school the second round derives (§14.5)", "manifest.json.schools[{index}] 不是补录应得出的学校（§14.5）"),
    "second_round_record": ("applicants.jsonl line {line} is not the record the second round derives (§14.5)", "applicants.jsonl 第 {line} 行不是补录应得出的记录（§14.5）"),
    # The parent check.
    "receipt_shape": ("receipt code {typed!r}: expected 16 characters of 0-9 and A-Z without I, L, O, U (hyphens allowed), found {count}", "回执码 {typed!r}：应为 16 个字符（0-9、A-Z，不含 I、L、O、U，可带连字符），实为 {count} 个"),
    "applicant_not_found": ("application {application!r} is not in this bundle's applicant list", "报名号 {application!r} 不在本数据包的名单中"),
    # The command line.
    "cli_about": ("Re-runs and checks a sunshine draw from its public bundle (protocol §17). Exit 0: every check passed; 1: a check failed; 2: wrong usage.", "根据公开数据包重新计算并核对阳光摇号（协议第 17 节）。退出码 0：全部通过；1：有检查失败；2：用法错误。"),
    "cli_bundle": ("Bundle: {path}", "数据包：{path}"),
    "cli_expected": ("expected: {value}", "应为：{value}"),
    "cli_found": ("found: {value}", "实为：{value}"),
    "cli_pins": ("Manifest digest: {digest}\nKey fingerprint: {fingerprint}", "清单摘要：{digest}\n密钥指纹：{fingerprint}"),
    "cli_unpinned": ("NOT PINNED: without --expect-manifest and --expect-key this shows that the draw is consistent, not that it is the bureau's; compare the two values above with the sealing announcement.", "未固定：没有 --expect-manifest 和 --expect-key 时，只能证明本次摇号自洽，不能证明它就是教育局的那次摇号；请将上面两个值与封存公告核对。"),
    "cli_verdict_pass": ("RESULT: all checks passed", "结论：全部检查通过"),
    "cli_verdict_fail": ("RESULT: verification FAILED (first failure: check {number})", "结论：验证失败（首个失败：第 {number} 项）"),
    "cli_verdict_child": ("RESULT: verification FAILED: the child's record is not proven", "结论：验证失败：未能证明该儿童的记录"),
    "cli_error": ("verify-draw: {error}", "verify-draw：{error}"),
    "cli_child": ("Child {application}:", "学生 {application}："),
    "cli_in_list": ("  In the sealed applicant list ({detail})", "  已在封存的报名名单中（{detail}）"),
    "cli_not_in_list": ("  NOT proven to be in the sealed applicant list ({detail})", "  未能证明在封存的报名名单中（{detail}）"),
    "cli_private_match": ("  Name, ID number and receipt code match the sealed record (salted digest recomputed).", "  姓名、身份证号和回执码与封存记录一致（已重新计算加盐摘要）。"),
    "cli_private_mismatch": ("  Name, ID number or receipt code do NOT match the sealed record. Check the spelling; if they are right, complain to the bureau and the notary.", "  姓名、身份证号或回执码与封存记录不一致。请核对输入；如无误，请向教育局和公证处反映。"),
    "cli_private_unchecked": ("  Name, ID number and receipt code were not checked against the sealed record (they are checked together). To check them, run again with --name NAME --id-number ID (they stay on this computer).", "  未将姓名、身份证号和回执码与封存记录核对（三者须一并核对）。如需核对，请加上 --name 姓名 --id-number 身份证号 再运行（信息只在本机使用）。"),
    "cli_number": ("  Lottery number: {number}", "  摇号号码: {number}"),
    "cli_status": ("  Outcome: {outcome}", "  结果: {outcome}"),
    "cli_draw_day": ("  On the draw day: {outcome}", "  摇号当天: {outcome}"),
    "cli_unverified": ("  The bundle holds post-draw actions that check 12 did not verify: the outcome below is the draw day's, before them.", "  数据包中的发布后递补操作未通过第 12 项检查：以下为摇号当天、递补之前的结果。"),
    "cli_removed": ("  Removed from the draw by post-draw action {seq} ({kind}): holds no seat and is on no waitlist (§14.1).", "  已因第 {seq} 项递补操作（{kind}）移出本次摇号：不占学位，不在任何候补名单上（§14.1）。"),
    "cli_school": ("  At school {school} {name}: tier {tier} ({label}), number used here {number}; {verdict}; {cutoff}", "  学校 {school} {name}：层级 {tier}（{label}），在该校使用的号码 {number}；{verdict}；{cutoff}"),
    "cli_cutoff": ("last admitted: tier {tier}, number {number}", "该校最后录取：层级 {tier}，号码 {number}"),
    "cli_no_cutoff": ("nobody admitted", "该校无人录取"),
    "cli_cutoff_day": ("last admitted on the draw day: tier {tier}, number {number}", "摇号当天该校最后录取：层级 {tier}，号码 {number}"),
    "cli_no_cutoff_day": ("nobody admitted on the draw day", "摇号当天该校无人录取"),
    "cli_position": ("    waitlist position {position}", "    候补第 {position} 位"),
    "cli_position_was": ("    waitlist position {position} (on the draw day: {before})", "    候补第 {position} 位（摇号当天第 {before} 位）"),
    "cli_position_left": ("    no longer on this waitlist (on the draw day: position {before})", "    已不在该校候补名单上（摇号当天第 {before} 位）"),
    "cli_after_actions": ("  This outcome includes the bundle's {count} post-draw action(s) (declines and disqualifications; the seats they freed were filled from the waitlists, protocol §14), replayed in check 12. Tiers, lottery numbers and cutoffs are the draw day's.", "  以上结果已包含数据包中的 {count} 项发布后递补操作（放弃、资格复核未通过空出的学位按候补名单递补，协议 §14），已在第 12 项检查中重放核对。层级、摇号号码和录取线仍为摇号当天的。"),
    "cli_explain": ("  Smaller is better: tiers come first (in the school's order), then the lottery number, lowest first.", "  排序规则：先比层级（按学校公布的顺序），同层级再比摇号号码，号码小者优先。"),
    "admitted": ("admitted to {school} ({label})", "录取学校 {school}（{label}）"),
    "admitted_here": ("admitted here", "在该校录取"),
    "not_admitted_here": ("not admitted here", "未在该校录取"),
    "admitted_on_draw_day": ("on the draw day: admitted here", "摇号当天在该校录取"),
    "not_admitted_on_draw_day": ("on the draw day: not admitted here", "摇号当天未在该校录取"),
    "waitlisted": ("not admitted; on the waitlist", "未录取；在候补名单上"),
    "unplaced": ("not admitted", "未录取"),
    "declined": ("declined the place", "已放弃学位"),
    "disqualified": ("failed the eligibility re-check", "资格复核未通过"),
    "cli_version": ("verify-draw {version}: checks protocols {protocols}", "verify-draw {version}：可检查协议 {protocols}"),
}
# fmt: on


class Message:
    """A sentence by key, with its parameters, put into words in a given language."""

    def __init__(self, key: str, params: dict[str, Any] | None = None, **named: Any) -> None:
        self.key = key
        self.params = {**(params or {}), **named}

    def text(self, lang: str) -> str:
        english, chinese = TEXTS[self.key]
        words = {k: v.text(lang) if isinstance(v, Message) else v for k, v in self.params.items()}
        return (chinese if lang == "zh" else english).format(**words)


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """`zh` when the system's language is Chinese, else `en`."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (os.environ if environ is None else environ).get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
