"""Debian's nginx with the repo's deploy/nginx.conf, on a port of its own, in front of the
gunicorns a test starts."""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")


def collect_static(static_root: Path) -> Path:
    """The static files as production collects them: hashed names and .gz copies. (Settings
    changed for the command alone, and announced: the storage built for them goes with them.)"""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=static_root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return static_root


def render_config(work: Path, **values: str) -> Path:
    """deploy/nginx.conf as deploy/render-nginx-conf fills it in, written into `work`."""
    rendered = subprocess.run(
        [str(ROOT / "deploy" / "render-nginx-conf")],
        env={**os.environ, **values},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "${" not in rendered
    conf = work / "nginx.conf"
    conf.write_text(rendered)
    return conf


@contextlib.contextmanager
def running_nginx(work: Path, conf: Path, port: int):
    command = [NGINX, "-p", f"{work}/", "-c", str(conf), "-g", f"daemon off; pid {work}/nginx.pid;"]
    with (work / "nginx.out").open("w") as out, (work / "nginx.err").open("w") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err)
    try:
        wait_for_port(process, port, work / "nginx.err")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for_port(process: subprocess.Popen, port: int, errors: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited: {errors.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError("nginx did not listen within 20 seconds")
