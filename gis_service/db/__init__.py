"""Database backends of the project (see :mod:`gis_service.db.postgis`)."""
