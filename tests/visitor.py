"""A visitor over plain HTTP for tests against a real server: cookies, CSRF tokens, no redirects."""

import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict
    text: str

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One visitor: keeps cookies and the CSRF token of the last form it was shown."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect
        )
        self.csrf_token = ""

    def get(self, path: str) -> Response:
        return self._send(urllib.request.Request(self.base_url + path))

    def post(self, path: str, data: dict) -> Response:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf_token, **data}).encode()
        return self._send(urllib.request.Request(self.base_url + path, data=body))

    def _send(self, request) -> Response:
        try:
            with self.opener.open(request, timeout=60) as reply:
                response = Response(reply.status, dict(reply.headers), reply.read().decode())
        except urllib.error.HTTPError as error:
            response = Response(error.code, dict(error.headers), error.read().decode())
        if match := CSRF_INPUT.search(response.text):
            self.csrf_token = match.group(1)
        return response
