"""``manage.py run_worker``: run background jobs (analyses, imports) from the task queue.

django-tasks-db's ``db_worker`` with a heartbeat and a sweep of jobs whose worker was killed
(:mod:`planning.services.worker`). Start as many as you like, on any machine that reaches the
database; each runs one job at a time. It never reloads on code changes (``--reload`` is
ignored): a reload would cut a running job.

    manage.py run_worker                         # the analyses and imports queues, forever
    manage.py run_worker --queue-name imports    # only imports
    manage.py run_worker --batch                 # run what is queued, then stop
"""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from planning.services.jobs import worker_id_new
from planning.services.worker import JobWorker


class Command(DbWorkerCommand):
    help = _(
        "Run background jobs (analyses, imports) from the task queue, one at a time; several "
        "workers on several machines may share the queue. SIGTERM finishes the current job."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(queue_name="analyses,imports", worker_id=None, reload=False)
        parser.add_argument(
            "--beat",
            type=float,
            default=None,
            help=_("seconds between heartbeats (default: PLANNING_WORKER_BEAT_SECONDS)"),
        )

    def handle(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        max_tasks,
        worker_id,
        exclude_queues,
        beat=None,
        **options,
    ):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError(_("--exclude-queues can only be used with --queue-name=*"))
        worker = JobWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id or worker_id_new(),
            excluded_queue_names=excluded,
            beat_seconds=beat,
        )
        worker.configure_signals()
        worker.run()
