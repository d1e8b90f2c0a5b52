"""``GET /api/v1/conversion-criteria/``: the catalogue of eco and smart conversion criteria, each
with its basis and whether it is confirmed (``planning.models.eco``). The roadmaps themselves,
with the status and evidence of each criterion, are in the eco-readiness report."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from planning.api.base import BaseApi, extend_schema
from planning.selectors.analysis_inputs.conversion import criteria_catalogue


class ConversionCriteriaApi(BaseApi):
    @extend_schema(
        summary="Eco and smart conversion criteria (the catalogue)",
        parameters=[OpenApiParameter("programme", OpenApiTypes.STR, enum=["eco", "smart"])],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        wanted = request.query_params.get("programme")
        out = []
        for programme, items in criteria_catalogue().items():
            if wanted and programme != wanted:
                continue
            out += [
                {
                    "code": c.code,
                    "programme": c.programme,
                    "name": c.name,
                    "name_vi": c.name_vi,
                    "name_en": c.name_en,
                    "threshold": c.threshold,
                    "basis": c.basis,
                    "basis_label": c.get_basis_display(),
                    "confirmation": c.confirmation,
                    "confirmation_label": c.get_confirmation_display(),
                    "citation": c.citation,
                    "applies_to": c.applies_to or None,
                }
                for c in items
            ]
        return Response({"count": len(out), "criteria": out})
