"""The REST API (``/api/v1/``): thin DRF views over the services and selectors.

Authentication is the one the OGC services use (``layers.auth``: HTTP Basic, ``Token``/``Bearer``
tokens, or the session with CSRF), permissions the one access policy (``planning.access``),
errors one JSON shape (``planning.api.errors``). The OpenAPI schema is served at ``/api/schema/``.
"""
