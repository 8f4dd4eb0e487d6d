"""Readable error pages for the whole site."""

from django.shortcuts import render


def _page(request, status: int, title: str, message: str):
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _page(request, 400, "Bad request", "The request could not be understood.")


def forbidden(request, exception=None):
    return _page(request, 403, "Forbidden", "You are not allowed to do that.")


def not_found(request, exception=None):
    return _page(request, 404, "Not found", "There is nothing at this address.")


def server_error(request):
    return _page(request, 500, "Something went wrong", "Please try again in a moment.")


def csrf_failure(request, reason=""):
    return _page(
        request,
        403,
        "Form expired",
        "This form was too old or came from another site, so nothing was saved. "
        "Go back, reload the page and try again.",
    )
