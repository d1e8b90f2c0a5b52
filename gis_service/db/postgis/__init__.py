"""Django's PostGIS backend with a health check that needs no round trip (see ``base``)."""
