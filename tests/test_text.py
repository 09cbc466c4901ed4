"""Text normalisation and the vectoriser."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.exceptions import ConfigError
from matcher.text import (
    TextVectorizer,
    _analyzer,
    normalize_series,
    normalize_text,
    strip_boilerplate,
)

DOCS = [
    "铝板带箔、铝型材的生产与销售",
    "耐火材料 耐火砖的生产",
    "",
    "速冻食品 速冻水饺 汤圆",
    "铝合金 铸件 铝板",
    "一般项目:铝型材销售。(除依法须经批准的项目外,凭营业执照依法自主开展经营活动)",
]


def test_traditional_and_fullwidth_normalise_to_the_same_text() -> None:
    assert normalize_text("鋁型材ＡＢＣ（１２）") == normalize_text("铝型材ABC(12)")
    assert normalize_text("  ") is None and normalize_text(None) is None
    series = normalize_series(["鋁板", None, "鋁板", "  ", "铝板"])
    assert series.tolist() == ["铝板", None, "铝板", None, "铝板"]


def test_boilerplate_is_removed() -> None:
    assert strip_boilerplate(normalize_text(DOCS[-1]) or "") == "铝型材销售"


def test_vectorizer_matches_scikit_learn_tfidf() -> None:
    prepared = [strip_boilerplate(normalize_text(d) or "") for d in DOCS]
    ours = TextVectorizer().fit_transform(DOCS)
    ref = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, dtype=np.float32)
    theirs = ref.fit_transform(prepared)
    names = ref.get_feature_names_out()
    vec = TextVectorizer().fit(DOCS)
    assert sorted(vec.vocabulary_.tolist()) == sorted(names.tolist())
    position = {t: i for i, t in enumerate(vec.vocabulary_.tolist())}
    reordered = ours[:, [position[t] for t in names]].toarray()
    np.testing.assert_allclose(reordered, theirs.toarray(), rtol=1e-5, atol=1e-6)
    # transform of unseen text uses the fitted vocabulary and IDF; unknown n-grams are dropped
    new = vec.transform(["铝板 钛合金", ""]).toarray()
    assert new[1].sum() == 0
    assert new[0, position["铝板"]] > 0
    assert np.linalg.norm(new[0]) == pytest.approx(1.0, rel=1e-5)


def test_chunking_does_not_change_the_result() -> None:
    a = TextVectorizer().fit_transform(DOCS * 3)
    b = TextVectorizer(chunk_size=2).fit_transform(DOCS * 3)
    assert (a != b).nnz == 0


def test_weighted_documents_fit_as_the_repeated_list() -> None:
    # a text given once with weight 3 is fitted as if it came three times; weight 0 leaves
    # it out, and a weight that is no count of documents is refused
    times = [3, 1, 2, 0, 5, 1]
    repeated = [d for d, t in zip(DOCS, times, strict=True) for _ in range(t)]
    for kwargs in ({}, {"max_features": 7}, {"min_df": 2}, {"chunk_size": 2}):
        plain = TextVectorizer(**kwargs).fit(repeated)
        weighted = TextVectorizer(**kwargs).fit(DOCS, sample_weight=times)
        assert weighted.vocabulary_.tolist() == plain.vocabulary_.tolist(), kwargs
        np.testing.assert_array_equal(
            weighted.idf_.view(np.uint32), plain.idf_.view(np.uint32), err_msg=str(kwargs)
        )
    assert "速冻" not in TextVectorizer().fit(DOCS, sample_weight=times).vocabulary_.tolist()
    with pytest.raises(ConfigError, match="一一对应"):
        TextVectorizer().fit(DOCS, sample_weight=[1, 2])
    with pytest.raises(ConfigError, match="负数"):
        TextVectorizer().fit(DOCS, sample_weight=[1, 1, 1, -1, 1, 1])
    with pytest.raises(ConfigError, match="整数"):
        TextVectorizer().fit(DOCS, sample_weight=[1, 1, 1, 0.5, 1, 1])


def test_max_features_and_min_df() -> None:
    vec = TextVectorizer(max_features=5)
    X = vec.fit_transform(DOCS)
    assert X.shape[1] == 5 and len(vec.vocabulary_) == 5
    assert "铝" in vec.vocabulary_.tolist()  # the most frequent n-grams are kept
    assert (
        TextVectorizer(min_df=2).fit(DOCS).vocabulary_.size
        < TextVectorizer().fit(DOCS).vocabulary_.size
    )


def test_empty_corpus() -> None:
    X = TextVectorizer().fit_transform(["", None])
    assert X.shape[0] == 2 and X.nnz == 0


def test_shared_phrases_prefer_specific_words() -> None:
    vec = TextVectorizer().fit(DOCS)
    phrases = vec.shared_phrases("铝板带箔的生产与销售", "重点发展铝板带箔和铝型材的生产")
    assert phrases[0] == "铝板带箔"
    assert vec.shared_phrases(None, "x") == []


SHARED_CASES = [
    # (enterprise text, park text): registry-style 经营范围 and positionings
    (
        "一般项目：有色金属铸造；有色金属压延加工；金属制品销售。（除依法须经批准的项目外，"
        "凭营业执照依法自主开展经营活动）",
        "重点发展黑色金属铸造、有色金属压延加工、铝合金压铸件",
    ),
    ("有色金属铸造；铝合金压铸件制造", "聚焦有色金属铸造和铝板带箔深加工"),
    ("汽车零部件及配件制造；电池铝箔生产", "新能源汽车零部件、电池铝箔、铝型材"),
    ("耐火材料生产；镁炭砖销售；耐火砖制造", "耐火材料及其制品、镁炭砖"),
    ("印制电路板制造；PCB设计；电子元器件销售", "PCB、印制电路板、半导体封装测试"),
    ("速冻食品生产；速冻水饺、汤圆加工", "食品加工，重点发展速冻食品和调味品"),
]


@pytest.mark.parametrize(("ent", "park"), SHARED_CASES)
def test_shared_phrases_are_whole_terms_of_both_texts(ent: str, park: str) -> None:
    from matcher.text import get_lexicon

    vec = TextVectorizer().fit([e for e, _ in SHARED_CASES] + [p for _, p in SHARED_CASES])
    lexicon = get_lexicon()
    phrases = vec.shared_phrases(normalize_text(ent), normalize_text(park), k=6)
    assert phrases, "each case shares at least one term"
    ent_text, park_text = normalize_text(ent) or "", normalize_text(park) or ""
    for phrase in phrases:
        assert phrase in ent_text and phrase in park_text
        assert phrase in lexicon, f"{phrase} is not a term a reader recognises"
        assert not any(phrase != other and phrase in other for other in phrases)


def test_shared_phrases_never_show_a_slice_of_a_longer_term() -> None:
    from matcher.text import get_lexicon

    vec = TextVectorizer().fit([e for e, _ in SHARED_CASES])
    phrases = vec.shared_phrases("有色金属铸造", "聚焦有色金属铸造和铝板带箔深加工")
    assert phrases == ["有色金属铸造"]  # neither 色金属铸造 nor 有色金属 beside it
    # 黑色金属铸造 holds the characters 色金属铸造 of 有色金属铸造, which is no term of either text
    black = vec.shared_phrases("有色金属铸造", "重点发展黑色金属铸造")
    assert black and "色金属铸造" not in black
    assert all(p in get_lexicon() for p in black)
    both = vec.shared_phrases("有色金属铸造", "黑色金属铸造、有色金属")
    assert sorted(both) == ["有色金属", "铸造"]


def test_shared_phrases_drop_whole_terms_to_keep_within_k() -> None:
    vec = TextVectorizer().fit([e for e, _ in SHARED_CASES])
    ent, park = SHARED_CASES[2]
    every = vec.shared_phrases(ent, park, k=10)
    assert len(every) >= 2
    assert vec.shared_phrases(ent, park, k=1) == every[:1]


def test_spaceless_removes_what_a_whitespace_pattern_removes() -> None:
    """The scope reader drops whitespace with ``str.split`` instead of ``re.sub(r"\\s+", "")``:
    the same characters go (every whitespace code point, full-width and control ones included)
    and nothing else does."""
    import re
    import sys

    from matcher.text._scope import _spaceless

    spaces = [chr(i) for i in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(i))]
    assert "\u3000" in spaces and "\x1c" in spaces and "\u200b" not in spaces
    rng = np.random.default_rng(3)
    alphabet = [*spaces, "铝", "型", "材", "、", "a", "\u200b", "\ufeff", "（", ")"]
    for _ in range(500):
        text = "".join(rng.choice(alphabet, size=int(rng.integers(0, 12))))
        assert _spaceless(text) == re.sub(r"\s+", "", text)
