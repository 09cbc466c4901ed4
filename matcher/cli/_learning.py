"""Commands for learned rankers: ``parkmatch train`` and ``parkmatch evaluate``.

Imported by :mod:`matcher.cli`; commands register on its ``app``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from .. import Matcher, load_outcomes
from ..datasets import load_sample_outcomes, sample_dir
from ..learning import MATURE_DAYS, MODELS, evaluate, labelled_pairs, summarize, train_scorer
from ..scoring import WeightedScorer, save_scorer
from ._app import Rejected, SkipInvalid, app, err, load_tables, out, progress_bar, rejected_path

__all__ = ["ExaminationMethod", "ModelKind", "evaluate_command", "train"]


class ModelKind(StrEnum):
    """What ``parkmatch train`` fits."""

    logistic = "logistic"
    ridge = "ridge"
    gbm = "gbm"
    weights = "weights"
    ips_logistic = "ips_logistic"
    ips_weights = "ips_weights"


class ExaminationMethod(StrEnum):
    """How ``parkmatch evaluate`` gets the position-bias curve."""

    auto = "auto"
    randomised = "randomised"
    pbm = "pbm"
    prior = "prior"


def _outcomes(path: Path | None, parks: pd.DataFrame, enterprises: pd.DataFrame) -> pd.DataFrame:
    if path is None:
        err.print("[dim]未指定 --outcomes，使用内置示例跟进台账 outcomes.csv。[/dim]")
        return load_sample_outcomes()
    return load_outcomes(path, parks=parks, enterprises=enterprises)


_SPLITS = {"park_cv": "按园区交叉验证", "time": "按时间划分"}


def _logged_columns(summary: pd.DataFrame) -> list[str]:
    """Today's logged metrics (no estimator prefix, no interval)."""
    return [str(c) for c in summary.columns if "_" not in str(c)]


def _summary_table(summary: pd.DataFrame, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("数据划分", no_wrap=True)
    table.add_column("模型", no_wrap=True)
    columns = _logged_columns(summary)
    for metric in columns:
        table.add_column(str(metric), justify="right", no_wrap=True)
    for (split, model), row in summary[columns].iterrows():
        split_label = _SPLITS.get(str(split), split)
        table.add_row(str(split_label), str(model), *(f"{v:.3f}" for v in row.to_numpy()))
    return table


def _counterfactual_table(summary: pd.DataFrame, k: int, title: str) -> Table | None:
    """IPS, SNIPS and DR NDCG@k with their 95 % intervals, one row per (split, model)."""
    names = [f"{e}_ndcg@{k}" for e in ("ips", "snips", "dr")]
    if not set(names) <= set(summary.columns):
        return None
    table = Table(title=title, title_justify="left")
    table.add_column("数据划分", no_wrap=True)
    table.add_column("模型", no_wrap=True)
    table.add_column(f"ndcg@{k}（台账）", justify="right", no_wrap=True)
    for name in names:
        table.add_column(f"{name}（95% 区间）", justify="right", no_wrap=True)

    def cell(row: pd.Series, name: str) -> str:
        value, low, high = row[name], row.get(f"{name}_ci_low"), row.get(f"{name}_ci_high")
        if pd.isna(value):
            return "—"
        if low is None or pd.isna(low):
            return f"{value:.3f}"
        return f"{value:.3f} [{low:.3f}, {high:.3f}]"

    for (split, model), row in summary.iterrows():
        if row[names].isna().all():  # no estimate on this split (the time split)
            continue
        table.add_row(
            str(_SPLITS.get(str(split), split)),
            str(model),
            f"{row[f'ndcg@{k}']:.3f}",
            *(cell(row, n) for n in names),
        )
    return table


def _parse_days(text: str) -> tuple[int, ...]:
    try:
        days = tuple(int(d) for d in text.replace("，", ",").split(",") if d.strip())
    except ValueError:
        days = ()
    if len(days) not in (1, 4) or min(days, default=-1) < 0:
        raise typer.BadParameter(
            f"--mature-days 应为一个或四个非负整数（逗号分隔），如 365 或 90,180,270,365，得到 {text!r}"
        )
    return days * 4 if len(days) == 1 else days


def _parse_ks(text: str) -> tuple[int, ...]:
    try:
        ks = tuple(int(k) for k in text.replace("，", ",").split(",") if k.strip())
    except ValueError:
        raise typer.BadParameter(f"--k 应为逗号分隔的正整数，如 10,50，得到 {text!r}") from None
    if not ks or min(ks) < 1:
        raise typer.BadParameter(f"--k 应为逗号分隔的正整数，如 10,50，得到 {text!r}")
    return ks


@app.command()
def train(
    outcomes: Annotated[
        Path | None, typer.Option(help="跟进台账（park_id, enterprise_id, outcome, date）")
    ] = None,
    parks: Annotated[Path | None, typer.Option(help="园区表（CSV/XLSX/Parquet）")] = None,
    enterprises: Annotated[Path | None, typer.Option(help="企业表（CSV/XLSX/Parquet）")] = None,
    model: Annotated[ModelKind, typer.Option(help="模型类型")] = ModelKind.logistic,
    output: Annotated[Path, typer.Option("--output", "-o", help="模型文件（.joblib）")] = Path(
        "model.joblib"
    ),
    folds: Annotated[int, typer.Option(min=2, help="评估用按园区交叉验证的折数")] = 5,
    no_evaluate: Annotated[
        bool, typer.Option("--no-evaluate", help="不做交叉验证（清单中不记录指标）")
    ] = False,
    seed: Annotated[int, typer.Option(help="随机种子")] = 0,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """用跟进结果训练排序模型，写出模型文件与 JSON 清单（版本、特征、数据哈希、指标）。"""
    park_frame, ent_frame = load_tables(
        parks, enterprises, rejected=rejected_path(skip_invalid, rejected)
    )
    ledger = _outcomes(outcomes, park_frame, ent_frame)
    matcher = Matcher().fit(park_frame, ent_frame)
    pairs = labelled_pairs(matcher, ledger)
    names = list(matcher.feature_names_)
    n_pos = int(pairs["label"].sum())
    err.print(
        f"训练数据：{pairs['park_id'].nunique()} 个园区、{len(pairs):,} 个候选对，"
        f"其中 {n_pos} 个至少已走访（其余为未跟进或未进展）。"
    )
    scorer = train_scorer(matcher, ledger, kind=model.value, pairs=pairs, random_state=seed)
    if model in (ModelKind.ips_logistic, ModelKind.ips_weights):
        err.print(
            f"纠偏训练：只用来自排名推荐的 {scorer.n_training_} 条已跟进线索，按位置倾向加权；"
            f"{scorer.examination_.describe()}"
        )
    metrics = None
    if not no_evaluate:
        evaluated = model.value
        with progress_bar("交叉验证") as update:
            table = evaluate(
                matcher,
                ledger,
                models=["default", evaluated],
                folds=folds,
                random_state=seed,
                progress=update,
            )
        metrics = summarize(table)
        out.print(_summary_table(metrics, f"{MODELS[evaluated]} 与默认权重对比（台账指标）"))
        counterfactual = _counterfactual_table(metrics, 10, "反事实估计（纠正位置偏差）")
        if counterfactual is not None:
            out.print(counterfactual)
    inputs: list[Any] = [ledger]
    for given, default_name in ((parks, "parks.csv"), (enterprises, "enterprises.csv")):
        inputs.append(given if given is not None else sample_dir() / default_name)
    manifest = save_scorer(
        scorer,
        output,
        metrics=metrics,
        training_data=inputs,
        extra={"model": model.value, "n_pairs": len(pairs), "n_positive": n_pos},
    )
    coef = getattr(scorer, "coef_", None)
    if coef is not None and model is not ModelKind.gbm:
        shown = coef / 100.0 if isinstance(scorer, WeightedScorer) else coef
        weights_table = Table(
            "维度", "权重（占总分的份额）", title="学到的权重", title_justify="left"
        )
        for name, value in zip(names, shown, strict=True):
            weights_table.add_row(name, f"{value:+.3f}")
        out.print(weights_table)
    out.print(f"已写出模型 {output} 与清单 {output.with_suffix('.json')}")
    out.print(f"SHA-256：{manifest['model_sha256']}")
    out.print("注意：模型文件即 pickle，只加载来源可信的文件。")


@app.command(name="evaluate")
def evaluate_command(
    outcomes: Annotated[
        Path | None, typer.Option(help="跟进台账（park_id, enterprise_id, outcome, date）")
    ] = None,
    parks: Annotated[Path | None, typer.Option(help="园区表（CSV/XLSX/Parquet）")] = None,
    enterprises: Annotated[Path | None, typer.Option(help="企业表（CSV/XLSX/Parquet）")] = None,
    folds: Annotated[int, typer.Option(min=2, help="按园区交叉验证的折数")] = 5,
    models: Annotated[
        str | None, typer.Option(help=f"逗号分隔的模型（默认全部）：{','.join(MODELS)}")
    ] = None,
    k: Annotated[str, typer.Option("--k", help="NDCG@k 与 recall@k 的 k，逗号分隔")] = "10,50",
    no_time_split: Annotated[
        bool, typer.Option("--no-time-split", help="不做按时间的划分")
    ] = False,
    examination: Annotated[
        ExaminationMethod,
        typer.Option(
            help="位置偏差曲线：auto（有随机探索用随机探索，否则极大似然，线索太少用先验）"
        ),
    ] = ExaminationMethod.auto,
    mature_days: Annotated[
        str,
        typer.Option(
            help="走访、洽谈、签约、落地各需首次联系后多少天才计入反事实估计（一个数或四个数，逗号分隔）"
        ),
    ] = ",".join(str(d) for d in MATURE_DAYS),
    no_counterfactual: Annotated[
        bool, typer.Option("--no-counterfactual", help="不做反事实估计（IPS/SNIPS/DR）")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="把逐折明细表写入 CSV/XLSX")
    ] = None,
    seed: Annotated[int, typer.Option(help="随机种子")] = 0,
    skip_invalid: SkipInvalid = False,
    rejected: Rejected = None,
) -> None:
    """按园区交叉验证（及按时间划分）比较默认权重、拟合权重、学习模型与基线，打印汇总表。"""
    chosen = None
    if models:
        chosen = [m.strip() for m in models.replace("，", ",").split(",") if m.strip()]
        unknown = [m for m in chosen if m not in MODELS]
        if unknown:
            raise typer.BadParameter(f"未知的模型 {unknown}；可选：{', '.join(MODELS)}")
    ks = _parse_ks(k)
    windows = _parse_days(mature_days)
    park_frame, ent_frame = load_tables(
        parks, enterprises, rejected=rejected_path(skip_invalid, rejected)
    )
    ledger = _outcomes(outcomes, park_frame, ent_frame)
    with progress_bar("评估") as update:
        table = evaluate(
            (park_frame, ent_frame),
            ledger,
            models=chosen,
            folds=folds,
            time_split=not no_time_split,
            ks=ks,
            random_state=seed,
            progress=update,
            counterfactual=not no_counterfactual,
            examination=examination.value,
            mature_days=windows,
        )
    summary = summarize(table)
    out.print(_summary_table(summary, f"台账指标（各折均值；{folds} 折按园区交叉验证）"))
    out.print(
        "说明：台账中的线索多数是按默认排序联系的（位置偏差），未跟进的组合一律按负例计，"
        "所以台账指标偏向默认权重。"
    )
    if not no_counterfactual:
        counterfactual = _counterfactual_table(
            summary, ks[0], f"反事实估计：若按各模型排序招商会怎样（NDCG@{ks[0]}）"
        )
        if counterfactual is not None:
            out.print(counterfactual)
        out.print(
            f"{table.attrs['examination']['text']}。反事实估计只用来自排名推荐的线索，按各自被"
            f"联系的概率加权；走访、洽谈、签约、落地分别只计首次联系已满 {mature_days} 天的线索"
            "（按同园区满期线索的比例加权）。区间为按园区自助法的 95% 区间，区间重叠的模型无法区分。"
        )
    if output is not None:
        from ..io import write_table

        write_table(table, output)
        err.print(f"已写出逐折明细 {len(table)} 行到 {output}")
