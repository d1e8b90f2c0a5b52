"""One language per message, the request's (issue 11, item 8).

Pages speak the language chosen on the site (cookie) or Vietnamese. The REST API and the OGC
services
speak what ``Accept-Language`` asks (``?lang=`` first, then the header, then the cookie, then
Vietnamese); a browser's own requests follow the page rule. Each failing request is asked in English
and in Vietnamese (explicitly and by default) and its message must be wholly in that language:
DRF's own errors, validation errors, the workflow service's errors, 404s and the sign-in limit.
"""

from __future__ import annotations

import base64
import json
import re

import pytest
import shapely
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from planning import models as m

pytestmark = pytest.mark.django_db

API = "/api/v1/proposals/"
WFS = "/ows/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities"
SITE = shapely.box(109.0, 14.0, 109.005, 14.005)  # about 30 ha in Xã Cát Hanh (binh_dinh)

EN, VI = "en", "vi"
# (Accept-Language sent, the language expected); None sends no header.
LANGUAGES = [
    ("en", EN),
    ("en-US,en;q=0.9", EN),
    ("fr-FR, en;q=0.5", EN),
    ("vi", VI),
    ("vi-VN,vi;q=0.9,en;q=0.8", VI),
    (None, VI),
    ("fr", VI),
]
# Words of English sentences; a Vietnamese message holding one mixes the two languages.
ENGLISH_WORDS = re.compile(
    r"\b(the|is|are|was|were|not|may|must|only|try|again|in|of|no|this|"
    r"provided|expected|available|seconds?|minutes?|invalid|unknown|wrong|"
    r"field|blank|valid|choice|possible|while|resource|layers?)\b",
    re.I,
)
VIETNAMESE_LETTERS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _headers(accept):
    return {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}


def _basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def assert_in_language(message: str, lang: str, *, names: tuple[str, ...] = ()) -> None:
    """Wholly English or wholly Vietnamese (``names``: proper names, taken out before checking)."""
    text = message
    for name in names:
        text = text.replace(name, "")
    if lang == VI:
        assert not ENGLISH_WORDS.search(text), f"English inside a Vietnamese message: {message!r}"
        assert VIETNAMESE_LETTERS.search(text), f"not Vietnamese: {message!r}"
    else:
        assert not VIETNAMESE_LETTERS.search(text), (
            f"Vietnamese inside an English message: {message!r}"
        )


@pytest.fixture
def people(binh_dinh, soc_trang):
    _, commune = binh_dinh
    _, other_commune = soc_trang
    User = get_user_model()
    out = {}
    for name, role, unit in (
        ("canbo", "commune_staff", commune),
        ("canbo_st", "commune_staff", other_commune),
    ):
        out[name] = User.objects.create_user(name, password=f"pw-{name}-1")
        m.Membership.objects.create(user=out[name], role=role, admin_unit=unit)
    out["nobody"] = User.objects.create_user("nobody", password="pw-nobody-1")
    return out


def _as(user, accept, **extra) -> Client:
    client = Client(**_headers(accept), **extra)
    if user is not None:
        client.force_login(user)
    return client


def _proposal(**extra) -> dict:
    return {
        "name": "CCN Cát Hanh 2",
        "kind": "CCN",
        "admin_unit": "21907",
        "rationale": "gần QL19B",
        "geometry": json.loads(shapely.to_geojson(SITE)),
        **extra,
    }


def _error(r, status):
    assert r.status_code == status, r.content
    body = r.json()["error"]
    assert body["status"] == status
    return body


@pytest.mark.parametrize("accept, lang", LANGUAGES)
def test_api_errors_follow_accept_language(people, accept, lang):
    anonymous, staff = _as(None, accept), _as(people["canbo"], accept)
    expect = {EN: lambda en, vi: en, VI: lambda en, vi: vi}[lang]

    # Not signed in (DRF's own message; its Vietnamese catalogue lacks it).
    r = anonymous.post(API, _proposal(), content_type="application/json")
    err = _error(r, 401)
    assert err["message"] == expect(
        "Authentication credentials were not provided.",
        "Chưa cung cấp thông tin xác thực (hãy đăng nhập).",
    )
    assert r["Content-Language"] == lang and "Accept-Language" in r["Vary"]
    # A wrong token, a wrong password.
    r = Client(**_headers(accept)).get("/api/v1/jobs/", HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert _error(r, 401)["message"] == expect("invalid token", "token không hợp lệ")
    r = Client(**_headers(accept)).get("/api/v1/jobs/", HTTP_AUTHORIZATION=_basic("canbo", "sai"))
    assert _error(r, 401)["message"] == expect(
        "wrong user name or password", "sai tên đăng nhập hoặc mật khẩu"
    )

    # Forbidden: no planning role (the API's own permission), and staff of another commune (the
    # service).
    err = _error(
        _as(people["nobody"], accept).post(API, _proposal(), content_type="application/json"), 403
    )
    assert_in_language(err["message"], lang)
    assert expect("commune or district staff", "cán bộ xã, huyện") in err["message"]
    err = _error(
        _as(people["canbo_st"], accept).post(API, _proposal(), content_type="application/json"), 403
    )
    assert err["message"] == expect(
        "Only staff of Xã Cát Hanh may propose there.",
        "Chỉ cán bộ của Xã Cát Hanh được đề xuất tại đây.",
    )

    # Invalid input: a blank name, an unknown kind (DRF's field messages, one language with their
    # frame).
    err = _error(staff.post(API, _proposal(name=""), content_type="application/json"), 400)
    assert err["code"] == "invalid" and err["details"]["name"] == [
        expect("This field may not be blank.", "Trường này không được bỏ trống.")
    ]
    assert_in_language(err["message"].removeprefix("name: "), lang)
    err = _error(staff.post(API, _proposal(kind="XYZ"), content_type="application/json"), 400)
    assert err["message"] == expect(
        'kind: "XYZ" is not a valid choice.', "kind: “XYZ” không phải là một lựa chọn hợp lệ."
    )
    err = _error(
        staff.post(
            API,
            {"name": "x", "kind": "CCN", "admin_unit": "21907"},
            content_type="application/json",
        ),
        400,
    )
    assert_in_language(err["message"].removeprefix("geometry: "), lang, names=("GeoJSON",))

    # An illegal workflow step (409) and an unknown step (404).
    pid = staff.post(API, _proposal(), content_type="application/json").json()["id"]
    assert staff.post(f"{API}{pid}/submit/", {}, content_type="application/json").status_code == 200
    err = _error(staff.post(f"{API}{pid}/submit/", {}, content_type="application/json"), 409)
    assert err["code"] == "illegal_transition"
    assert err["message"] == expect(
        "“Submit” is not possible while the proposal is “Submitted”.",
        "Không thể “Gửi thẩm định” khi đề xuất đang “Đã gửi”.",
    )
    err = _error(staff.post(f"{API}{pid}/nonsense/", {}, content_type="application/json"), 404)
    assert_in_language(
        err["message"],
        lang,
        names=(
            "'nonsense'",
            "submit",
            "withdraw",
            "review",
            "request-changes",
            "approve",
            "reject",
            "comment",
        ),
    )

    # Not found: a proposal, a layer, a layer's feature, a path.
    err = _error(staff.get(f"{API}99999/"), 404)
    assert err["message"] == expect(
        "No proposal 99999 among the proposals you may see.",
        "Không có đề xuất 99999 trong các đề xuất bạn được xem.",
    )
    err = _error(staff.get("/api/v1/layers/nope/"), 404)
    assert err["code"] == "unknown_layer" and "industrial_areas" in err["details"]["known"]
    assert err["message"].startswith(expect("unknown layer 'nope'", "không có lớp dữ liệu 'nope'"))
    err = _error(staff.get("/api/v1/layers/admin_units/999999/"), 404)
    assert err["message"] == expect(
        "admin_units has no feature 999999", "admin_units không có đối tượng 999999"
    )
    err = _error(staff.get("/api/v1/nope/"), 404)
    assert err["message"].startswith(
        expect("no API resource at /api/v1/nope/", "không có tài nguyên API nào tại")
    )

    # Layer filters: the frame and Django's reason in one language.
    err = _error(staff.get("/api/v1/layers/industrial_areas/?bbox=1,2"), 400)
    assert_in_language(
        err["message"].removeprefix("bbox: "),
        lang,
        names=("bbox", "minx,miny,maxx,maxy", "EPSG:4326", "lon/lat", "min < max"),
    )
    err = _error(staff.get("/api/v1/layers/industrial_areas/?roads_done_pct=abc"), 400)
    assert err["message"].startswith(
        expect(
            "roads_done_pct: invalid filter value 'abc': ",
            "roads_done_pct: giá trị lọc không hợp lệ 'abc': ",
        )
    )
    assert_in_language(
        err["message"].removeprefix("roads_done_pct: "), lang, names=("'abc'", "“abc”", '"abc"')
    )


def test_the_explicit_choices_come_first(people):
    """?lang= beats Accept-Language, which beats the cookie; a browser's requests follow the
    page."""
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="vi")
    assert (
        anonymous.get("/api/v1/jobs/?lang=en")
        .json()["error"]["message"]
        .startswith("Authentication")
    )
    assert anonymous.get("/api/v1/jobs/?lang=EN")["Content-Language"] == "en"
    cookie_en = Client()
    cookie_en.cookies["django_language"] = "en"
    assert cookie_en.get("/api/v1/jobs/").json()["error"]["message"].startswith("Authentication")
    r = cookie_en.get("/api/v1/jobs/", HTTP_ACCEPT_LANGUAGE="vi")
    assert (
        r.json()["error"]["message"].startswith("Chưa cung cấp") and r["Content-Language"] == "vi"
    )
    # The map page's scripts on an English-language browser, the site left in Vietnamese:
    # Vietnamese.
    browser = {
        "HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9",
        "HTTP_SEC_FETCH_MODE": "cors",
        "HTTP_SEC_FETCH_SITE": "same-origin",
    }
    assert (
        Client()
        .get("/api/v1/jobs/", **browser)
        .json()["error"]["message"]
        .startswith("Chưa cung cấp")
    )
    assert (
        cookie_en.get("/api/v1/jobs/", **browser)
        .json()["error"]["message"]
        .startswith("Authentication")
    )
    # Pages never follow the browser's Accept-Language.
    r = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert r["Content-Language"] == "vi" and "Tên đăng nhập" in r.content.decode()


# --- the sign-in limit ----------------------------------------------------------------------------


@pytest.fixture
def strict_limits(settings):
    settings.KCN_LOGIN_MAX_FAILURES = 3
    settings.KCN_LOGIN_MAX_FAILURES_PER_IP = 30
    settings.KCN_LOGIN_WINDOW_SECONDS = 600
    cache.clear()
    yield settings
    cache.clear()


LOCKED = {
    EN: "Too many failed sign-in attempts. Try again in 10 minutes.",
    VI: "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 10 phút.",
}


@pytest.mark.parametrize("accept, lang", [("en", EN), ("vi", VI), (None, VI)])
def test_http_basic_lockout_speaks_one_language(people, strict_limits, accept, lang):
    client = Client(**_headers(accept))
    wrong = _basic("canbo", "sai")
    for _ in range(2):
        assert client.get("/api/v1/jobs/", HTTP_AUTHORIZATION=wrong).status_code == 401
    r = client.get("/api/v1/jobs/", HTTP_AUTHORIZATION=wrong)
    err = _error(r, 429)
    assert err["message"] == LOCKED[lang] and 0 < int(r["Retry-After"]) <= 600  # nothing appended
    # The OGC services: the same message in their exception report.
    r = client.get(WFS, HTTP_AUTHORIZATION=_basic("canbo", "pw-canbo-1"))
    assert r.status_code == 429 and r["Retry-After"]
    text = re.search(r"<ows:ExceptionText>(.*)</ows:ExceptionText>", r.content.decode()).group(1)
    assert text == LOCKED[lang]


@pytest.mark.parametrize("lang", [EN, VI, None])
def test_sign_in_pages_lockout_speaks_the_page_language(people, strict_limits, lang):
    get_user_model().objects.create_superuser("quan_tri", password="mat-khau-quan-tri")
    client = Client(HTTP_ACCEPT_LANGUAGE="en" if lang != EN else "vi")  # never the browser's guess
    if lang:
        client.cookies["django_language"] = lang
    lang = lang or VI
    for url, user in (("/accounts/login/", "canbo"), ("/admin/login/", "quan_tri")):
        for _ in range(3):
            r = client.post(url, {"username": user, "password": "sai"})
        assert r.status_code == 429 and 0 < int(r["Retry-After"]) <= 600, url
        html = r.content.decode()
        assert LOCKED[lang] in html and LOCKED[{EN: VI, VI: EN}[lang]] not in html, url
        assert f'lang="{lang}"' in html and "_auth_user_id" not in client.session
    # The admin's own header follows the language too.
    assert {EN: "KCN Planner — Administration", VI: "KCN Planner — Quản trị"}[lang] in html


def test_one_minute_is_singular(people, strict_limits, settings):
    settings.KCN_LOGIN_WINDOW_SECONDS = 45
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(3):
        r = client.get("/api/v1/jobs/", HTTP_AUTHORIZATION=_basic("canbo", "sai"))
    assert (
        r.json()["error"]["message"] == "Too many failed sign-in attempts. Try again in 1 minute."
    )


def test_third_party_messages_have_vietnamese():
    """DRF's and Django's messages that their own catalogues leave English are translated here."""
    from django.utils import translation

    from gis_service import third_party_messages as messages

    for msgid in messages.DJANGO_REST_FRAMEWORK + messages.DJANGO_MODEL_FIELDS:
        with translation.override("vi"):
            vi = translation.gettext(msgid)
        with translation.override("en"):
            assert translation.gettext(msgid) == msgid
        assert vi != msgid and VIETNAMESE_LETTERS.search(vi), msgid
        assert sorted(re.findall(r"{\w+}|%\(\w+\)s", vi)) == sorted(
            re.findall(r"{\w+}|%\(\w+\)s", msgid)
        ), msgid
