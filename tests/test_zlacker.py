"""Tests of the zlacker text format: names, glyphs, and discussion pages parsed and rendered."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.documents import discussion_text
from threads.text.zlacker import (
    GLYPH_LEVELS,
    GLYPHS,
    OP_REF,
    Discussion,
    DiscussionPost,
    ZlackerError,
    decode_ref,
    encode_ref,
    glyphs,
    paragraphs,
    parse_discussion,
    post_name,
    short_name,
    split_name,
)

SEED = Path(__file__).resolve().parent.parent / "fixtures/source/000_a66917e11199a140.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")
WHEN = datetime(2024, 2, 29, 23, 59, 58, tzinfo=UTC)


# Helpers that build documents


def chain(texts: list[str], authors: list[str] | None = None, op: str = "opener") -> Discussion:
    """A discussion page whose post k, of depth k, has the k-th text and answers post k - 1."""
    authors = authors or [f"user{k}"[:6] for k in range(1, len(texts) + 1)]
    posts, parent = [], (op, 0)
    for number, (author, text) in enumerate(zip(authors, texts, strict=True), 1):
        ref = 100 + 7 * number  # any distinct non-zero numbers will do
        posts.append(DiscussionPost(number, number, author, ref, WHEN, *parent, text))
        parent = (author, ref)
    return Discussion(site="zlacker", title="A title", posts=tuple(posts))


def assert_round_trip(doc: Discussion) -> str:
    text = discussion_text(doc)
    assert parse_discussion(text) == doc
    assert discussion_text(parse_discussion(text)) == text
    return text


def seed_lines() -> list[str]:
    return SEED_TEXT.split("\n")


def replaced(number: int, line: str) -> str:
    lines = seed_lines()
    lines[number - 1] = line
    return "\n".join(lines)


def deleted(number: int) -> str:
    lines = seed_lines()
    del lines[number - 1]
    return "\n".join(lines)


def inserted(number: int, line: str) -> str:
    """The seed with `line` inserted so that it becomes line `number`."""
    lines = seed_lines()
    lines.insert(number - 1, line)
    return "\n".join(lines)


def assert_error(text: str, line: int, *words: str) -> None:
    with pytest.raises(ZlackerError) as caught:
        parse_discussion(text)
    error = caught.value
    assert error.line == line, str(error)
    assert str(error) == f"line {line}: {error.message}"
    for word in words:
        assert word in error.message


# Names


@pytest.mark.parametrize(("ref", "number"), [("12", 125), ("D3", 225), ("9j1", 5031)])
def test_base62_examples_from_the_design(ref, number):
    assert encode_ref(number) == ref
    assert decode_ref(ref) == number


def test_base62_digits_are_least_significant_first():
    assert [encode_ref(n) for n in (1, 9, 10, 35, 36, 61, 62, 63)] == [
        "1", "9", "a", "z", "A", "Z", "01", "11",
    ]  # fmt: skip


def test_opening_post_is_op():
    assert encode_ref(0) == OP_REF == "(OP)"
    assert decode_ref("(OP)") == 0


def test_encode_decode_round_trip_sample():
    for number in range(0, 100_001, 7):
        assert decode_ref(encode_ref(number)) == number


@given(st.integers(min_value=0, max_value=2**80))
def test_encode_decode_round_trip(number):
    assert decode_ref(encode_ref(number)) == number


@given(st.text(alphabet="0123456789abcXYZ", min_size=1, max_size=6))
def test_decode_accepts_only_canonical_refs(text):
    if text.endswith("0"):
        with pytest.raises(ValueError):
            decode_ref(text)
    else:
        assert encode_ref(decode_ref(text)) == text


@pytest.mark.parametrize("text", ["", "0", "10", "1-", "+1", "1 ", "(op)", "(OP", "é", "١"])
def test_decode_rejects_invalid_refs(text):
    with pytest.raises(ValueError):
        decode_ref(text)


def test_encode_rejects_negative_numbers():
    with pytest.raises(ValueError):
        encode_ref(-1)


def test_post_names():
    assert short_name("dr_dsh_long") == "dr_dsh"
    assert short_name("ab") == "ab"
    assert post_name("dr_dshxyz", 125) == "dr_dsh+12"
    assert post_name("zacwes", 0) == "zacwes+(OP)"
    assert split_name("dr_dsh+12") == ("dr_dsh", 125)
    assert split_name("zacwes+(OP)") == ("zacwes", 0)
    assert split_name("a-b_9+9j1") == ("a-b_9", 5031)


@pytest.mark.parametrize(
    "name", ["", "dr_dsh", "+12", "dr_dsh+", "dr_dsh+10", "toolong+12", "a b+12", "a+b+12", "é+1"]
)
def test_split_name_rejects_malformed_names(name):
    with pytest.raises(ValueError):
        split_name(name)


# Glyphs


def test_glyph_table_matches_the_design():
    assert len(GLYPHS) == 37
    assert GLYPHS[0] == "◧" and GLYPHS[-1] == "■"


def test_glyphs():
    assert glyphs(0) == glyphs(1) == ""
    assert glyphs(2) == "◧◩"
    assert glyphs(5) == "◧◩◪◨⬒"
    assert glyphs(37) == GLYPHS
    assert glyphs(38) == GLYPHS + "◧"
    assert glyphs(80) == GLYPHS * 2 + "◧◩◪◨⬒⬓"
    assert all(len(glyphs(depth)) == depth for depth in range(2, 120))


def test_past_the_levels_drawn_glyph_by_glyph_a_mark_tells_the_depth():
    assert GLYPH_LEVELS == 120
    assert glyphs(GLYPH_LEVELS) == GLYPHS * 3 + GLYPHS[:9]
    assert glyphs(GLYPH_LEVELS + 1) == GLYPHS + "…⟨depth 121⟩"
    assert glyphs(10_000) == GLYPHS + "…⟨depth 10000⟩"
    assert max(len(glyphs(depth)) for depth in range(1, 20_000)) == GLYPH_LEVELS


def test_depth_one_has_its_glyph_only_where_a_page_asks():
    assert glyphs(1) == "" and glyphs(1, top=True) == "◧"
    assert glyphs(0, top=True) == ""
    assert glyphs(3, top=True) == glyphs(3) == "◧◩◪"


def test_a_discussion_deeper_than_the_glyphs_round_trips_with_its_marks():
    text = assert_round_trip(chain([f"Reply {k}." for k in range(1, 126)]))
    assert f"\n{GLYPHS}…⟨depth 125⟩\n125. " in text


def full_glyph_line(depth: int) -> str:
    """The glyph line zlacker itself draws at any depth: every level's glyph, round after round."""
    return "".join(GLYPHS[i % len(GLYPHS)] for i in range(depth))


def zlackers_own(text: str, deep_enough=lambda depth: True) -> str:
    """A page as zlacker draws it: past GLYPH_LEVELS the full line where the forum's mark is."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        mark = line.removeprefix(GLYPHS)
        if mark.startswith("…⟨depth ") and deep_enough(depth := int(mark[8:-1])):
            lines[index] = full_glyph_line(depth)
    return "\n".join(lines)


def test_zlackers_own_glyph_lines_past_the_levels_parse_and_export_as_the_forums_marks():
    doc = chain([f"Reply {k}." for k in range(1, 126)])
    text = discussion_text(doc)
    full = zlackers_own(text)
    assert full != text and f"\n{full_glyph_line(125)}\n125. " in full
    assert parse_discussion(full) == doc
    assert discussion_text(parse_discussion(full)) == text


@settings(max_examples=15, deadline=None)
@given(st.integers(GLYPH_LEVELS + 1, GLYPH_LEVELS + 45), st.data())
def test_deep_pages_in_either_form_round_trip_to_the_forums_form(depth, data):
    doc = chain([f"Reply {k}." for k in range(1, depth + 1)])
    text = discussion_text(doc)
    full = set(data.draw(st.lists(st.integers(GLYPH_LEVELS + 1, depth), max_size=depth)))
    mixed = zlackers_own(text, lambda level: level in full)
    assert parse_discussion(mixed) == doc
    assert discussion_text(parse_discussion(mixed)) == text


@pytest.mark.parametrize("wrong", [-1, 1])
def test_a_full_glyph_line_of_the_wrong_length_past_the_levels_is_refused(wrong):
    lines = zlackers_own(discussion_text(chain([f"Reply {k}." for k in range(1, 123)])))
    lines = lines.split("\n")
    index = lines.index(full_glyph_line(122))
    lines[index] = full_glyph_line(122 + wrong)
    assert_error("\n".join(lines), index + 1, "post 122 has depth 122")


# Paragraphs


def test_paragraphs_split_on_blank_lines():
    assert paragraphs("one") == ["one"]
    assert paragraphs("one\ntwo") == ["one\ntwo"]
    assert paragraphs("one\n\ntwo") == ["one", "two"]
    assert paragraphs("\n\none\n  \n\t\n  code\n  more\n\n") == ["one", "  code\n  more"]
    assert paragraphs("") == paragraphs(" \n ") == []


# The seed document


def test_seed_parses():
    doc = parse_discussion(SEED_TEXT)
    assert doc.site == "zlacker"
    assert doc.title == "We’ve filed a lawsuit challenging Stable Diffusion"
    assert doc.op_author == "zacwes"
    assert [post.name for post in doc.posts] == [
        "dr_dsh+12", "akjetm+D3", "Salgat+R3", "AlotOf+D7", "derang+9j1",
    ]  # fmt: skip
    assert [post.number for post in doc.posts] == [1, 2, 3, 4, 5]
    assert [post.depth for post in doc.posts] == [1, 2, 3, 4, 5]
    assert [post.ref for post in doc.posts] == [125, 225, 239, 473, 5031]
    assert [post.parent_name for post in doc.posts] == [
        "zacwes+(OP)", "dr_dsh+12", "akjetm+D3", "Salgat+R3", "AlotOf+D7",
    ]  # fmt: skip
    assert doc.posts[0].parent_ref == 0
    assert doc.posts[0].created == datetime(2023, 1, 14, 7, 17, 25, tzinfo=UTC)
    assert doc.posts[4].created == datetime(2023, 1, 14, 19, 1, 10, tzinfo=UTC)
    assert all(post.created.utcoffset().total_seconds() == 0 for post in doc.posts)


def test_seed_texts():
    posts = parse_discussion(SEED_TEXT).posts
    assert [len(paragraphs(post.text)) for post in posts] == [5, 1, 1, 1, 5]
    assert posts[0].text.startswith("“Stable Diffusion contains")
    assert posts[0].text.endswith("But, do they exist in SD as copies? Idk")
    assert posts[1].text.startswith("I don't think you have to reproduce")
    assert posts[4].text.endswith("things already precedent.")
    assert "\n\n\n" not in posts[4].text


def test_seed_renders_byte_for_byte():
    assert discussion_text(parse_discussion(SEED_TEXT)) == SEED_TEXT
    assert discussion_text(parse_discussion(SEED_TEXT)).encode() == SEED.read_bytes()


def test_one_trailing_newline_is_accepted_but_never_rendered():
    assert discussion_text(parse_discussion(SEED_TEXT + "\n")) == SEED_TEXT


# Documents written here


def test_deep_chains_wrap_the_glyphs():
    for depth in (12, 40):
        doc = chain([f"Reply at depth {k}." for k in range(1, depth + 1)])
        lines = assert_round_trip(doc).split("\n")
        assert glyphs(depth) in lines
        assert "◧" not in lines[3]
    text = discussion_text(chain(["x"] * 40))
    assert f"\n{GLYPHS}◧\n38. " in text
    assert f"\n{GLYPHS}◧◩◪\n40. " in text


def test_mixed_paragraphs_unicode_and_code():
    texts = [
        "One paragraph only.",
        "First paragraph.\n\nSecond paragraph.\n\nThird *paragraph*.",
        "日本語のテキスト。\n\n中文段落 😀👍🏽 and emoji",
        "עברית משמאל? من اليمين إلى اليسار\n\nCombining: e\u0301 a\u0308 n\u0303",
        "Some code:\n\n  def f(x):\n      return x + 1\n\n  print(f(1))",
        "Quoting >>user1+(OP) and >>user2+3h inline\n>>not a parent line",
        "Just one line with trailing spaces   ",
        "A line\nand a continuation line\nin one paragraph",
        "  only code, one paragraph",
        "Glyphs in text: ◧◩◪ and ■",
    ]
    text = assert_round_trip(chain(texts))
    assert text.count("\n\n◧") == 4  # the multi-paragraph posts (2, 3, 4, 5) before a glyph line


def test_many_paragraphs():
    text = "\n\n".join(f"Paragraph {k}." for k in range(200))
    doc = chain([text, text])
    assert_round_trip(doc)
    assert len(paragraphs(parse_discussion(discussion_text(doc)).posts[1].text)) == 200


def test_single_and_multi_paragraph_layout():
    doc = Discussion(
        site="zlacker",
        title='A "quoted" title',
        posts=(
            DiscussionPost(1, 1, "alice", 1, WHEN, "op", 0, "Hello.\n\nWorld."),
            DiscussionPost(2, 2, "bob", 62, WHEN, "alice", 1, "Short."),
        ),
    )
    assert assert_round_trip(doc) == (
        "zlacker\n"
        "\n"
        '[return to "A "quoted" title"]\n'
        "1. alice+1[view] [source] 2024-02-29 23:59:58\n"
        ">>op+(OP)\n"
        "Hello.\n"
        "\n"
        "World.\n"
        "\n"
        "◧◩\n"
        "2. bob+01[view] [source] 2024-02-29 23:59:58\n"
        ">>alice+1\n"
        "Short.\n"
        "[go to top]"
    )


def test_text_that_looks_like_structure_round_trips():
    texts = [
        "[go to top]\n\n◧◩",
        '◧◩◪\n[return to "x"]\n>>user1+9',
        "ends like the page\n[go to top]",
    ]
    assert_round_trip(chain(texts))
    assert_round_trip(chain(["[go to top]"]))


def test_body_line_that_looks_like_a_header_is_rejected():
    doc = chain(["fine", "2. user2+1[view] [source] 2023-01-01 00:00:00 quoted"])
    with pytest.raises(ZlackerError):
        parse_discussion(discussion_text(doc))


def test_times_are_written_in_utc():
    here = datetime(2024, 1, 1, 1, 30, 0, tzinfo=timezone(timedelta(hours=2)))
    post = DiscussionPost(1, 1, "alice", 1, here, "op", 0, "hi")
    text = discussion_text(Discussion("zlacker", "t", (post,)))
    assert "2023-12-31 23:30:00" in text
    assert parse_discussion(text).posts[0].created == here


# Property tests

_line = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\r\n\0"), min_size=1
).filter(lambda line: line.strip() and "[view] [source]" not in line)
_paragraph = st.lists(_line, min_size=1, max_size=3).map("\n".join)
_text = st.lists(_paragraph, min_size=1, max_size=4).map("\n\n".join)
_user = st.from_regex(r"[A-Za-z0-9_-]{1,6}", fullmatch=True)
_time = st.datetimes(
    min_value=datetime(1, 1, 1),
    max_value=datetime(9999, 12, 31, 23, 59, 59),
    timezones=st.just(UTC),
).map(lambda moment: moment.replace(microsecond=0))


@st.composite
def discussions(draw) -> Discussion:
    size = draw(st.integers(min_value=1, max_value=8))
    refs = draw(st.lists(st.integers(1, 10**15), min_size=size, max_size=size, unique=True))
    posts, parent = [], (draw(_user), 0)
    for number, ref in enumerate(refs, 1):
        author = draw(_user)
        posts.append(DiscussionPost(number, number, author, ref, draw(_time), *parent, draw(_text)))
        parent = (author, ref)
    return Discussion(site=draw(_line), title=draw(_line), posts=tuple(posts))


@given(discussions())
def test_render_then_parse_round_trips(doc):
    assert_round_trip(doc)


@given(discussions(), st.data())
def test_damaged_pages_are_rejected_or_round_trip(doc, data):
    lines = discussion_text(doc).split("\n")
    index = data.draw(st.integers(0, len(lines) - 1))
    damage = data.draw(st.sampled_from(["delete", "blank", "duplicate", "glyph"]))
    if damage == "delete":
        del lines[index]
    elif damage == "blank":
        lines.insert(index, "")
    elif damage == "duplicate":
        lines.insert(index, lines[index])
    else:
        lines[index] += "◧"
    text = "\n".join(lines)
    try:
        parsed = parse_discussion(text)
    except ZlackerError as error:
        assert 1 <= error.line <= len(lines) + 1
    else:
        assert discussion_text(parsed) == text.removesuffix("\n")


@given(st.text(max_size=300))
def test_parse_raises_only_zlacker_errors(text):
    try:
        parsed = parse_discussion(text)
    except ZlackerError:
        return
    assert discussion_text(parsed) == text.removesuffix("\n")


# Malformed documents: each names the line of the problem

TWO_LINE_PAGE = (
    'zlacker\n\n[return to "t"]\n1. ab+1[view] [source] 2023-01-01 00:00:00\n>>op+(OP)\n'
)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("", 1, ["empty"]),
        ("\n", 1, ["site"]),
        (SEED_TEXT.replace("\n", "\r\n"), 1, ["CRLF"]),
        (replaced(8, "a lone \r here"), 8, ["CRLF"]),
        (replaced(19, "a NUL \0 here"), 19, ["NUL"]),
        (replaced(1, "   "), 1, ["site"]),
        (replaced(2, "not blank"), 2, ["blank"]),
        ("zlacker", 2, ["blank"]),
        ("zlacker\n\n", 3, ["return"]),
        (deleted(3), 3, ["return"]),
        (replaced(3, "[return to We’ve]"), 3, ["return"]),
        (replaced(3, '[return to ""]'), 3, ["return"]),
        ('zlacker\n\n[return to "t"]\n[go to top]', 4, ["no posts"]),
        ('zlacker\n\n[return to "t"]', 3, ["[go to top]"]),
        (deleted(41), 39, ["[go to top]"]),  # line 40 was empty: the lenient final newline
        (replaced(41, "[go to top] "), 41, ["[go to top]"]),
        (SEED_TEXT + "\nmore", 42, ["after [go to top]"]),
        (SEED_TEXT + "\n\n", 42, ["after [go to top]"]),
        (replaced(4, "1 dr_dsh+12[view] [source] 2023-01-14 07:17:25"), 4, ["post header"]),
        (inserted(4, "◧"), 4, ["post header"]),
        (replaced(4, "1. dr_dsh+12[view] [source]  2023-01-14 07:17:25"), 4, ["time"]),
        (replaced(17, "3. akjetm+D3[view] [source] 2023-01-14 07:36:22"), 17, ["number 2"]),
        (replaced(17, "02. akjetm+D3[view] [source] 2023-01-14 07:36:22"), 17, ["header"]),
        (replaced(17, "2. akjetm+D3[view] [source] 2023-02-30 07:36:22"), 17, ["time"]),
        (replaced(17, "2. akjetm+D3[view] [source] 2023-1-14 7:36:22"), 17, ["time"]),
        (replaced(17, "2. akjetm+D3[view] [source] 2023-01-14 24:00:00"), 17, ["time"]),
        (replaced(17, "2. akjetmx+D3[view] [source] 2023-01-14 07:36:22"), 17, ["name"]),
        (replaced(17, "2. akjetm+D30[view] [source] 2023-01-14 07:36:22"), 17, ["name"]),
        (replaced(17, "2. akjetm+(OP)[view] [source] 2023-01-14 07:36:22"), 17, ["opening"]),
        (replaced(21, "3. Salgat+12[view] [source] 2023-01-14 07:41:38"), 21, ["post 1"]),
        (replaced(5, ">>zacwes+12"), 5, ["opening post"]),
        (replaced(5, "zacwes+(OP)"), 5, [">>PARENT"]),
        (replaced(5, ">>zac wes+(OP)"), 5, ["name"]),
        (replaced(22, ">>akjetm+D4"), 22, ["akjetm+D3"]),
        (replaced(22, ">>dr_dsh+12"), 22, ["akjetm+D3"]),
        (deleted(18), 18, [">>PARENT"]),
        (replaced(20, "◧◩"), 20, ["◧◩◪"]),
        (replaced(20, "◧◩◪◨"), 20, ["◧◩◪"]),
        (deleted(20), 20, ["◧◩◪"]),
        (deleted(16), 16, ["◧◩"]),
        (deleted(19), 19, ["no text"]),
        (TWO_LINE_PAGE + "[go to top]", 6, ["no text"]),
        (TWO_LINE_PAGE + "\n[go to top]", 6, ["no text"]),
        (deleted(15), 15, ["blank line must follow"]),
        (deleted(40), 40, ["blank line must follow"]),
        (inserted(20, ""), 20, ["no blank line"]),
        (inserted(19, ""), 19, ["starts with a blank line"]),
        (inserted(6, "  "), 6, ["starts with a blank line"]),
        (inserted(15, ""), 15, ["ends with a blank line"]),
        (inserted(15, " "), 15, ["ends with a blank line"]),
        (replaced(8, "7. someone+1[view] [source] 2023-01-14 07:17:25"), 8, ["number 2"]),
        (replaced(8, "2. someone+1[view] [source] 2023-01-14 07:17:25"), 8, ["glyph"]),
    ],
)
def test_malformed_pages_name_the_line(text, line, words):
    assert_error(text, line, *words)


def test_error_is_a_value_error_with_line_and_message():
    error = ZlackerError(7, "something is wrong")
    assert isinstance(error, ValueError)
    assert (error.line, error.message) == (7, "something is wrong")
    assert str(error) == "line 7: something is wrong"
