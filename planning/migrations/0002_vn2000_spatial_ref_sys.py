"""Make sure the spatial database knows every VN-2000 system the service uses.

SpatiaLite 5.0.1 and PostGIS 3.3 ship them; an older spatial_ref_sys may not. Missing rows are
added from PROJ (through pyproj) with a ``+towgs84`` in the Position Vector convention of
EPSG:6960 "VN-2000 to WGS 84 (2)", so the database's own Transform() agrees with pyproj.
"""

from django.db import migrations

from planning.checks import add_missing_srids


def add_missing(apps, schema_editor):
    add_missing_srids(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]
    operations = [migrations.RunPython(add_missing, migrations.RunPython.noop)]
