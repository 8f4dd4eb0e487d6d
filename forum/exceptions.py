"""The forum's own refusal: a request it understood and will not carry out, with its status."""


class ForumError(Exception):
    """A write or a read the forum refuses; the message is shown to the user as it is.

    `status` is the HTTP status that says what happened: 400 bad input, 403 not allowed,
    404 no such post, 409 already done, 410 deleted by its author, 429 too many.
    """

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.status = status
