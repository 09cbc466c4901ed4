"""Choose the registry rows of the real-text development set (ids only; run once).

Reads ``../shared/corpora/registry_sample/registry_sample.csv`` (never copied into the repo) and
writes ``datasets/dev/registry_ids.csv``: the credit code of each chosen row and why it was
chosen. 200 rows are drawn at random (the registry's own mix of trade, services and making);
20 more per development park are drawn among rows whose scope mentions the park's theme (makers
and traders of the same goods alike, so trading-vs-making and side lines are tested). The rows
were chosen, and then labelled by hand, before any matcher output on them was looked at.

    python tools/select_dev_rows.py
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT.parent / "shared" / "corpora" / "registry_sample" / "registry_sample.csv"
OUT = ROOT / "datasets" / "dev" / "registry_ids.csv"
SEED = 2026
THEMES = {
    "SZ-EIC": "电路板|线路板|电子元件|元器件|电容|电阻|半导体|集成电路|芯片|传感器|电子",
    "KQ-TEX": "印染|纺织|织造|面料|针织|服装|布",
    "DG-MOLD": "模具|五金|冲压|紧固件|精密机械|机械零部件|粉末冶金",
    "LY-FOOD": "食品|蔬菜|肉制品|豆制品|速冻|罐头|食用菌|农副产品",
    "WH-AUTO": "汽车零部件|汽车配件|汽配|汽车",
    "CD-SOFT": "软件|信息技术|系统集成|网络|计算机",
    "HF-NEV": "电池|锂|光伏|太阳能|逆变器",
    "CS-EQP": "工程机械|起重|挖掘|混凝土|液压|矿山机械|建筑机械",
    "GY-AL": "铝",
    "TZ-BIO": "药|医疗器械|生物|制剂|医用",
    "LY-LOG": "物流|货运|仓储|批发|配送|运输",
    "GZ-DATA": "数据|云计算|互联网|信息服务",
    "NB-CHEM": "化工原料|树脂|橡胶|涂料|塑料|化学",
}


def main() -> None:
    reg = pd.read_csv(REGISTRY, dtype=str)
    scope = reg["经营范围"].fillna("")
    chosen = reg.sample(200, random_state=SEED).assign(stratum="random")
    parts = [chosen[["统一社会信用代码", "stratum"]]]
    taken = set(chosen["统一社会信用代码"])
    for k, (park, pattern) in enumerate(THEMES.items()):
        pool = reg[scope.str.contains(pattern) & ~reg["统一社会信用代码"].isin(taken)]
        pick = pool.sample(min(20, len(pool)), random_state=SEED + k + 1)
        taken |= set(pick["统一社会信用代码"])
        parts.append(pick[["统一社会信用代码"]].assign(stratum=f"theme:{park}"))
    out = pd.concat(parts, ignore_index=True).rename(columns={"统一社会信用代码": "credit_code"})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(OUT, index=False)
    print(f"{len(out)} rows -> {OUT}")


if __name__ == "__main__":
    main()
