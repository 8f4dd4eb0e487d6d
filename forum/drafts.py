"""What a writing form posted but could not save (the session ended, the form's token went
stale), kept in the session to be shown again in the same form once.

Drafts are bounded, as anyone may post them: each field to what its form accepts, a new session
made only to keep one to DRAFT_SESSIONS_PER_ADDRESS and to an hour of life."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from forum import limits

DRAFT_KEY = "writing_draft"
# What each form accepts, and a little more: a text too long is still kept, to shorten.
DRAFT_FIELD_LENGTHS = {"title": 200, "url": 2_000, "text": 10_100}
DRAFT_MAX_BYTES = 24_000  # in UTF-8, all fields together
DRAFT_SESSION_AGE = 60 * 60
DRAFT_SESSIONS_PER_ADDRESS = limits.Rate(5, 60 * 60, "drafts kept for your address")
NOT_KEPT = "What you wrote could not be kept (too many drafts from your address): copy it first."


def draft_keep(request, *, note: str) -> str:
    """Keeps what this POST to a writing form holds, for that form to show again once
    (draft_take), and says so with `note`; returns the form's address."""
    form_url = request.get_full_path()  # every writing form posts to its own address
    fields = _bounded(request.POST)
    if any(fields.values()):
        kept = _session_for_draft(request)
        if kept:
            request.session[DRAFT_KEY] = {"url": form_url, "fields": fields}
        messages.info(request, note if kept else NOT_KEPT)
    return form_url


def _bounded(posted) -> dict:
    """The form's fields, each cut to its length, the text then to the total's bytes."""
    fields = {
        name: posted[name][:most] for name, most in DRAFT_FIELD_LENGTHS.items() if name in posted
    }
    room = DRAFT_MAX_BYTES - sum(len(v.encode()) for n, v in fields.items() if n != "text")
    if "text" in fields:
        fields["text"] = fields["text"].encode()[:room].decode(errors="ignore")
    return fields


def _session_for_draft(request) -> bool:
    """Whether the draft may be kept: a session already there may keep it; a new one, made
    only for it, counts against the address and lives an hour."""
    request.session.get(DRAFT_KEY)  # loads the session: no key afterwards means none exists
    if request.session.session_key is not None:
        return True
    try:
        limits.hit(DRAFT_SESSIONS_PER_ADDRESS, f"drafts:{limits.client_address(request)}")
    except (limits.RateLimited, limits.LimitsUnavailable):
        return False
    request.session.set_expiry(DRAFT_SESSION_AGE)
    return True


def draft_take(request) -> dict:
    """The fields kept by draft_keep for the form at this URL, taken once."""
    draft = request.session.get(DRAFT_KEY)
    if not draft or draft["url"] != request.get_full_path():
        return {}
    del request.session[DRAFT_KEY]
    return draft["fields"]


@receiver(user_logged_in)
def _session_lives_as_any_other(sender, request, **kwargs):
    """The hour a session made for a draft had ends with the log-in it was kept for."""
    request.session.set_expiry(None)
