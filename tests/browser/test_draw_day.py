"""A whole draw in the browser, as the people on the day would do it: the operator in the
console, a witness on its own page over HTTPS carrying the files its own tool makes (protocol
§7.9), the big screen in the hall showing the pin at sealing (§12.6), a parent on a phone
checking the receipt code and the pin (§17.1). Labels are clicked, not CSS paths; every page
is kept as a screenshot (desktop and phone)."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from browsing import ARTIFACTS, PHONE, SCREEN, Browsing, Server, snapshot
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lottery import canonical_json, commitment_file, cosignature_file, reveal_file, tagged_hash
from lottery.drand import DRAND_CHAINS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from helpers import id_number

pytestmark = pytest.mark.browser

DRAW = "XQ-2026-WEB"
NAMES = ["张三丰", "李四", "王小明", "赵敏", "钱多多", "孙悟空"]
QUICKNET = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
# The witness's own machine: its key and secret never reach the page (the tool makes files).
WITNESS_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"browser witness").digest())
WITNESS_SECRET = hashlib.sha256(b"browser witness secret").digest()


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["姓名", "身份证号", "志愿"], *rows])
    return buffer.getvalue().encode("utf-8")


def _future_round() -> str:
    """A quicknet round two hours ahead (Appendix A): its value cannot exist at sealing."""
    chain = DRAND_CHAINS[QUICKNET]
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)
    return str((int(later.timestamp()) - chain.genesis) // chain.period + 1)


def _operator(browsing: Browsing, server: Server):  # type: ignore[no-untyped-def]
    page = browsing.page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(server.url + "/console")
    page.get_by_label("操作员令牌").fill(server.operator_token)
    page.get_by_role("button", name="登录").click()
    return page


def _step(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=name, exact=True).click()
    status = page.locator("#console-status")
    status.filter(has_text=re.compile("(完成|失败)")).wait_for()
    assert "完成" in status.inner_text(), f"{name}: {status.inner_text()}"


def _create_and_import(page, tmp_path: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """Create the draw with the form, see a bad file refused with its report, import a good one."""
    page.get_by_label("抽签编号").nth(1).fill(DRAW)
    page.get_by_label("标题").fill("示范县第一小学 2026 年摇号")
    page.get_by_label("学校 (每行").fill("S01, 第一小学, 3, 户籍+房产/其他")
    page.get_by_label("轮次 (drand 轮次号或日期)").fill(_future_round())
    _step(page, "创建")
    snapshot(page, "console-created")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([["张三", id_number(1, male=True)[:17] + "0", "S01"]]))
    page.get_by_label("名单文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传").click()
    page.get_by_role("heading", name="错误报告").wait_for()
    assert "身份证号" in page.locator("#import-result").inner_text()
    snapshot(page, "console-import-report")
    good = tmp_path / "list.csv"
    rows = [[n, id_number(i + 1, male=i % 2 == 0), "S01"] for i, n in enumerate(NAMES)]
    good.write_bytes(_csv(rows))
    page.get_by_label("名单文件").set_input_files(str(good))
    page.get_by_role("button", name="上传").click()
    page.get_by_text("已导入 6 人").wait_for()
    return page.locator("#import-result pre").inner_text().splitlines()


def _witness_link(page) -> str:  # type: ignore[no-untyped-def]
    page.get_by_label("见证人代码").fill("W1")
    page.get_by_label("见证人名称").fill("示范县公证处")
    _step(page, "添加见证人")
    href = page.get_by_role("link", name=re.compile("witness.W1.token=")).get_attribute("href")
    parts = urlsplit(str(href))
    return f"{parts.path}#{parts.fragment}"


def test_draw_day(browsing: Browsing, server: Server, tmp_path: Path) -> None:
    console = _operator(browsing, server)
    snapshot(console, "console")
    receipts = _create_and_import(console, tmp_path)
    witness = _witness_commits(browsing, server, _witness_link(console), tmp_path)
    _step(console, "开始公示")
    screen = browsing.page(SCREEN)
    screen.goto(server.url + f"/draws/{DRAW}/screen?poll=250")
    assert not screen.locator("#screen-sealing").is_visible()  # no pin before sealing
    _step(console, "封存名单")
    pin = _pin_on_the_big_screen(screen, server)
    _sealing_announcement(browsing, server, pin)
    _step(console, "开始摇号仪式")
    console.get_by_label("模拟摇号说明").fill("第一次模拟")
    _step(console, "模拟摇号")
    rehearsal = console.get_by_role("link", name="模拟摇号 #1 · 打开大屏").get_attribute("href")
    _ceremony(console, witness, screen, server, tmp_path)
    _rehearsal_on_the_big_screen(browsing, server, str(rehearsal))
    _parent_checks(browsing, server, receipts, pin)
    _public_pages(browsing, server)


def _upload(page, label: str, path: Path, button: str, done: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label(label).set_input_files(str(path))
    page.get_by_role("button", name=button).first.click()
    status = page.locator("#witness-status")
    status.filter(has_text=re.compile(f"{done}|被拒绝|不|已")).wait_for()
    assert done in status.inner_text(), status.inner_text()


def _file(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_bytes(canonical_json(document))
    return path


def _witness_commits(browsing: Browsing, server: Server, witness_href: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The witness, on its own device over HTTPS, uploads the commitment file its own tool
    made (`verify-draw witness ...`); the page itself makes no key and sees no secret."""
    witness = browsing.page(https=True)
    witness.goto(server.https_url + witness_href)
    assert witness.locator("#tls-fingerprint").inner_text().count(":") == 31
    assert witness.get_by_text("verify-draw witness").is_visible()
    made = commitment_file(DRAW, "W1", "示范县公证处", WITNESS_KEY, WITNESS_SECRET)
    path = _file(tmp_path, "W1-commitment.json", made)
    _upload(witness, "承诺文件", path, "上传承诺文件", "承诺已提交。")
    snapshot(witness, "witness")
    return witness


def _pin_on_the_big_screen(screen, server: Server) -> str:  # type: ignore[no-untyped-def]
    """At sealing the hall's screen shows the pin, large, and the two digests (§12.6)."""
    announced = httpx.get(f"{server.url}/api/draws/{DRAW}/announcement").json()
    pin = str(announced["pin_display"])
    screen.locator("#screen-pin").filter(has_text=pin).wait_for()  # arrives live, no reload
    assert screen.get_by_text("封存公告 · 核对码 PIN").is_visible()
    size = screen.locator("#screen-pin").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 64, size
    digest, fingerprint = announced["manifest_digest"], announced["key_fingerprint"]
    shown = screen.locator("#screen-manifest").inner_text().replace(" ", "")
    assert shown == digest
    assert screen.locator("#screen-fingerprint").inner_text().replace(" ", "") == fingerprint
    snapshot(screen, "screen-sealed", sizes=("screen",))
    return pin


def _sealing_announcement(browsing: Browsing, server: Server, pin: str) -> None:
    page = browsing.page()
    page.goto(server.url + f"/draws/{DRAW}")
    page.get_by_role("link", name=pin).click()
    page.get_by_role("heading", name="封存公告").wait_for()
    assert page.locator("#sealing-pin").inner_text() == pin
    assert page.get_by_text("示范县公证处 (W1)").is_visible()
    snapshot(page, "sealing-announcement")
    document = httpx.get(f"{server.url}/draws/{DRAW}/announcement.pdf")
    assert document.headers["content-type"] == "application/pdf"


def _ceremony(console, witness, screen, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Reveal (and its receipt), checkpoint and beacon co-signed from the witness page, driven
    from the console; the big screen follows live."""
    screen.get_by_text("等待揭示").wait_for()
    manifest = bytes.fromhex(httpx.get(f"{server.url}/api/draws/{DRAW}").json()["manifest_digest"])
    path = _file(
        tmp_path, "W1-reveal.json", reveal_file(manifest, "W1", WITNESS_SECRET, WITNESS_KEY)
    )
    _upload(witness, "揭示文件", path, "上传揭示文件", "揭示已被接受")
    with witness.expect_download() as download:
        witness.get_by_role("button", name="下载揭示回执").click()
    receipt = json.loads(Path(download.value.path()).read_text("utf-8"))
    assert receipt["kind"] == "reveal-receipt" and receipt["witness"] == "W1"
    assert receipt["manifest"] == manifest.hex() and len(receipt["signature"]) == 128
    snapshot(witness, "witness-revealed")
    screen.get_by_text("已揭示: " + WITNESS_SECRET.hex()).wait_for()
    snapshot(screen, "screen-reveals", sizes=("screen",))

    _step(console, "截止揭示 (生成截止记录)")
    checkpoint = _downloaded(witness, "下载截止记录")
    assert checkpoint["kind"] == "checkpoint" and checkpoint["reveals"][0]["witness"] == "W1"
    _cosign(witness, tmp_path, "checkpoint", checkpoint, "截止记录联署文件")
    console.get_by_label("公开信标值").fill("ab" * 32)
    _step(console, "录入信标")
    statement = _downloaded(witness, "下载随机源声明")
    assert statement["kind"] == "beacon" and statement["value"] == "ab" * 32
    _cosign(witness, tmp_path, "beacon", statement, "随机源声明联署文件")
    snapshot(witness, "witness-cosigned")
    console.get_by_role("button", name="打开", exact=True).click()
    row = console.locator("#ceremony-table tbody tr").first
    row.filter(has_text=re.compile("(✓.*){4}")).wait_for()
    assert "联署截止记录 1" in console.locator("#ceremony-summary").inner_text()
    snapshot(console, "console-ceremony")

    _step(console, "正式摇号")
    screen.get_by_text("等待公布").wait_for()
    _step(console, "公布结果")
    with console.expect_download() as bundle:
        console.get_by_role("button", name="bundle.zip").click()
    assert bundle.value.suggested_filename == f"{DRAW}-bundle.zip"
    screen.locator("#screen-results tbody tr").first.wait_for()
    assert screen.get_by_text("第 1 / 1 所学校").is_visible()
    snapshot(screen, "screen-results", sizes=("screen",))


def _downloaded(page, button: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    document: dict[str, Any] = json.loads(Path(download.value.path()).read_text("utf-8"))
    return document


def _cosign(witness, tmp_path: Path, of: str, document: dict[str, Any], label: str) -> None:  # type: ignore[no-untyped-def]
    digest = tagged_hash(of, canonical_json(document))
    made = cosignature_file(of, digest, "W1", WITNESS_KEY)  # type: ignore[arg-type]
    path = _file(tmp_path, f"W1-{of}-cosignature.json", made)
    witness.get_by_label(label).set_input_files(str(path))
    button = witness.locator("section", has=witness.get_by_label(label)).get_by_role(
        "button", name="上传联署文件"
    )
    button.click()
    status = witness.locator("#witness-status")
    status.filter(has_text=re.compile("联署已接受|被拒绝|不")).wait_for()
    assert "联署已接受" in status.inner_text(), status.inner_text()
    witness.evaluate("document.getElementById('witness-status').textContent = ''")


def _rehearsal_on_the_big_screen(browsing: Browsing, server: Server, href: str) -> None:
    practice = browsing.page(SCREEN)
    practice.goto(server.url + href + "&poll=250")
    practice.locator("#screen-results tbody tr").first.wait_for()
    assert practice.get_by_text("模拟 · 模拟摇号, 不是正式结果").is_visible()
    assert practice.get_by_text("模拟 #1 · 第一次模拟").is_visible()
    assert practice.get_by_text(WITNESS_SECRET.hex()).count() == 0  # not the rehearsal's seed
    snapshot(practice, "screen-rehearsal", sizes=("screen",))


def _lookup(page, server: Server, application: str, receipt: str, pin: str = ""):  # type: ignore[no-untyped-def]
    page.goto(server.url + f"/draws/{DRAW}/lookup")
    if page.viewport_size == PHONE and not (ARTIFACTS / "lookup-form-phone.png").exists():
        snapshot(page, "lookup-form")
    page.get_by_label("报名号").fill(application)
    page.get_by_label("回执码").fill(receipt)
    page.get_by_label("核对码 PIN (选填)").fill(pin)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="查询结果").wait_for()


def _run_check(page, receipt: str, pin: str | None = None) -> str:  # type: ignore[no-untyped-def]
    page.get_by_label("回执码 (请照回执再输入一次)").fill(receipt)
    if pin is not None:
        page.locator("#check-pin").fill(pin)
    page.get_by_role("button", name="开始核对").click()
    verdict = page.locator("#check-verdict")
    verdict.filter(has_text=re.compile("可信|核对通过|不通过|不符|无法")).wait_for()
    return str(verdict.inner_text())


def _parent_checks(browsing: Browsing, server: Server, receipts: list[str], pin: str) -> None:
    application, _masked, receipt = receipts[0].split()
    phone = browsing.page(PHONE)
    # Tolerant input: lower case, spaces, hyphens in odd places, O for 0.
    typed = " " + receipt.lower().replace("0", "o")[:6] + " - " + receipt.lower()[6:] + " "
    _lookup(phone, server, application.lower(), typed, pin.lower())
    assert phone.get_by_text("第一小学").first.is_visible()
    assert phone.get_by_text("户籍+房产").count() + phone.get_by_text("其他").count() >= 1
    # §4.8: a wrong code reads "does not match" and the check shows no outcome
    other = receipts[1].split()[2]
    verdict = _run_check(phone, other)
    assert "不符" in verdict and "不显示结果" in verdict
    assert phone.locator("#check-steps li").count() == 0
    snapshot(phone, "lookup-check-wrong-code", sizes=("phone",))
    # §12.6: with the pin of the sealing announcement, and only then, "authentic" (可信)
    verdict = _run_check(phone, typed)
    assert verdict.startswith("可信"), verdict
    assert phone.get_by_text("回执码与封存名单中的记录相符").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    weight = phone.evaluate(
        """() => document.documentElement.outerHTML.length + performance
          .getEntriesByType("resource").reduce((n, r) => n + r.encodedBodySize, 0)"""
    )
    assert weight < 120_000, weight  # the page, its stylesheet, its script and the documents
    snapshot(phone, "lookup-result", sizes=("phone", "desktop"))
    # without a pin it says plainly that it has not checked whose draw it is
    verdict = _run_check(phone, receipt, "")
    assert "未核对是谁的摇号" in verdict and "可信" not in verdict
    snapshot(phone, "lookup-check-no-pin", sizes=("phone",))
    # a pin of another draw is refused by name
    verdict = _run_check(phone, receipt, "0000-0000-0000-0000-0000")
    assert "核对码不符" in verdict and pin in verdict
    _check_fails_or_cannot_run(browsing, server, application, receipt, pin)


def _check_fails_or_cannot_run(  # type: ignore[no-untyped-def]
    browsing: Browsing, server: Server, application: str, receipt: str, pin: str
) -> None:
    # A tampered proof fails visibly.
    tampered = browsing.page(PHONE)

    def flip_proof(route) -> None:  # type: ignore[no-untyped-def]
        response = route.fetch()
        body = response.text()
        body = re.sub(
            r'("inclusion_proof": \[")(.)',
            lambda m: m.group(1) + ("1" if m.group(2) != "1" else "2"),
            body,
        )
        route.fulfill(response=response, body=body)

    tampered.route(f"**/draws/{DRAW}/lookup*", flip_proof)
    _lookup(tampered, server, application, receipt, pin)
    assert "核对不通过" in _run_check(tampered, receipt)
    snapshot(tampered, "lookup-tampered", sizes=("phone",))

    # A browser without Ed25519 cannot check here: never "tampered".
    old = browsing.page(PHONE)
    old.add_init_script(
        """const original = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = (format, data, algorithm, ...rest) =>
          (algorithm && algorithm.name === "Ed25519")
            ? Promise.reject(new DOMException("no Ed25519", "NotSupportedError"))
            : original(format, data, algorithm, ...rest);"""
    )
    _lookup(old, server, application, receipt, pin)
    verdict = _run_check(old, receipt)
    assert "无法在这里核对" in verdict and "不通过" not in verdict

    wrong = browsing.page(PHONE)
    wrong.goto(server.url + f"/draws/{DRAW}/lookup")
    wrong.get_by_label("报名号").fill(application)
    wrong.get_by_label("回执码").fill("0000-0000-0000-0000")
    wrong.get_by_role("button", name="查询").click()
    wrong.get_by_role("alert").filter(has_text="报名号或回执码不正确").wait_for()
    snapshot(wrong, "lookup-wrong-code")


def _public_pages(browsing: Browsing, server: Server) -> None:
    page = browsing.page()
    page.goto(server.url + "/")
    page.get_by_role("link", name="示范县第一小学 2026 年摇号").wait_for()
    snapshot(page, "front-door")
    page.get_by_role("link", name="示范县第一小学 2026 年摇号").click()
    page.get_by_role("heading", name="学校与学位").wait_for()
    assert page.get_by_role("link", name="下载公开数据包").is_visible()
    snapshot(page, "draw")
    page.get_by_role("link", name="报名名单公示", exact=True).click()
    page.get_by_label("按报名号查找").fill("xq000002")
    page.get_by_role("button", name="查找").click()
    page.get_by_text("共 1 人").wait_for()
    snapshot(page, "list")
    page.go_back()
    page.go_back()
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="Schools and seats").wait_for()
    snapshot(page, "draw-en")
    page.get_by_role("link", name="How to verify").first.click()
    page.get_by_role("heading", name="How to verify a draw independently").wait_for()
    snapshot(page, "verify-en")
    page.goto(server.url + f"/draws/{DRAW}/lookup")
    assert page.get_by_role("heading", name="Look up a draw result").is_visible()  # the cookie
    snapshot(page, "lookup-form-en")
