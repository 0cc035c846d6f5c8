"""The fleet: one job per site on a PostgreSQL job queue, run by any number of workers.

`complyscan fleet submit` records a run (one row per site, scanner/fleet/records.py) and queues
one `scan_site(run, site)` job per site (scanner/fleet/queue.py, the one module that knows the
queue engine, Procrastinate). `complyscan worker` takes jobs; each runs the one-site pipeline
(scanner/fleet/site.py) in a child process group with a time limit and a memory guard
(scanner/fleet/runner.py), stores its report files (scanner/fleet/artifacts.py) and records the
result in the same transaction as the site's state. docs/fleet.md is the operator's guide.
"""
