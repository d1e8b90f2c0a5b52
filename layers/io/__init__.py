"""Import and export of catalogue layers through GDAL/OGR (pyogrio), with VN-2000 CRS support.

Services (``layer_import``, ``layer_export``) own the work and the transaction; the management
commands ``import_layer`` and ``export_layer`` only parse arguments and print results. Every
user error is a :class:`LayerIOError` (a ``ValueError``), so callers catch one type.
"""

from layers.io.errors import LayerExportError, LayerImportError, LayerIOError
from layers.io.exporter import ExportResult, layer_export
from layers.io.importer import ImportResult, layer_import

__all__ = [
    "ExportResult",
    "ImportResult",
    "LayerExportError",
    "LayerIOError",
    "LayerImportError",
    "layer_export",
    "layer_import",
]
