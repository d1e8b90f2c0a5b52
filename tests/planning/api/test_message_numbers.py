"""Numbers inside the API's messages are written the way the message's language writes them
(issue 11, item 8: Vietnamese text showed English separators)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang, size", [("vi", "10,5 MB"), ("en", "10.5 MB")])
def test_a_file_too_large_gives_its_size_in_the_languages_numbers(staff_api, binh_dinh, lang, size):
    upload = SimpleUploadedFile("ranh_gioi.geojson", b" " * 10_500_000)
    r = staff_api.post(
        f"/api/v1/proposals/read-file/?lang={lang}", {"file": upload}, format="multipart"
    )
    assert r.status_code == 400, r.content
    message = r.json()["error"]["message"]
    assert size in message, message
