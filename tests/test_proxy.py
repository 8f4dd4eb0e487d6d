"""nginx from deploy/nginx.conf in front of gunicorn: slow clients, big bodies, static files."""

import contextlib
import gzip
import os
import select
import socket
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.nginx import NGINX, collect_static, render_config, running_nginx
from tests.servers import Server, free_port
from tests.visitor import Visitor

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
HEADER_TIMEOUT = 10  # client_header_timeout in deploy/nginx.conf
TWENTY_MB = 20 * 1024 * 1024
# A CSRF cookie of the right form makes Django read the form for its token, as for a reader.
CSRF_COOKIE = "csrftoken=" + "a" * 32

needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (scripts/ensure-nginx installs it)"
)


@dataclass
class Proxied:
    """nginx on its own port in front of a gunicorn; `url` is nginx's."""

    url: str
    port: int
    gunicorn: Server
    static_root: Path


@pytest.fixture
def proxied(gunicorn):
    server = gunicorn(workers=2, env={"FORUM_PROXY_COUNT": "1"})
    with tempfile.TemporaryDirectory(prefix="forum-nginx-") as work:
        # nginx's workers run as www-data when the tests run as root: they must reach it.
        os.chmod(work, 0o755)
        static_root = collect_static(Path(work) / "static")
        port = free_port()
        conf = render_config(
            Path(work),
            NGINX_LISTEN=f"127.0.0.1:{port}",
            FORUM_UPSTREAM=server.url.removeprefix("http://"),
            FORUM_STATIC_ROOT=str(static_root),
        )
        with running_nginx(Path(work), conf, port):
            yield Proxied(f"http://127.0.0.1:{port}", port, server, static_root)


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, dict(response.headers), response.read()


def post_huge_body(
    port: int, path: str, *, content_type: str, body_start: bytes = b"", size: int = TWENTY_MB
) -> tuple[int, float, int]:
    """Posts a body of `size` bytes (20 MB), stopping as soon as the server answers.

    Returns the status, the seconds until the answer and how many body bytes went out."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {size}\r\nCookie: {CSRF_COOKIE}\r\nConnection: close\r\n\r\n"
    )
    chunk = b"x" * 65536
    started = time.monotonic()
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode() + body_start)
        sent = len(body_start)
        while sent < size and time.monotonic() - started < 20:
            readable, writable, _ = select.select([sock], [sock], [], 1)
            if readable:
                break
            if writable:
                try:
                    sent += sock.send(chunk[: size - sent])
                except (BrokenPipeError, ConnectionResetError):
                    break
        status_line = sock.recv(4096).split(b"\r\n", 1)[0]
    return int(status_line.split()[1]), time.monotonic() - started, sent


@needs_nginx
def test_slow_headers_take_no_worker_and_nginx_drops_them(proxied):
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 60
    slow = [socket.create_connection(("127.0.0.1", proxied.port), timeout=5) for _ in range(6)]
    started = time.monotonic()
    open_ = set(range(len(slow)))
    try:
        for byte in range(3):
            for sock in slow:
                sock.send(request[byte : byte + 1])
            time.sleep(1)
        asked = time.monotonic()
        status, _, _ = fetch(f"{proxied.url}/")
        assert status == 200 and time.monotonic() - asked < 2
        # The header never ends: nginx closes each connection once its header time is up.
        byte = 3
        while open_ and time.monotonic() - started < HEADER_TIMEOUT + 8:
            for index in list(open_):
                with contextlib.suppress(OSError):
                    slow[index].send(request[byte : byte + 1])
                if closed(slow[index]):
                    open_.discard(index)
            byte += 1
            time.sleep(1)
        assert not open_, f"{len(open_)} slow connections still open"
        assert time.monotonic() - started > HEADER_TIMEOUT - 1
    finally:
        for sock in slow:
            sock.close()
    assert proxied.gunicorn.worker_pids("GET", "/") != set()  # only the normal request


def closed(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(4096) == b""  # nginx closes without an answer
    except OSError:
        return True


@needs_nginx
def test_a_huge_body_gets_413_from_nginx_and_never_reaches_gunicorn(proxied):
    status, seconds, sent = post_huge_body(
        proxied.port, "/reply", content_type="application/x-www-form-urlencoded"
    )
    assert status == 413 and seconds < 5 and sent < TWENTY_MB
    assert fetch(f"{proxied.url}/healthz")[0] == 200
    assert proxied.gunicorn.worker_pids("POST", "/reply") == set()


@needs_nginx
def test_metrics_are_not_published_through_nginx(proxied):
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(f"{proxied.url}/metrics")
    assert refused.value.code == 404
    # Straight to the app server, from the operator's own machine, they are there.
    status, _, body = fetch(f"{proxied.gunicorn.url}/metrics")
    assert status == 200 and b"forum_requests_total" in body


@needs_nginx
def test_a_body_between_the_form_limit_and_a_megabyte_gets_413_from_nginx_too(proxied):
    """One limit, one answer: a body over 512 KB is 413 whoever refuses it (nginx let bodies
    up to 1 MB through, and the docs said Django answered them 400)."""
    status, _, _ = post_huge_body(
        proxied.port, "/reply", content_type="application/x-www-form-urlencoded", size=768 * 1024
    )
    assert status == 413
    assert proxied.gunicorn.worker_pids("POST", "/reply") == set()


@needs_nginx
def test_static_files_come_from_nginx_compressed_and_cached(proxied):
    original = (ROOT / "static" / "style.css").read_bytes()
    status, headers, body = fetch(f"{proxied.url}/static/style.css")
    assert status == 200 and body == original
    assert headers["Cache-Control"] == "public, max-age=3600"

    hashed = sorted(p.name for p in proxied.static_root.glob("style.*.css"))[0]
    status, headers, body = fetch(
        f"{proxied.url}/static/{hashed}", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert gzip.decompress(body).startswith(original[:100])
    assert proxied.gunicorn.worker_pids("GET", "/static/style.css") == set()
    assert proxied.gunicorn.worker_pids("GET", f"/static/{hashed}") == set()


@needs_nginx
def test_pages_and_a_log_in_round_trip_work_through_nginx(proxied):
    reader = Visitor(proxied.url)
    front = reader.get("/")
    assert front.status == 200 and "zlacker" in front.text
    reader.get("/signup")
    signed_up = reader.post("/signup", {"username": "carol", "password": "a long unusual phrase"})
    assert signed_up.status == 302, signed_up.text
    reader.get("/")
    assert reader.post("/logout", {}).status == 302

    reader.get("/login")
    logged_in = reader.post("/login", {"username": "carol", "password": "a long unusual phrase"})
    assert logged_in.status == 302, logged_in.text
    assert 'href="/user?id=carol">carol</a>' in reader.get("/").text
    assert proxied.gunicorn.worker_pids("POST", "/login") != set()


# A form, and a file in a form: Django would read the file into a temporary file.
FILE_PART = (
    b'--x\r\nContent-Disposition: form-data; name="text"; filename="big.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
)


@pytest.mark.parametrize(
    ("content_type", "body_start"),
    [
        ("application/x-www-form-urlencoded", b"text="),
        ("multipart/form-data; boundary=x", FILE_PART),
    ],
    ids=["form", "file"],
)
def test_a_huge_body_straight_to_gunicorn_is_refused_unread(gunicorn, content_type, body_start):
    server = gunicorn(workers=1)
    port = int(server.url.rsplit(":", 1)[1])
    status, seconds, sent = post_huge_body(
        port, "/reply", content_type=content_type, body_start=body_start
    )
    assert status in (400, 413) and seconds < 5 and sent < TWENTY_MB
