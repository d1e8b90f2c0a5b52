"""Signals the planning domain sends; other apps connect to them (planning imports none of them).

``analysis_results_written``
    Sent by an analysis run that wrote results published as layers (bulk writes, which send no
    model signals), inside the run's transaction. Arguments: ``sender`` (the analysis name),
    ``run`` (the ``AnalysisRun``), ``layers`` (the names of the layers written, e.g.
    ``("suggested_sites",)``). ``layers.signals`` drops those layers' tile caches once the
    transaction commits.
"""

from __future__ import annotations

from django.dispatch import Signal

analysis_results_written = Signal()
