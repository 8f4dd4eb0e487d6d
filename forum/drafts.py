"""What a writing form posted but could not save (the session ended, the form's token went
stale), kept in the session to be shown again in the same form once."""

from django.contrib import messages

DRAFT_KEY = "writing_draft"
DRAFT_FIELDS = ("title", "url", "text")
# Twice the longest text a post may have: a text too long is still kept, to shorten.
DRAFT_MAX_LENGTH = 20_000


def draft_keep(request, *, note: str) -> str:
    """Keeps what this POST to a writing form holds, for that form to show again once
    (draft_take), and says so with `note`; returns the form's address."""
    form_url = request.get_full_path()  # every writing form posts to its own address
    posted = {name: request.POST[name] for name in DRAFT_FIELDS if name in request.POST}
    # Bounded: a POST must not store whatever it likes in a session.
    fields = {name: value[:DRAFT_MAX_LENGTH] for name, value in posted.items()}
    if any(fields.values()):
        request.session[DRAFT_KEY] = {"url": form_url, "fields": fields}
        messages.info(request, note)
    return form_url


def draft_take(request) -> dict:
    """The fields kept by draft_keep for the form at this URL, taken once."""
    draft = request.session.get(DRAFT_KEY)
    if not draft or draft["url"] != request.get_full_path():
        return {}
    del request.session[DRAFT_KEY]
    return draft["fields"]
