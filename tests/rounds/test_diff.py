"""The word-level diff: exact reconstruction of both texts, readable markup without colour,
and escaping of whatever the texts contain."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deliberation.rounds.diff import diff_words, text_diff, tokenize

words = st.lists(
    st.one_of(
        st.sampled_from(["Kita", "Horte", "drei", "zwei", "<b>", "&", "Ziel.", "ß"]),
        st.text(alphabet="abc \n", min_size=1, max_size=4),
    ),
    max_size=20,
).map("".join)


@given(old=words, new=words)
def test_ops_rebuild_both_texts(old: str, new: str) -> None:
    ops = diff_words(old, new)
    assert "".join(op.text for op in ops if op.op != "insert") == old
    assert "".join(op.text for op in ops if op.op != "delete") == new
    assert all(op.text for op in ops)


@given(text=words)
def test_tokens_keep_every_character(text: str) -> None:
    assert "".join(tokenize(text)) == text


def test_unchanged_text_is_one_equal_run() -> None:
    diff = text_diff("Alle Kitas.", "Alle Kitas.")
    assert [(op.op, op.text) for op in diff.ops] == [("equal", "Alle Kitas.")]
    assert not diff.changed


def test_replaced_phrase_is_one_deletion_and_one_insertion() -> None:
    ops = diff_words("mindestens zwei Fachkräfte", "höchstens drei Personen")
    assert [(op.op, op.text) for op in ops] == [
        ("delete", "mindestens zwei Fachkräfte"),
        ("insert", "höchstens drei Personen"),
    ]


def test_html_marks_changes_for_eyes_and_screen_readers() -> None:
    diff = text_diff("Alle Kitas bieten an.", "Alle Kitas und Horte bieten an.")
    assert str(diff.html) == (
        "Alle Kitas "
        '<ins><span class="visually-hidden">[eingefügt: </span>und Horte '
        '<span class="visually-hidden">]</span></ins>'
        "bieten an."
    )
    assert (diff.words_inserted, diff.words_deleted) == (2, 0)


def test_html_escapes_the_texts() -> None:
    html = str(text_diff("a & b", "a & b <script>alert(1)</script>").html)
    assert "<script>" not in html
    assert html.startswith("a &amp; b")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_insertion_reads_from_its_first_word_wherever_the_matcher_aligned_it() -> None:
    for old, new in (("a c", "a b c"), ("Kitas bieten", "Kitas und Horte bieten")):
        inserted = [op.text for op in diff_words(old, new) if op.op == "insert"]
        assert len(inserted) == 1 and not inserted[0][0].isspace()


def test_paragraph_breaks_survive() -> None:
    diff = text_diff("Eins.\n\nZwei.", "Eins.\n\nZwei und drei.")
    assert "Eins.\n\nZwei" in str(diff.html)
    assert diff.as_dict()["ops"] == [
        {"op": "equal", "text": "Eins.\n\nZwei"},
        {"op": "insert", "text": " und drei"},
        {"op": "equal", "text": "."},
    ]
