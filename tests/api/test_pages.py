"""The pages' building blocks: catalogue, local time, tolerant input, escaping, headers."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.pages.catalogue import en, zh
from api.pages.localtime import local_time
from api.pages.lookup import application_candidates
from api.pages.messages import Messages, choose_language
from api.settings import Settings


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    assert set(zh.MESSAGES) == set(en.MESSAGES)
    for key, text in zh.MESSAGES.items():
        fields = set(re.findall(r"{(\w+)}", text))
        assert fields == set(re.findall(r"{(\w+)}", en.MESSAGES[key])), key


def test_messages_fill_their_values() -> None:
    assert Messages("zh")("front.applicants", count=3000) == "报名 3000 人"
    assert Messages("en")("front.applicants", count=3000) == "3000 applicants"
    assert Messages("zh").other == "en"


@pytest.mark.parametrize(
    ("query", "cookie", "chosen"),
    [
        (None, None, "zh"),
        ("en", None, "en"),
        (None, "en", "en"),
        ("zh", "en", "zh"),
        ("fr", None, "zh"),
    ],
)
def test_language_choice(query: str | None, cookie: str | None, chosen: str) -> None:
    assert choose_language(query, cookie) == chosen


def test_local_time_is_written_as_people_write_it() -> None:
    assert (
        local_time("2026-07-10T01:30:00Z", zone="Asia/Shanghai", lang="zh") == "2026年7月10日 09:30"
    )
    assert (
        local_time("2026-07-10T01:30:00Z", zone="Asia/Shanghai", lang="en") == "10 July 2026, 09:30"
    )
    assert (
        local_time("2026-12-31T20:05:00Z", zone="Asia/Shanghai", lang="zh") == "2027年1月1日 04:05"
    )
    assert local_time(None, zone="Asia/Shanghai", lang="zh") == ""


def test_typed_application_numbers_are_forgiven() -> None:
    assert application_candidates(" xq000123 ") == ["xq000123", "XQ000123"]
    assert application_candidates("ＸＱ０００１２３") == [
        "XQ000123"
    ]  # full-width, from a phone IME
    assert "XQ000123" in application_candidates("xq-000 123")
    assert application_candidates("   ") == []


@pytest.fixture
def client(tmp_path) -> TestClient:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'pages.db'}")
    return TestClient(create_app(settings))


def test_every_answer_carries_the_policy(client: TestClient) -> None:
    for path in ("/", "/verify", "/console", "/api/health", "/docs", "/assets/site.css"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-security-policy"].startswith("default-src 'self'")
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    for path in ("/", "/verify", "/console", "/docs", "/redoc"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), path
        assert "<style" not in html and " style=" not in html, path
        assert "http://" not in html and "https://" not in html, path


def test_unknown_draw_is_a_page_for_people_and_json_for_programs(client: TestClient) -> None:
    page = client.get("/draws/XQ-none")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "出错了" in page.text
    api = client.get("/api/draws/XQ-none")
    assert api.status_code == 404 and api.json()["error"] == "not_found"


def test_text_is_escaped(client: TestClient) -> None:
    answer = client.get("/?lang=<script>")
    assert "<script>" not in answer.text
    assert client.get("/", params={"lang": "en"}).cookies.get("lang") == "en"


def test_verify_page_shows_the_check_script_digest(client: TestClient) -> None:
    import hashlib

    script = client.get("/assets/check.js").content
    assert hashlib.sha256(script).hexdigest() in client.get("/verify").text


def test_hall_certificate_is_made_once_and_fingerprinted(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import datetime

    from cryptography import x509

    from api.pages.tls import certificate_fingerprint, generate_certificate

    now = datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC)
    cert, key = generate_certificate(tmp_path, hosts=["127.0.0.1", "hall.local"], now=now)
    assert key.stat().st_mode & 0o777 == 0o600
    fingerprint = certificate_fingerprint(cert)
    assert fingerprint is not None and re.fullmatch("([0-9A-F]{2}:){31}[0-9A-F]{2}", fingerprint)
    names = x509.load_pem_x509_certificate(cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert "hall.local" in names.value.get_values_for_type(x509.DNSName)
    with pytest.raises(FileExistsError):
        generate_certificate(tmp_path, hosts=["127.0.0.1"], now=now)
    assert certificate_fingerprint(tmp_path / "absent.pem") is None


def test_local_timezone_setting_is_checked() -> None:
    assert Settings.from_environ({"SUNSHINE_TIMEZONE": "Asia/Urumqi"}).timezone == "Asia/Urumqi"
    with pytest.raises(ValueError, match="Mars/Olympus"):
        Settings(timezone="Mars/Olympus")
