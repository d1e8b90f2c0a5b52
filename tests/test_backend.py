import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_runs_on_the_backend_it_was_asked_for():
    expected = os.environ.get("KCN_EXPECT_BACKEND")
    actual = "postgis" if connection.vendor == "postgresql" else "spatialite"
    assert connection.ops.spatial_version
    if expected:
        assert actual == expected
