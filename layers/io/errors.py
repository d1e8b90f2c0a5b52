"""The one root for user errors of import and export (rasterio style: it is also a ValueError)."""


class LayerIOError(ValueError):
    """A file, option or row the service cannot accept; the message says what and where."""


class LayerImportError(LayerIOError):
    """Nothing was imported: the whole import ran in one transaction and was rolled back."""


class LayerExportError(LayerIOError):
    """Nothing was written to the output path."""
