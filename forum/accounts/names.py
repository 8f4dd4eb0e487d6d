"""What a name is: its normal form, its lookalike skeleton, and the rule every new name obeys."""

import unicodedata

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

# Post names are NAME+REF and >>NAME+REF links find them in text: a name holds nothing else.
NAME_PATTERN = RegexValidator(
    r"\A[A-Za-z0-9_-]{2,15}\Z",
    "A name is 2 to 15 characters: letters, digits, _ and -.",
)
NAME_HELP = "2 to 15 characters: letters, digits, _ and -."

# Letters that pass for others at a glance; the pairs are replaced before the single letters,
# so that "rn" reads as "m" before any of its letters changes.
_LOOKALIKE_PAIRS = (("rn", "m"), ("vv", "w"))
_LOOKALIKE_LETTERS = str.maketrans(
    {
        "1": "l",
        "i": "l",
        "|": "l",
        "ı": "l",
        "0": "o",
        # Digits written for the letters they resemble (dr_dsh's d3rang), and - for _.
        "2": "z",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "-": "_",
        # Cyrillic and Greek letters drawn like Latin ones (NFKC leaves them as they are).
        "а": "a",
        "с": "c",
        "ԁ": "d",
        "е": "e",
        "һ": "h",
        "і": "l",
        "ј": "j",
        "о": "o",
        "р": "p",
        "ѕ": "s",
        "х": "x",
        "у": "y",
        "α": "a",
        "ι": "l",
        "ο": "o",
        "ν": "v",
    }
)


def normalised(name: str) -> str:
    """The name as compatibility characters and letter case cannot change it (NFKC, casefold)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())


def skeleton(name: str) -> str:
    """What the name looks like: two names with one skeleton are easily taken for each other."""
    shape = "".join(normalised(name).split())
    for pair, letter in _LOOKALIKE_PAIRS:
        shape = shape.replace(pair, letter)
    return shape.translate(_LOOKALIKE_LETTERS)


# A post's name shows its author's first 6 characters (threads.text.zlacker.SHORT_NAME_LENGTH).
SHORT_NAME_LENGTH = 6


def short_skeleton(name: str) -> str:
    """What the part of the name a post's name shows looks like (its first 6 characters)."""
    return skeleton(name[:SHORT_NAME_LENGTH])


# The author an import gives items whose author is gone (HN's deleted items): no member may
# have it, or a look-alike of it, so that no member stands in for deleted authors and no
# member's name makes a file with a deleted item fail.
DELETED_AUTHOR = "deleted"
RESERVED = {DELETED_AUTHOR: "the authors of deleted items in imported files"}


def validate_new_name(name: str) -> None:
    """The rule for every new name, wherever it is chosen (sign-up, the admin, createsuperuser):
    the pattern, and not confusable with any other account's name.

    A name that an account already has passes, so that the account itself can still be saved;
    the places that create accounts refuse an exact duplicate on their own.
    """
    NAME_PATTERN(name)
    # The user model names this validator on its username field, so the model is found through
    # the app registry when a name is checked, never imported: names.py stands below models.py.
    users = get_user_model().objects
    if users.filter(username=name).exists():
        return
    if message := taken_refusal(users, name):
        raise ValidationError(message, code="confusable")


def taken_refusal(users, name: str) -> str | None:
    """Why `name` cannot be a new account's among `users` (a User queryset), or None: another
    account's name looks like it, or begins as it does (posts show 6 characters: pgtest+12),
    or it is, looks like or begins as a reserved name (RESERVED)."""
    if message := reserved_refusal(name):
        return message
    taken = users.filter(name_skeleton=skeleton(name)).values_list("username", flat=True).first()
    if taken is not None:
        return refusal(name, taken)
    shown = users.filter(short_skeleton=short_skeleton(name))
    taken = shown.values_list("username", flat=True).first()
    if taken is not None:
        return (
            f"The name {name} begins like {taken}, who is already here: posts show the first"
            f" {SHORT_NAME_LENGTH} characters of a name, so please choose one that begins"
            " differently."
        )
    return None


def refusal(name: str, taken: str) -> str:
    if taken.lower() == name.lower():
        return f"The name {name} is taken; please choose another."
    return (
        f"The name {name} looks too much like {taken}, who is already here; please choose another."
    )


def reserved_refusal(name: str) -> str | None:
    """Why `name` cannot be a member's because a reserved name is, looks like or begins as it."""
    for reserved, kept_for in RESERVED.items():
        if name.lower() == reserved:
            return f"The name {name} is kept for {kept_for}; please choose another."
        if skeleton(name) == skeleton(reserved):
            return (
                f"The name {name} looks too much like {reserved}, which is kept for {kept_for};"
                " please choose another."
            )
        if short_skeleton(name) == short_skeleton(reserved):
            return (
                f"The name {name} begins like {reserved}, which is kept for {kept_for}: posts"
                f" show the first {SHORT_NAME_LENGTH} characters of a name, so please choose one"
                " that begins differently."
            )
    return None
