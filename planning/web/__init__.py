"""The web pages of the service: the map at "/" (layers, filters, search, popups).

Page views and their small JSON helpers live here; the REST API is ``planning.api``.
"""
