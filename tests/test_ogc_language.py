"""The OGC services and the model labels speak the request's language (issue 12, item 7).

One mechanism: English msgids through gettext, Vietnamese in ``locale/vi``. WFS and WMS exception
texts follow ``?lang=`` / ``Accept-Language`` like the REST API, and Vietnamese when a client sends
neither (OWSLib sends no ``Accept-Language``; QGIS sends its system locale, Qt's
"<locale>,en,*" or "en-US,*"). Exception codes, locators and ``xml:lang`` stay machine-readable.
"""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from django.utils import translation
from lxml import etree

from tests.test_api_language import EN, LANGUAGES, VI, _proposal, assert_in_language, people

pytestmark = pytest.mark.django_db

WFS = "/ows/wfs"
WMS = "/ows/wms"
OWS = "{http://www.opengis.net/ows/1.1}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# What QGIS 3.22 (Qt 5) sends by itself: the system locale, then English, then anything.
QGIS_LANGUAGES = [("vi-VN,en,*", VI), ("en-US,*", EN)]


def _headers(accept):
    return {"HTTP_ACCEPT_LANGUAGE": accept} if accept else {}


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _ows_exception(response) -> tuple[str, str, str]:
    """(exceptionCode, text, xml:lang) of a WFS 2.0 ExceptionReport."""
    root = etree.fromstring(response.content)
    exception = root.find(f"{OWS}Exception")
    return (
        exception.get("exceptionCode"),
        exception.findtext(f"{OWS}ExceptionText"),
        root.get(XML_LANG),
    )


@pytest.mark.parametrize("accept, lang", LANGUAGES + QGIS_LANGUAGES)
def test_wfs_exception_texts_follow_the_request_language(db, accept, lang):
    r = Client().get(WFS, {"SERVICE": "WFS", "REQUEST": "Frobnicate"}, **_headers(accept))
    assert r.status_code == 501
    code, text, xml_lang = _ows_exception(r)
    assert code == "OperationNotSupported"  # codes are never translated
    assert xml_lang == lang and r["Content-Language"] == lang
    assert "'Frobnicate'" in text
    assert_in_language(text, lang, names=("'Frobnicate'",))
    assert text == (
        "unknown operation 'Frobnicate'" if lang == EN else "thao tác 'Frobnicate' không xác định"
    )


@pytest.mark.parametrize("query, lang", [({"lang": "en"}, EN), ({"lang": "vi"}, VI), ({}, VI)])
def test_wfs_filter_errors_follow_lang(db, query, lang):
    r = Client().get(
        WFS,
        {
            "SERVICE": "WFS",
            "VERSION": "2.0.0",
            "REQUEST": "GetFeature",
            "TYPENAMES": "kcn:industrial_areas",
            "CQL_FILTER": "no_such_field = 1",
            **query,
        },
    )
    assert r.status_code == 400
    code, text, _lang = _ows_exception(r)
    assert code == "InvalidParameterValue"
    expected = "has no property 'no_such_field'" if lang == EN else "không có thuộc tính"
    assert expected in text, text


@pytest.mark.parametrize("accept, lang", [("en", EN), ("vi", VI), (None, VI)])
def test_wfs_t_refusals_follow_the_request_language(people, accept, lang):
    empty = (
        '<wfs:Transaction xmlns:wfs="http://www.opengis.net/wfs/2.0" service="WFS" '
        'version="2.0.0"/>'
    )
    anonymous = Client().post(WFS, empty, content_type="text/xml", **_headers(accept))
    assert anonymous.status_code == 401
    code, text, _lang = _ows_exception(anonymous)
    assert code == "OperationProcessingFailed"
    assert_in_language(text, lang, names=("Transaction", "HTTP Basic", "token"))

    signed_in = Client().post(
        WFS,
        empty,
        content_type="text/xml",
        HTTP_AUTHORIZATION=_basic("canbo", "pw-canbo-1"),
        **_headers(accept),
    )
    assert signed_in.status_code == 400
    code, text, xml_lang = _ows_exception(signed_in)
    assert code == "MissingParameterValue" and xml_lang == lang
    assert text == (
        "the Transaction holds no action" if lang == EN else "Transaction không chứa thao tác nào"
    )


@pytest.mark.parametrize("accept, lang", [("en", EN), ("vi", VI), (None, VI)])
def test_wms_refusals_follow_the_request_language(db, accept, lang):
    names = ("GetCapabilities", "GetMap", "GetFeatureInfo", "GetLegendGraphic", "REQUEST")
    r = Client().get(WMS, {"SERVICE": "WMS", "VERSION": "1.3.0"}, **_headers(accept))
    assert r.status_code == 400
    root = etree.fromstring(r.content)
    exception = root.find("{http://www.opengis.net/ogc}ServiceException")
    assert exception.get("code") == "InvalidParameterValue"
    assert_in_language(exception.text, lang, names=names)
    assert " / " not in exception.text  # one language, not "vi / en"

    r = Client().get(
        WMS,
        {
            "SERVICE": "WMS",
            "VERSION": "1.3.0",
            "REQUEST": "GetFeatureInfo",
            "BBOX": "13,108,14,109",
            "WIDTH": "10",
            "HEIGHT": "10",
            "INFO_FORMAT": "image/png",
        },
        **_headers(accept),
    )
    assert r.status_code == 400
    text = etree.fromstring(r.content)[0].text
    expected = (
        "is not offered; use one of" if lang == EN else "không được hỗ trợ; hãy dùng một trong"
    )
    assert expected in text and " / " not in text.partition(":")[0], text


@pytest.mark.parametrize("accept, lang", [("en", EN), ("vi", VI), (None, VI)])
def test_model_choice_labels_follow_the_request_language(people, accept, lang):
    client = Client(**_headers(accept))
    client.force_login(people["canbo"])
    r = client.post("/api/v1/proposals/", _proposal(), content_type="application/json")
    assert r.status_code == 201, r.content
    event = r.json()["events"][0]
    assert event["action"] == "created"  # the code, in every language
    assert event["action_label"] == ("Created" if lang == EN else "Tạo")


def test_model_labels_and_legends_have_both_languages():
    from layers.wms.styles import STYLES
    from planning.models import IndustrialArea, RoadCorridor

    status = IndustrialArea._meta.get_field("status")
    planned = RoadCorridor._meta.get_field("status")
    with translation.override("en"):
        assert str(status.verbose_name) == "status"
        assert dict(status.choices)["clearing"] == "Clearing land"
        assert dict(planned.choices)["planned"] == "Planned"
    with translation.override("vi"):
        assert str(status.verbose_name) == "tình trạng"
        assert dict(status.choices)["clearing"] == "Đang giải phóng mặt bằng"
        assert dict(planned.choices)["planned"] == "Quy hoạch"
    legend = STYLES["road_corridors"].classes[-1]
    assert (legend.title_vi, legend.title_en) == ("Quy hoạch", "Planned")
    area = STYLES["industrial_areas"].classes[0]
    assert (area.title_vi, area.title_en) == ("KCN — Đang hoạt động", "KCN — Operating")


def test_the_mapserver_legend_stays_in_the_service_language(settings):
    """MapServer's CLASS names are written once per process: Vietnamese, whatever the request."""
    from layers.wms.styles import STYLES

    with translation.override("en"):
        assert STYLES["road_corridors"].classes[-1].title_vi == "Quy hoạch"
    assert settings.LANGUAGE_CODE == VI
