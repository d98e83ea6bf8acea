"""A whole draw in the browser, as the people on the day would do it: the operator in the
console, a witness on its own page over HTTPS, the big screen in the hall, a parent on a phone.
Labels are clicked, not CSS paths; every page is kept as a screenshot (desktop and phone)."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browsing import ARTIFACTS, PHONE, SCREEN, Browsing, Server, snapshot
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from helpers import id_number

pytestmark = pytest.mark.browser

DRAW = "XQ-2026-WEB"
NAMES = ["张三丰", "李四", "王小明", "赵敏", "钱多多", "孙悟空"]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["姓名", "身份证号", "志愿"], *rows])
    return buffer.getvalue().encode("utf-8")


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
    witness, secret = _witness_commits(browsing, server, _witness_link(console))
    _step(console, "开始公示")
    _step(console, "封存名单")
    _step(console, "开始摇号仪式")
    console.get_by_label("模拟摇号说明").fill("第一次模拟")
    _step(console, "模拟摇号")
    rehearsal = console.get_by_role("link", name="模拟摇号 #1 · 打开大屏").get_attribute("href")
    _ceremony_on_the_big_screen(browsing, server, console, witness, secret)
    _rehearsal_on_the_big_screen(browsing, server, str(rehearsal), secret)
    _parent_checks(browsing, server, receipts)
    _public_pages(browsing, server)


def _witness_commits(browsing: Browsing, server: Server, witness_href: str):  # type: ignore[no-untyped-def]
    """The witness, on its own device, over HTTPS with the generated certificate."""
    witness = browsing.page(https=True)
    witness.goto(server.https_url + witness_href)
    assert witness.locator("#tls-fingerprint").inner_text().count(":") == 31
    witness.get_by_role("button", name="生成秘密并提交承诺").click()
    witness.get_by_text("承诺已提交。").wait_for()
    secret = str(witness.locator("#witness-secret").inner_text())
    assert re.fullmatch("[0-9a-f]{64}", secret)
    snapshot(witness, "witness")
    # The same page over plain HTTP on the hall's network has no Web Crypto: it says so.
    # (127.0.0.1 counts as secure, so the hall's plain-HTTP address is simulated.)
    insecure = browsing.page()
    insecure.add_init_script("Object.defineProperty(window, 'isSecureContext', {value: false})")
    insecure.goto(server.url + witness_href)
    insecure.get_by_role("alert").filter(has_text="lottery witness").wait_for()
    snapshot(insecure, "witness-insecure")
    return witness, secret


def _ceremony_on_the_big_screen(
    browsing: Browsing, server: Server, console, witness, secret: str
) -> None:  # type: ignore[no-untyped-def]
    """The hall's screen shows the commitments, then the reveal and the results, live."""
    screen = browsing.page(SCREEN)
    screen.goto(server.url + f"/draws/{DRAW}/screen?poll=250")
    screen.get_by_text("等待揭示").wait_for()
    snapshot(screen, "screen-before", sizes=("screen",))
    witness.get_by_role("button", name="揭示秘密").click()
    witness.get_by_text("秘密已揭示。").wait_for()
    screen.get_by_text("已揭示: " + secret).wait_for()  # arrives live, no reload
    snapshot(screen, "screen-reveals", sizes=("screen",))
    _step(console, "正式摇号")
    screen.get_by_text("等待公布").wait_for()
    _step(console, "公布结果")
    with console.expect_download() as download:
        console.get_by_role("button", name="bundle.zip").click()
    assert download.value.suggested_filename == f"{DRAW}-bundle.zip"
    screen.locator("#screen-results tbody tr").first.wait_for()
    assert screen.get_by_text("第 1 / 1 所学校").is_visible()
    snapshot(screen, "screen-results", sizes=("screen",))


def _rehearsal_on_the_big_screen(
    browsing: Browsing, server: Server, href: str, secret: str
) -> None:
    practice = browsing.page(SCREEN)
    practice.goto(server.url + href + "&poll=250")
    practice.locator("#screen-results tbody tr").first.wait_for()
    assert practice.get_by_text("模拟 · 模拟摇号, 不是正式结果").is_visible()
    assert practice.get_by_text("模拟 #1 · 第一次模拟").is_visible()
    assert practice.get_by_text(secret).count() == 0  # the official reveals are not its seed
    snapshot(practice, "screen-rehearsal", sizes=("screen",))


def _lookup(page, server: Server, application: str, receipt: str, fingerprint: str):  # type: ignore[no-untyped-def]
    page.goto(server.url + f"/draws/{DRAW}/lookup")
    if page.viewport_size == PHONE and not (ARTIFACTS / "lookup-form-phone.png").exists():
        snapshot(page, "lookup-form")
    page.get_by_label("报名号").fill(application)
    page.get_by_label("回执码").fill(receipt)
    page.get_by_label("公钥指纹 (选填)").fill(fingerprint)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="查询结果").wait_for()


def _run_check(page) -> str:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="开始核对").click()
    verdict = page.locator("#check-verdict")
    verdict.filter(has_text=re.compile("核对通过|核对不通过|无法")).wait_for()
    return str(verdict.inner_text())


def _parent_checks(browsing: Browsing, server: Server, receipts: list[str]) -> None:
    application, _masked, receipt = receipts[0].split()
    manifest = json.loads(
        __import__("httpx").get(f"{server.url}/api/draws/{DRAW}/manifest.json").text
    )
    fingerprint = manifest["signing_key"]["fingerprint"]
    phone = browsing.page(PHONE)
    # Tolerant input: lower case, spaces, hyphens in odd places, O for 0.
    typed = " " + receipt.lower().replace("0", "o")[:6] + " - " + receipt.lower()[6:] + " "
    _lookup(phone, server, application.lower(), typed, fingerprint[:20])
    assert phone.get_by_text("第一小学").first.is_visible()
    assert phone.get_by_text("户籍+房产").count() + phone.get_by_text("其他").count() >= 1
    assert "核对通过。" in _run_check(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    weight = phone.evaluate(
        """() => document.documentElement.outerHTML.length + performance
          .getEntriesByType("resource").reduce((n, r) => n + r.encodedBodySize, 0)"""
    )
    assert weight < 100_000, weight  # the page, its stylesheet, its script and the documents
    snapshot(phone, "lookup-result", sizes=("phone", "desktop"))

    _check_fails_or_cannot_run(browsing, server, application, receipt, fingerprint)


def _check_fails_or_cannot_run(  # type: ignore[no-untyped-def]
    browsing: Browsing, server: Server, application: str, receipt: str, fingerprint: str
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
    _lookup(tampered, server, application, receipt, fingerprint)
    assert "核对不通过" in _run_check(tampered)
    snapshot(tampered, "lookup-tampered", sizes=("phone",))

    # A manifest signed by another key than the one on the receipt fails too.
    other = browsing.page(PHONE)
    _lookup(other, server, application, receipt, _other_fingerprint())
    assert "核对不通过" in _run_check(other)

    # A browser without Ed25519 cannot check here: never "tampered".
    old = browsing.page(PHONE)
    old.add_init_script(
        """const original = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = (format, data, algorithm, ...rest) =>
          (algorithm && algorithm.name === "Ed25519")
            ? Promise.reject(new DOMException("no Ed25519", "NotSupportedError"))
            : original(format, data, algorithm, ...rest);"""
    )
    _lookup(old, server, application, receipt, fingerprint)
    verdict = _run_check(old)
    assert "无法在这里核对" in verdict and "不通过" not in verdict

    wrong = browsing.page(PHONE)
    wrong.goto(server.url + f"/draws/{DRAW}/lookup")
    wrong.get_by_label("报名号").fill(application)
    wrong.get_by_label("回执码").fill("0000-0000-0000-0000")
    wrong.get_by_role("button", name="查询").click()
    wrong.get_by_role("alert").filter(has_text="报名号或回执码不正确").wait_for()
    snapshot(wrong, "lookup-wrong-code")


def _other_fingerprint() -> str:
    from lottery.signing import key_fingerprint

    return key_fingerprint(Ed25519PrivateKey.from_private_bytes(bytes(32)))


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
