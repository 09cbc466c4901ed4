"""Tests of matcher.taxonomy (GB/T 4754-2017)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matcher.reference.taxonomy import (
    LEVEL_SIMILARITY,
    Taxonomy,
    ancestors,
    children,
    clean_code,
    code_level,
    code_name,
    get_taxonomy,
    is_valid_code,
    parent,
    section_of,
    split_codes,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3252", "3252"),
        ("C3252", "3252"),
        ("c 3252", "3252"),
        ("３２５２", "3252"),
        ("Ｃ３２５２", "3252"),
        (" C32.52 ", "3252"),
        ("C-3252", "3252"),
        ("32", "32"),
        ("C32", "32"),
        ("325", "325"),
        ("C_325", "325"),
        ("C", "C"),
        ("c", "C"),
        ("0190", "0190"),
        ("A0190", "0190"),
        ("019", "019"),
        ("9233", "9233"),  # added by the 2019 amendment
        ("3741", "3741"),
        (3252, "3252"),
        (3252.0, "3252"),
        (np.int64(3252), "3252"),
    ],
)
def test_clean_code_accepts(raw: object, expected: str) -> None:
    assert clean_code(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", float("nan"), np.nan])
def test_clean_code_missing(raw: object) -> None:
    assert clean_code(raw) is None


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("A3252", "门类字母 A"),  # letter contradicts the digits
        ("B32", "门类字母 B"),
        ("3", "格式不正确"),
        ("32521", "格式不正确"),
        ("3250", "不存在"),
        ("99", "不存在"),
        ("U", "不存在"),
        ("CC32", "格式不正确"),
        ("32C", "格式不正确"),
        ("铝加工", "格式不正确"),
        ("C32#", "格式不正确"),
        (3252.5, "格式不正确"),
        (True, "格式不正确"),
    ],
)
def test_clean_code_rejects(raw: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment) as info:
        clean_code(raw)
    assert repr(raw) in str(info.value)  # the message names the value


def test_is_valid_code() -> None:
    assert is_valid_code("C3252")
    assert is_valid_code("C")
    assert not is_valid_code("A3252")
    assert not is_valid_code("3250")
    assert not is_valid_code(None)
    assert not is_valid_code("")


def test_hierarchy_functions() -> None:
    assert code_level("C") == 1
    assert code_level("32") == 2
    assert code_level("C325") == 3
    assert code_level("3252") == 4
    assert code_name("3252") == "铝压延加工"
    assert code_name("C") == "制造业"
    assert parent("3252") == "325"
    assert parent("325") == "32"
    assert parent("32") == "C"
    assert parent("C") is None
    assert ancestors("C3252") == ("C", "32", "325", "3252")
    assert ancestors("C") == ("C",)
    assert children("32")[:3] == ("321", "322", "323")
    assert children("3252") == ()
    assert section_of("6513") == "I"
    assert section_of("0190") == "A"
    with pytest.raises(ValueError):
        code_name("A3252")
    with pytest.raises(ValueError, match="为空"):
        code_level(None)


def test_derived_group_of_single_class() -> None:
    """中类 that the standard only lists as their single 小类 exist, named like the 小类."""
    assert code_level("019") == 3
    assert code_name("019") == code_name("0190") == "其他农业"
    assert children("019") == ("0190",)
    assert parent("0190") == "019"


def test_amendment_codes() -> None:
    assert code_name("9233") == "人民检察院"
    assert parent("9233") == "923"
    assert code_name("3741") == "飞机制造"
    assert code_name("374") == "航空、航天器及设备制造"


def test_level_counts_and_consistency() -> None:
    tax = get_taxonomy()
    counts = [len(tax.codes_at_level(lv)) for lv in (1, 2, 3, 4)]
    assert counts[:3] == [20, 97, 473]
    assert counts[3] >= 1380
    assert len(tax) == sum(counts)
    for code in tax.codes:
        anc = tax.ancestors(code)
        assert len(anc) == tax.level(code)
        assert anc[-1] == code
        if tax.level(code) > 1:
            assert code in tax.children(tax.parent(code))
            assert code.startswith(anc[1])  # digits extend the 大类
    with pytest.raises(ValueError):
        tax.codes_at_level(5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3252;3311", ["3252", "3311"]),
        ("3252；3311", ["3252", "3311"]),
        ("C3252,C3311，34", ["3252", "3311", "34"]),
        ("3252、3311/C", ["3252", "3311", "C"]),
        ("3252 3311\t34\n", ["3252", "3311", "34"]),
        ("３２５２；　３３１１", ["3252", "3311"]),
        (" ; 3252 ;; ", ["3252"]),
        ("3252;3252;C3252", ["3252"]),
        ("", []),
        (None, []),
        (float("nan"), []),
    ],
)
def test_split_codes(text: object, expected: list[str]) -> None:
    assert split_codes(text) == expected


def test_split_codes_names_the_bad_item() -> None:
    with pytest.raises(ValueError, match="第 2 项 '9999'"):
        split_codes("3252;9999;3311")


def test_paths() -> None:
    tax = get_taxonomy()
    ids = tax.ids
    p = tax.paths(["3252", "C325", "32", "C", None, "", float("nan"), "c 3252"])
    assert p.dtype == np.int32
    assert p.shape == (8, 4)
    full = [ids["C"], ids["32"], ids["325"], ids["3252"]]
    assert p[0].tolist() == full
    assert p[1].tolist() == [*full[:3], -1]
    assert p[2].tolist() == [*full[:2], -1, -1]
    assert p[3].tolist() == [full[0], -1, -1, -1]
    assert p[4:7].tolist() == [[-1, -1, -1, -1]] * 3
    assert p[7].tolist() == full
    assert tax.paths([]).shape == (0, 4)
    with pytest.raises(ValueError, match="A3252"):
        tax.paths(["3252", "A3252"])


def _naive_similarity(code: str | None, park_codes: list[str]) -> tuple[float, int]:
    """The definition, written out code by code."""
    if code is None:
        return 0.0, 0
    best = (0.0, 0)
    for park_code in park_codes:
        a, b = ancestors(code), ancestors(park_code)
        depth = 0
        for x, y in zip(a, b, strict=False):
            if x != y:
                break
            depth += 1
        result = (1.0, len(b)) if depth == len(b) else (LEVEL_SIMILARITY[depth], depth)
        best = max(best, result)
    return best


def test_similarity_examples() -> None:
    tax = get_taxonomy()
    ent = tax.paths(["3252", "3251", "3216", "32", "3311", "0111", None, "C"])
    sim, level = tax.similarity(ent, ["3252"])
    assert sim.dtype == np.float32
    assert level.dtype == np.int8
    np.testing.assert_allclose(sim, [1.0, 0.8, 0.6, 0.6, 0.2, 0.0, 0.0, 0.2], rtol=1e-6)
    assert level.tolist() == [4, 3, 2, 2, 1, 0, 0, 1]

    # an enterprise at or below a park code scores 1.0 at the park code's level
    sim, level = tax.similarity(ent, ["C32"])
    np.testing.assert_allclose(sim, [1.0, 1.0, 1.0, 1.0, 0.2, 0.0, 0.0, 0.2], rtol=1e-6)
    assert level.tolist() == [2, 2, 2, 2, 1, 0, 0, 1]

    # best over several park codes; ties prefer the deeper level
    sim, level = tax.similarity(ent, ["C", "3252", "A"])
    np.testing.assert_allclose(sim, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0], rtol=1e-6)
    assert level.tolist() == [4, 1, 1, 1, 1, 1, 0, 1]

    # no park codes: nothing matches
    sim, level = tax.similarity(ent, [])
    assert not sim.any()
    assert not level.any()


def test_similarity_matches_definition() -> None:
    tax = get_taxonomy()
    rng = np.random.default_rng(7)
    pool = [*tax.codes, None]
    for _ in range(40):
        ent_codes = [pool[i] for i in rng.integers(0, len(pool), 60)]
        park_codes = [tax.codes[i] for i in rng.integers(0, len(tax.codes), rng.integers(1, 4))]
        # make some enterprises share deep levels with a park code
        ent_codes += list(ancestors(park_codes[0]))
        sim, level = tax.similarity(tax.paths(ent_codes), park_codes)
        for code, s, lv in zip(ent_codes, sim.tolist(), level.tolist(), strict=True):
            exp_s, exp_lv = _naive_similarity(code, park_codes)
            assert math.isclose(s, exp_s, rel_tol=1e-6), (code, park_codes)
            assert lv == exp_lv, (code, park_codes)


def test_similarity_tables_match_the_definition_in_any_order() -> None:
    # each code's shared levels are read once and kept: a park's tables are the best of its
    # codes' whatever their order, and what a caller does with a table never reaches the next
    tax = get_taxonomy()
    rng = np.random.default_rng(11)
    checked = [tax.ids[c] for c in tax.codes[::7]]
    for _ in range(12):
        park_codes = [tax.codes[i] for i in rng.integers(0, len(tax.codes), rng.integers(1, 5))]
        sim, level = tax.similarity_tables(park_codes)
        assert sim[-1] == 0.0 and level[-1] == 0  # the entry of a missing code
        for i in checked:
            exp_s, exp_lv = _naive_similarity(tax.codes[i], park_codes)
            assert math.isclose(sim[i], exp_s, rel_tol=1e-6), (tax.codes[i], park_codes)
            assert level[i] == exp_lv, (tax.codes[i], park_codes)
        sim[:] = -1.0
        level[:] = -1
        again, again_level = tax.similarity_tables(park_codes[::-1])
        alone = [tax.similarity_tables([c]) for c in park_codes]
        np.testing.assert_array_equal(again, np.max([a for a, _ in alone], axis=0))
        assert (again >= 0).all() and (again_level >= 0).all()
        for i in checked:
            assert again_level[i] == _naive_similarity(tax.codes[i], park_codes)[1]


def test_similarity_rejects_bad_shapes() -> None:
    tax = get_taxonomy()
    with pytest.raises(ValueError, match="形状"):
        tax.similarity(np.zeros((3, 3), dtype=np.int32), ["3252"])
    with pytest.raises(ValueError):
        tax.similarity(tax.paths(["3252"]), ["A3252"])


def test_similarity_large_input_is_vectorised() -> None:
    tax = get_taxonomy()
    classes = np.array(tax.codes_at_level(4), dtype=object)
    codes = classes[np.random.default_rng(0).integers(0, len(classes), 200_000)]
    ent = tax.paths(codes)
    sim, level = tax.similarity(ent, ["3252", "C33"])
    assert sim.shape == level.shape == (200_000,)
    is_3252 = codes == "3252"
    assert (sim[is_3252] == 1.0).all()
    assert (level[is_3252] == 4).all()
    in_33 = np.array([c.startswith("33") for c in codes])
    assert (level[in_33] == 2).all()


def test_taxonomy_rejects_orphans() -> None:
    with pytest.raises(ValueError, match="上级"):
        Taxonomy([("C", 1, "制造业", ""), ("3252", 4, "铝压延加工", "325")])


def test_names_and_repr() -> None:
    tax = get_taxonomy()
    assert tax.names["32"] == "有色金属冶炼和压延加工业"
    assert "3252" in tax
    assert "A3252" not in tax
    assert "小类" in repr(tax)
