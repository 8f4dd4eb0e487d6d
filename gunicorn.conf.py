"""gunicorn settings shared by `make run`, the tests, CI and docker-compose."""

import os
import shutil
import tempfile

# Several servers run side by side in tests and on one host; none needs the control socket,
# whose default path is shared by every gunicorn of the same user.
control_socket_disable = True
# Logs go to the terminal; gunicorn's own access log format.
accesslog = "-"

# Each worker writes its metrics to files in this directory, and a scrape of /metrics adds up
# every worker's (forum/metrics.py). One directory per server, made empty at its start.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="forum-metrics-")
    _made_here = os.environ["PROMETHEUS_MULTIPROC_DIR"]
else:
    _made_here = None


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _made_here:
        shutil.rmtree(_made_here, ignore_errors=True)
