"""Models: list the models the service can rank with, train one from an outcomes ledger, and
switch the active model (the index is rebuilt with it; every ranking names its model).

Training is the library's, as ``parkmatch train`` calls it: :func:`matcher.learning.train_scorer`
on the serving index's parks and enterprises, cross-validated against the default weights with
:func:`matcher.learning.evaluate` (:func:`matcher.learning.summarize` of it goes into the
manifest), and written with :func:`matcher.scoring.save_scorer` into
``PARKMATCH_MODELS_DIR``. Model files are pickles: only files the service wrote itself (or
other trusted ones) belong in that folder.
"""

from __future__ import annotations

import logging
import tempfile
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, UploadFile
from sqlalchemy.orm import Session

from matcher import ConfigError, MatcherError
from matcher.learning import (
    evaluate,
    labelled_pairs,
    summarize,
    train_scorer,
    validate_outcomes,
)
from matcher.scoring import save_scorer

from .. import store
from ..deps import ActorDep, HeavySlotDep, IndexerDep, SettingsDep, current_snapshot
from ..indexer import Indexer
from ..registry import ModelSpec, model_name_problem, model_spec_from_file, save_active_name
from ..schemas import (
    IndexStatus,
    ModelActiveIn,
    ModelActivePublic,
    ModelInfo,
    ModelKind,
    ModelPublic,
    ModelsPublic,
)
from ..uploads import read_upload, upload_name

router = APIRouter(prefix="/models", tags=["models"])

log = logging.getLogger("parkmatch.service")

#: One training writes into the models folder at a time (name checks, file, registration).
_WRITE_LOCK = threading.Lock()


def model_public(spec: ModelSpec, indexer: Indexer) -> ModelPublic:
    """A registered model as shown by the API."""
    snapshot = indexer.snapshot
    manifest = None
    if spec.manifest is not None:
        m = spec.manifest
        manifest = {
            "file": m.get("model_file") or (spec.path.name if spec.path else ""),
            "created": m.get("created"),
            "scorer": m.get("scorer"),
            "feature_names": m.get("feature_names") or [],
            "model_sha256": m.get("model_sha256"),
            "training_data_sha256": m.get("training_data_sha256"),
            "versions": {str(k): str(v) for k, v in (m.get("versions") or {}).items()},
            "metrics": m.get("metrics"),
            "extra": m.get("extra") or {},
        }
    return ModelPublic.model_validate(
        {
            **spec.info(),
            "kind": spec.kind,
            "active": indexer.registry.active.name == spec.name,
            "serving": snapshot is not None and snapshot.model.get("name") == spec.name,
            "manifest": manifest,
        }
    )


@router.get("", response_model=ModelsPublic)
def list_models(indexer: IndexerDep) -> ModelsPublic:
    """已注册的模型：哪个是当前模型、当前索引由哪个生成，训练模型附清单（类型、训练时间、特征、SHA-256、评估指标）。"""
    specs = indexer.registry.specs()
    snapshot = indexer.snapshot
    return ModelsPublic(
        data=[model_public(s, indexer) for s in specs],
        count=len(specs),
        active=indexer.registry.active.name,
        serving=None if snapshot is None else ModelInfo(**snapshot.model),
    )


@router.post("", response_model=ModelPublic, status_code=201)
def train_model(
    file: Annotated[
        UploadFile,
        File(
            description="跟进台账 CSV（UTF-8/GB18030）或 XLSX：park_id, enterprise_id, outcome, "
            "date（中文表头与中文结果名均可）"
        ),
    ],
    name: Annotated[
        str, Form(min_length=1, max_length=64, description="模型名称（字母、汉字、数字、_ . -）")
    ],
    actor: ActorDep,
    indexer: IndexerDep,
    settings: SettingsDep,
    slot: HeavySlotDep,
    kind: Annotated[
        ModelKind,
        Form(
            description="logistic 逻辑回归 / ridge 岭回归 / gbm 梯度提升 / weights 拟合默认评分器的权重"
        ),
    ] = ModelKind.logistic,
    evaluate_folds: Annotated[
        int, Form(ge=0, le=10, description="与默认权重对比的按园区交叉验证折数；0 不评估")
    ] = 5,
    activate: Annotated[bool, Form(description="训练后立即启用（并重建索引）")] = False,
) -> ModelPublic:
    """用跟进台账训练排序模型（写操作，需密钥）：在当前索引的园区与企业上训练，写出模型文件与清单并注册。

    台账有任何问题返回 422 并列出全部问题（行、列、值、应为）；名称已存在返回 409。"""
    text = name.strip()
    problem = model_name_problem(text)
    if problem is not None:
        raise HTTPException(422, problem)
    folder = settings.resolved_models_dir
    target = folder / f"{text}.joblib"
    _check_free(indexer, text, target)
    snapshot = current_snapshot(indexer)
    matcher = snapshot.matcher
    with tempfile.TemporaryDirectory(prefix="parkmatch-outcomes-") as tmp:
        raw = read_upload(file, settings.max_upload_bytes, Path(tmp), settings.read_limits)
    file_name = upload_name(file)
    ledger = validate_outcomes(
        raw, file=file_name, parks=matcher.parks_, enterprises=matcher.enterprises_
    )
    pairs = labelled_pairs(matcher, ledger)
    n_pos = int(pairs["label"].sum())
    try:
        scorer = train_scorer(matcher, ledger, kind=kind.value, pairs=pairs)
    except ConfigError as exc:  # a ledger of one kind of outcome: nothing to learn from
        raise HTTPException(422, str(exc)) from exc
    except ValueError as exc:  # scikit-learn's complaints about degenerate data
        raise HTTPException(422, f"台账无法用于训练：{exc}") from exc
    metrics = None
    if evaluate_folds >= 2:
        evaluated = "weights" if kind is ModelKind.weights else kind.value
        try:
            table = evaluate(
                matcher,
                ledger,
                models=["default", evaluated],
                folds=evaluate_folds,
                random_state=0,
            )
            metrics = None if table.empty else summarize(table, ci=False)
        except (MatcherError, ValueError) as exc:  # a small ledger may not split: keep the model
            log.warning("模型 %s 的交叉验证未完成：%s", text, exc)
    extra = {
        "model": kind.value,
        "n_pairs": len(pairs),
        "n_positive": n_pos,
        "n_parks": int(pairs["park_id"].nunique()),
        "outcomes_file": file_name,
        "outcomes_rows": len(ledger),
        "trained_by": actor,
        "index_version": snapshot.version,
        "evaluation_folds": evaluate_folds if metrics is not None else 0,
    }
    with _WRITE_LOCK:
        _check_free(indexer, text, target)
        save_scorer(
            scorer,
            target,
            metrics=metrics,
            training_data=[ledger, matcher.parks_, matcher.enterprises_],
            extra=extra,
            key=indexer.key,
        )
        spec = model_spec_from_file(target, key=indexer.key)
        indexer.registry.register(spec, activate=activate)
    log.info("%s 训练了模型 %s（%s，%d 个候选对）", actor, text, kind.value, len(pairs))
    if activate:
        _activate_everywhere(indexer, folder, text)
    return model_public(spec, indexer)


def _activate_everywhere(indexer: Indexer, folder: Path, name: str) -> None:
    """Make ``name`` the active model of every process (in the database) and rebuild."""
    with Session(indexer.engine) as session:
        store.set_active_model(session, name)
        session.commit()
    save_active_name(folder, name)  # remembered beside the model files too
    indexer.request_rebuild()


def _check_free(indexer: Indexer, name: str, target: Path) -> None:
    """409 when the name is taken (registered, or a file of that name in the folder)."""
    if indexer.registry.get(name) is not None or target.exists():
        raise HTTPException(409, f"模型「{name}」已存在：请换一个名称")


@router.put("/active", response_model=ModelActivePublic)
def activate_model(
    body: ModelActiveIn, actor: ActorDep, indexer: IndexerDep, settings: SettingsDep
) -> ModelActivePublic:
    """切换当前模型（写操作，需密钥）：之后的索引由它生成，并立即在后台重建索引；
    重建完成前仍由旧索引应答，排名结果中的 model 标明所用模型。"""
    name = body.name.strip()
    if indexer.registry.get(name) is None:
        known = "、".join(s.name for s in indexer.registry.specs())
        raise HTTPException(404, f"未知的模型「{name}」（可选：{known}）")
    spec = indexer.registry.activate(name)
    _activate_everywhere(indexer, settings.resolved_models_dir, name)
    log.info("%s 将当前模型切换为 %s", actor, name)
    return ModelActivePublic(
        model=model_public(spec, indexer), index=IndexStatus.model_validate(indexer.status())
    )
