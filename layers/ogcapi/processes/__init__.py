"""OGC API – Processes – Part 1: Core 1.0 (OGC 18-062r2) at /ogc/processes and /ogc/jobs: the
analyses as processes on the Jobs tab's task queue, and an echo process (issue 14 proc)."""
