"""The one root for user errors of import and export (rasterio style: it is also a ValueError)."""


class LayerIOError(ValueError):
    """A file, option or row the service cannot accept; the message says what and where."""


class LayerImportError(LayerIOError):
    """Nothing was imported: the whole import ran in one transaction and was rolled back.

    ``rows`` lists the rows at fault as ``(row number, reason)`` when the error is about rows.
    """

    def __init__(self, message: str, *, rows=()):
        super().__init__(message)
        self.rows: list[tuple[int, str]] = list(rows)


class LayerExportError(LayerIOError):
    """Nothing was written to the output path."""
