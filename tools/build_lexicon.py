"""Build the industry lexicon bundled in ``matcher/data/`` from the public GB/T 4754 references.

A one-off generator, kept so that the provenance of the bundled tables is reproducible. It reads
``shared/reference/gbt4754_2017`` (next to the repository; see its ``SOURCE.txt``) and writes the
project's own files, which hold facts only (a term and the code it belongs to; no sentence of the
sources is copied):

``matcher/data/industry_terms.csv``: ``term,code,source,spread``
    Product and activity terms per GB/T 4754-2017 code. ``source`` says where the fact comes from:
    ``name`` (the stem of the code's official name: 铝压延加工 → 铝压延), ``note`` (an item the NBS
    explanatory notes list under the code: 铝型材, 双零铝箔), ``xref`` (an item the notes of
    another code send to this code: "中成药制造，列入2740" → 中成药 → 2740) and ``strategic``
    (a product of the 战略性新兴产业分类(2018) catalogue under the code). ``spread`` is in how
    many 小类' names and notes the term occurs at all: a word that occurs under many classes
    (国内, 企业, 安全) says little about any of them.
``matcher/data/strategic_groups.csv``: ``code,group``
    The 战略性新兴产业 categories (``产业 > 子产业 > 类别``) each 小类 belongs to, used as evidence
    that codes of different 大类 are related (锂离子电池 3841 and 汽车零部件 3670 share
    新能源汽车装置、配件制造).

Hand-written facts that the notes lack (abbreviations, trade names, registry wording) live in
``matcher/data/industry_terms_manual.csv`` and are merged at load time, not here.

Run from the repository root::

    .venv/bin/python tools/build_lexicon.py [--reference PATH] [--out PATH]
"""

from __future__ import annotations

import argparse
import csv
import re
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFERENCE = REPO.parent / "shared" / "reference" / "gbt4754_2017"
DEFAULT_OUT = REPO / "matcher" / "data"

#: Activity words at the end of an official name; the stem before them is the object.
NAME_SUFFIXES = (
    "及其他",
    "制造",
    "生产",
    "加工",
    "种植",
    "养殖",
    "饲养",
    "批发",
    "零售",
    "服务",
    "开发",
    "修理",
    "维修",
    "维护",
    "采选",
    "开采",
    "冶炼",
    "运输",
    "仓储",
    "设计",
    "活动",
    "管理",
    "施工",
    "安装",
    "培育",
    "捕捞",
    "采集",
    "制作",
    "出版",
    "经营",
    "业",
)
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
_ASCII_PAREN = re.compile(r"[（(]\s*([A-Za-z][A-Za-z0-9\-/ ]{1,9})\s*[）)]")
_SPLIT = re.compile(r"[、，,；;]|以及|及其他")
_CODE_REF = re.compile(r"列入\s*([A-T]|\d{2,4})")
_DROP_PREFIX = re.compile(
    r"^(其他未列明|其他|各种|各类|未列明|独立的|专门|用于|分别|对|以|含有|主要)"
)
_DROP_SUFFIX = re.compile(
    r"(等|的制造|的生产|的加工|的种植|的养殖|的活动|的制作|活动|相关类别中|类别中)$"
)
_BAD = re.compile(r"[0-9≥≤%％=＝<>~～·.．]|^[A-Za-z]$")


def clean_term(raw: str) -> str | None:
    """One term from a raw list item: no brackets, qualifiers or trailing 等; None if unusable."""
    text = _PAREN.sub("", raw).strip(" 　\t—-:：。.")
    for _ in range(2):
        text = _DROP_PREFIX.sub("", text)
        text = _DROP_SUFFIX.sub("", text).strip()
    if len(text) < 2 or len(text) > 14 or _BAD.search(text):
        return None
    if not re.search(r"[\u4e00-\u9fff]", text):
        return None
    return text


def name_stems(name: str) -> list[str]:
    """Objects in an official name: 糕点、面包制造 → 糕点, 面包; 铝压延加工 → 铝压延."""
    out = []
    for part in _SPLIT.split(_PAREN.sub("", name)):
        stem = part.strip()
        changed = True
        while changed:
            changed = False
            for suffix in NAME_SUFFIXES:
                if stem.endswith(suffix) and len(stem) - len(suffix) >= 2:
                    stem = stem[: -len(suffix)]
                    changed = True
        term = clean_term(stem)
        if term:
            out.append(term)
    return out


def items(text: str) -> list[str]:
    """Terms of a list text (``a、b、c``), with ASCII abbreviations in brackets kept as terms."""
    abbreviations = [m.strip() for m in _ASCII_PAREN.findall(text)]
    terms = [clean_term(p) for p in _SPLIT.split(_PAREN.sub("", text))]
    return [t for t in terms if t] + [a for a in abbreviations if len(a) >= 2]


def note_terms(description: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Included terms of one note, and (term, code) cross-references from its exclusions."""
    included: list[str] = []
    xrefs: list[tuple[str, str]] = []
    section = "include"
    for line in description.splitlines():
        line = line.strip()
        if line.startswith("◆"):
            section = "exclude"
            continue
        if line.startswith("◇"):
            section = "include"
            body = line.lstrip("◇ ").strip()
            match = re.search(r"包括(.*?)(?:等[^、，,]*|。|$)", body)
            if match and "下列" not in match.group(1):
                included.extend(items(match.group(1)))
            continue
        if not line.startswith("—"):
            continue
        body = line.lstrip("— ").strip()
        if section == "exclude":
            ref = _CODE_REF.search(body)
            if ref:
                head = body[: ref.start()].rstrip("，,、 ")
                xrefs.extend((t, ref.group(1)) for t in items(head) if len(t) <= 8)
            continue
        head, _, tail = body.partition("：")
        if not tail:
            head, _, tail = body.partition(":")
        included.extend(items(head))
        if tail:
            included.extend(items(tail))
    return included, xrefs


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _write(path: Path, header: list[str], rows: Iterable[tuple[str, ...]]) -> int:
    rows = sorted(set(rows))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return len(rows)


def build(reference: Path, out: Path) -> None:
    notes = _read(reference / "gbt4754_2017_nbs_notes.csv")
    known = {r["code"] for r in notes}
    terms: set[tuple[str, str, str]] = set()
    for row in notes:
        code = row["code"]
        for term in name_stems(row["name"]):
            terms.add((term, code, "name"))
        included, xrefs = note_terms(row["description"])
        for term in included:
            terms.add((term, code, "note"))
        for term, target in xrefs:
            if target in known and target != code:
                terms.add((term, target, "xref"))
    groups: set[tuple[str, str]] = set()
    for row in _read(reference / "gbt4754_special_industry_tags.csv"):
        if row["tag"] != "strategic":
            continue
        code = row["code"]
        groups.add((code, row["category_path"].replace(" > ", ">")))
        for product in re.split(r"[；;]", row["products"]):
            term = clean_term(product)
            if term and len(term) <= 10:
                terms.add((term, code, "strategic"))
    # a term that a code's own name or notes give is not repeated from a weaker source
    best: dict[tuple[str, str], str] = {}
    rank = {"name": 0, "note": 1, "strategic": 2, "xref": 3}
    for term, code, source in terms:
        key = (term, code)
        if key not in best or rank[source] < rank[best[key]]:
            best[key] = source
    classes = [f"{r['name']} {r['description']}" for r in notes if r["level"] == "4"]
    spread = {t: sum(t in text for text in classes) for t in {t for t, _ in best}}
    n_terms = _write(
        out / "industry_terms.csv",
        ["term", "code", "source", "spread"],
        ((t, c, s, str(spread[t])) for (t, c), s in best.items()),
    )
    n_groups = _write(out / "strategic_groups.csv", ["code", "group"], groups)
    print(f"industry_terms.csv: {n_terms} rows; strategic_groups.csv: {n_groups} rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    build(args.reference, args.out)


if __name__ == "__main__":
    main()
