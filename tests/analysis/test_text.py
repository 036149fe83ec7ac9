from dream_mosaic.analysis.text import split_sentences, tokenize


def test_tokens_carry_offsets_into_the_text() -> None:
    text = 'I didn\'t know. She said, "Run!" Then we ran.'
    tokens, sentences = tokenize(text)
    assert all(text[t.start : t.end] == t.text for t in tokens)
    assert "didn't" in [t.lower for t in tokens]
    assert len(sentences) == 3
    assert [t.sent for t in tokens if t.lower == "ran"] == [2]


def test_sentences_split_after_closing_quotes_and_brackets() -> None:
    text = 'He said "Stop." [BL] I woke up.'
    spans = [text[a:b] for a, b in split_sentences(text)]
    assert spans[0] == 'He said "Stop."'
    assert spans[-1] == "I woke up."


def test_a_title_s_full_stop_ends_no_sentence() -> None:
    text = "I saw Mr. Jones and Dr. Hall at St. Mary's. Then I woke up. I told Mrs. Smith."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "I saw Mr. Jones and Dr. Hall at St. Mary's.",
        "Then I woke up.",
        "I told Mrs. Smith.",
    ]
