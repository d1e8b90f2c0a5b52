"""Map widgets for the admin that work offline: OpenLayers from our static files, and the
province's own data (administrative units and industrial areas) as the background instead of
an outside tile server."""

from django.contrib.gis.forms.widgets import OpenLayersWidget


class PlanningMapWidget(OpenLayersWidget):
    template_name = "planning/widgets/map.html"
    map_srid = 3857

    class Media:
        extend = False  # drop the parent's CDN links
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js")

    def __init__(self, attrs=None):
        super().__init__(attrs)
        # Central Bình Định until a geometry is present (the widget then zooms to it).
        self.attrs.setdefault("default_lon", 109.0)
        self.attrs.setdefault("default_lat", 13.9)
        self.attrs.setdefault("default_zoom", 9)
