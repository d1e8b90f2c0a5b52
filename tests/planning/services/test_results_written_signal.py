"""An analysis that writes results published as layers says so with a planning signal, and the
layers app (which planning does not import) drops those layers' tile caches on commit."""

from __future__ import annotations

from unittest import mock

from django.db import transaction
from django.test import TestCase

from planning import models as m
from planning.signals import analysis_results_written


class ResultsWrittenSignalTests(TestCase):
    def test_layers_drop_the_written_layers_caches_once_committed(self):
        run = m.AnalysisRun.objects.create(kind="infrastructure-gaps", status="done")
        with (
            mock.patch("layers.signals.refresh_layer") as refresh,
            self.captureOnCommitCallbacks(execute=True) as callbacks,
        ):
            with transaction.atomic():
                analysis_results_written.send(
                    sender="infrastructure-gaps", run=run, layers=("infrastructure_connectors",)
                )
                refresh.assert_not_called()  # not before the commit
        assert len(callbacks) == 1
        refresh.assert_called_once_with("infrastructure_connectors")
