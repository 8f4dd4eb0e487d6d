"""The forum as a new user meets it: gunicorn serving the seed conversation over HTTP."""

import gzip
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command

from tests.servers import gunicorn
from threads.models import Comment

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def fetch(url: str) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            status, headers = response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        body, status, headers = error.read(), error.code, dict(error.headers)
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return status, headers, body.decode()


def test_gunicorn_serves_the_seed_thread_and_its_assets():
    call_command("seed")
    op = Comment.objects.get(level=0)
    derang = Comment.objects.get(ref=5031)
    with gunicorn(workers=2) as base:
        status, _, html = fetch(f"{base}/item?id={op.pk}")
        assert status == 200
        for name in ["dr_dsh+12", "akjetm+D3", "Salgat+R3", "AlotOf+D7", "derang+9j1"]:
            assert f">{name}</a>" in html
        assert 'data-g="◧◩◪◨⬒"' in html  # the glyph line, drawn by style.css

        status, headers, text = fetch(f"{base}/discussion?id={derang.pk}&format=txt")
        assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8"
        assert text.startswith("zlacker\n\n[return to ") and text.endswith("[go to top]")

        for asset in ["/static/style.css", "/static/preview.js"]:
            status, _, body = fetch(f"{base}{asset}")
            assert status == 200 and body

        status, headers, html = fetch(f"{base}/item?id=abc")
        assert status == 400 and "Bad request" in html
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        status, _, html = fetch(f"{base}/item?id=424242")
        assert status == 404 and "no post with id 424242" in html
