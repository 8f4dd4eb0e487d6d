"""Which order a thread page shows its posts in, and the reader's choice of it remembered."""

from django.conf import settings
from django.utils.cache import patch_vary_headers

from forum import replicas
from forum.accounts.models import User
from forum.accounts.services import user_thread_order_set
from forum.exceptions import ForumError

ORDERS = User.ThreadOrder.values  # "time": zlacker's, every post as written; "tree": best first
DEFAULT = User.ThreadOrder.TIME
COOKIE = "order"
COOKIE_AGE = 365 * 24 * 60 * 60


def asked(request) -> str | None:
    """The order the address names (order=time or order=tree), None if it names none."""
    order = request.GET.get("order")
    if order is None:
        return None
    if order not in ORDERS:
        raise ForumError(f"The order parameter must be time or tree, not {order[:40]!r}.")
    return order


def chosen(request) -> str:
    """The order to show: the address's, else the reader's remembered choice (their account's
    when logged in, their browser's cookie otherwise), else zlacker's."""
    if order := asked(request):
        return order
    if request.user.is_authenticated:
        return request.user.thread_order
    cookie = request.COOKIES.get(COOKIE)
    return cookie if cookie in ORDERS else DEFAULT


def other(order: str) -> str:
    return "tree" if order == "time" else "time"


def remembered(request, response):
    """The response, the order its address names kept as the reader's choice: in their account
    (a small write, only when the choice changes) and in their browser. A link is a choice, as
    the other order's link on the page is: a GET that writes, but only the reader's own
    preference, which no forged request can turn against them."""
    order = asked(request)
    if order is None:
        # The page shows the order its reader remembered: what a cache keeps of it is theirs.
        patch_vary_headers(response, ("Cookie",))
        return response
    user = request.user
    # Not while the forum is read-only: the browser's cookie keeps the choice meanwhile.
    if user.is_authenticated and user.thread_order != order and not replicas.read_only():
        user_thread_order_set(user=user, order=order)
    if request.COOKIES.get(COOKIE) != order:
        response.set_cookie(
            COOKIE,
            order,
            max_age=COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response
