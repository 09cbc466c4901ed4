"""Request and response models: ``XIn`` / ``XUpdate`` for input, ``XPublic`` for output,
``XsPublic(data, count)`` for lists.

Input models accept what an officer's sheet holds (numbers as numbers or text such as
``"5,000"``, ``"是"``, ``"省级专精特新"``); the library validates and normalises them, so a bad
value comes back as a 422 listing every problem, exactly as for an imported file.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationInfo,
    computed_field,
    field_validator,
)

__all__ = [
    "STATUS_LABELS",
    "AllocationIn",
    "AllocationParkPublic",
    "AllocationPublic",
    "AssignmentPublic",
    "CacheStatus",
    "ChainEdgePublic",
    "ChainLeadPublic",
    "ChainNodePublic",
    "ChainReportPublic",
    "ComponentInfo",
    "EnterpriseIn",
    "EnterpriseProfile",
    "EnterprisePublic",
    "EnterpriseRef",
    "EnterpriseUpdate",
    "EnterprisesPublic",
    "ExplanationPublic",
    "HealthPublic",
    "ImportKind",
    "ImportResult",
    "IndexStatus",
    "LeadDetailPublic",
    "LeadHistoryPublic",
    "LeadPublic",
    "LeadSource",
    "LeadStatus",
    "LeadStatusIn",
    "LeadTrackingPublic",
    "LeadsPublic",
    "ModelActiveIn",
    "ModelActivePublic",
    "ModelInfo",
    "ModelKind",
    "ModelManifestPublic",
    "ModelPublic",
    "ModelsPublic",
    "OnError",
    "ParkFitPublic",
    "ParkFitsPublic",
    "ParkIn",
    "ParkPublic",
    "ParkRef",
    "ParkUpdate",
    "ParksPublic",
    "RankingProcessesStatus",
    "SizeClass",
    "SrdiLevel",
    "TenantIn",
    "TenantPublic",
    "TenantsPublic",
    "TrackedLeadsPublic",
    "UnassignedPublic",
]


def _clean_keys(value: dict[str, Any] | None, what: str) -> dict[str, Any] | None:
    """Keys trimmed, non-empty, at most 64 characters and unique after trimming (≤ 100 keys)."""
    if value is None:
        return None
    out: dict[str, Any] = {}
    for raw, item in value.items():
        key = raw.strip()
        if not key:
            raise ValueError(f"{what}的字段名不能为空")
        if len(key) > 64:
            raise ValueError(f"{what}的字段名不能超过 64 个字符")
        if key in out:
            raise ValueError(f"{what}的字段名「{key}」重复（去掉首尾空格后相同）")
        out[key] = item
    if len(out) > 100:
        raise ValueError(f"{what}最多 100 个字段")
    return out


SizeClass = Literal["large", "medium", "small", "micro"]
SrdiLevel = Literal["none", "innovative", "provincial", "national"]
# Strict: a JSON boolean is not a number and a number is not text (what the schema says is
# what is accepted); text still carries what a sheet holds ("5,000", "是", "省级专精特新").
Text = StrictStr | None
Number = StrictFloat | StrictStr | None
Integer = StrictInt | StrictStr | None
Flag = StrictBool | StrictStr | None
ExtraValue = StrictStr | StrictInt | StrictFloat | StrictBool | None


class LeadStatus(StrEnum):
    """Where a lead stands; the Chinese names are in :data:`STATUS_LABELS`."""

    new = "new"
    contacted = "contacted"
    visited = "visited"
    negotiating = "negotiating"
    signed = "signed"
    settled = "settled"
    abandoned = "abandoned"


class LeadSource(StrEnum):
    """Where a tracked lead came from, as an officer may state it."""

    ranking = "ranking"
    own = "own"


_SOURCE_BY_LABEL = {"系统推荐": "ranking", "自有渠道": "own"}


STATUS_LABELS: dict[str, str] = {
    "new": "新线索",
    "contacted": "已联系",
    "visited": "已走访",
    "negotiating": "洽谈中",
    "signed": "已签约",
    "settled": "已落地",
    "abandoned": "已放弃",
}
_STATUS_BY_LABEL = {label: key for key, label in STATUS_LABELS.items()}


class ImportKind(StrEnum):
    """What an imported file holds."""

    parks = "parks"
    enterprises = "enterprises"
    tenants = "tenants"


class OnError(StrEnum):
    """What an import does with invalid rows."""

    raise_ = "raise"  # refuse the whole file (the default)
    skip = "skip"  # import the valid rows, set the others aside with their problems


# ---------------------------------------------------------------------------- parks
class _ParkFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    province: Text = Field(default=None, description="省")
    city: Text = Field(default=None, description="市")
    county: Text = Field(default=None, description="区县")
    lat: Number = Field(default=None, description="纬度（WGS-84）；与经度同时填写或同时留空")
    lon: Number = Field(default=None, description="经度（WGS-84）")
    leading_industries: str | list[str] | None = Field(
        default=None, description="主导产业：GB/T 4754-2017 代码，列表或用 ; 、 , 分隔"
    )
    positioning: Text = Field(default=None, description="产业定位（文字）")
    available_sqm: Number = Field(default=None, description="可用面积（平方米）")
    excluded_industries: str | list[str] | None = Field(
        default=None, description="禁止入驻行业：GB/T 4754-2017 代码"
    )
    park_type: Text = Field(
        default=None,
        description="园区类型：小微企业园 / 专业园区 / 开发区（高新区）/ 孵化器 / 物流园；留空时按园区名称判断",
    )
    location_preference: Text = Field(
        default=None, description="招引方向：不限（默认）/ 本地培育 / 异地招引"
    )
    weights: dict[str, StrictFloat] | None = Field(
        default=None,
        description="本园区的评分权重覆盖，如 {'industry': 0.5}（对应表格中的 weight_* 列）",
    )
    extra: dict[str, ExtraValue] | None = Field(
        default=None, description="其他自定义字段（原样保存）"
    )

    @field_validator("weights")
    @classmethod
    def _weight_keys(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        return _clean_keys(value, "weights ")

    @field_validator("extra")
    @classmethod
    def _extra_keys(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return _clean_keys(value, "extra ")


class ParkIn(_ParkFields):
    """A park to create."""

    park_id: str = Field(min_length=1, description="园区编号（唯一）")
    name: str = Field(min_length=1, description="园区名称")


class ParkUpdate(_ParkFields):
    """Fields of a park to change; omitted fields keep their value, ``null`` clears one."""

    name: str | None = Field(default=None, min_length=1, description="园区名称")


class ParkRef(BaseModel):
    """A park's id and name."""

    park_id: str
    name: str


class ParkPublic(BaseModel):
    """A stored park, normalised."""

    model_config = ConfigDict(from_attributes=True)

    park_id: str
    name: str
    province: str | None
    city: str | None
    county: str | None
    lat: float | None
    lon: float | None
    location_source: str | None = Field(description="given / county / city / province")
    leading_industries: list[str]
    positioning: str | None
    available_sqm: float | None
    excluded_industries: list[str]
    park_type: str | None = Field(
        default=None, description="micro / specialized / zone / incubator / logistics"
    )
    park_type_source: str | None = Field(default=None, description="declared / name")
    location_preference: str | None = Field(default=None, description="any / local / remote")
    weights: dict[str, float]
    extra: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @field_validator("leading_industries", "excluded_industries", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if value is None:
            return []
        if isinstance(value, str):
            return [c for c in value.split(";") if c]
        return value

    @field_validator("weights", "extra", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value


class ParksPublic(BaseModel):
    """A page of parks and how many match in all."""

    data: list[ParkPublic]
    count: int


# ---------------------------------------------------------------------------- enterprises
class _EnterpriseFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credit_code: Text = Field(default=None, description="统一社会信用代码（18 位，校验位核验）")
    industry_code: Text = Field(default=None, description="行业代码（GB/T 4754-2017，任意层级）")
    business_scope: Text = Field(default=None, description="经营范围")
    products: Text = Field(default=None, description="主营产品（用 、 ; , 分隔）")
    employees: Integer = Field(default=None, description="从业人员")
    revenue_wan: Number = Field(default=None, description="营业收入（万元）")
    size_class: Text = Field(
        default=None, description="企业规模：大/中/小/微 或 large/medium/small/micro；空则推算"
    )
    srdi_level: Text = Field(
        default=None,
        description="专精特新：无/创新型中小企业/省级专精特新/国家级专精特新“小巨人”"
        "（或 none/innovative/provincial/national）",
    )
    high_tech: Flag = Field(default=None, description="高新技术企业：是/否")
    patents: Integer = Field(default=None, description="专利数")
    province: Text = Field(default=None, description="省")
    city: Text = Field(default=None, description="市")
    county: Text = Field(default=None, description="区县")
    lat: Number = Field(default=None, description="纬度（WGS-84）")
    lon: Number = Field(default=None, description="经度（WGS-84）")
    space_need_sqm: Number = Field(default=None, description="需求面积（平方米）")
    extra: dict[str, ExtraValue] | None = Field(
        default=None, description="其他自定义字段（原样保存）"
    )

    @field_validator("extra")
    @classmethod
    def _extra_keys(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        return _clean_keys(value, "extra ")


class EnterpriseIn(_EnterpriseFields):
    """An enterprise to create."""

    enterprise_id: str = Field(min_length=1, description="企业编号（唯一）")
    name: str = Field(min_length=1, description="企业名称（不参与评分）")


class EnterpriseUpdate(_EnterpriseFields):
    """Fields of an enterprise to change; omitted fields keep their value, ``null`` clears one."""

    name: str | None = Field(default=None, min_length=1, description="企业名称")


class EnterpriseProfile(_EnterpriseFields):
    """An enterprise that is not in the database, to match against all parks.

    Keys may also be the Chinese headers of the enterprises schema (``行业代码``, ``经营范围`` …).
    """

    model_config = ConfigDict(extra="allow")

    enterprise_id: str | None = Field(default=None, description="可不填")
    name: str | None = Field(default=None, description="可不填")


class EnterpriseRef(BaseModel):
    """An enterprise's id and name."""

    enterprise_id: str
    name: str


class EnterprisePublic(BaseModel):
    """A stored enterprise, normalised."""

    model_config = ConfigDict(from_attributes=True)

    enterprise_id: str
    name: str
    credit_code: str | None
    industry_code: str | None
    business_scope: str | None
    products: str | None
    employees: int | None
    revenue_wan: float | None
    size_class: str | None
    size_class_source: str | None = Field(description="declared / derived / None")
    srdi_level: str | None
    high_tech: bool | None
    patents: int | None
    province: str | None
    city: str | None
    county: str | None
    lat: float | None
    lon: float | None
    location_source: str | None = Field(description="given / county / city / province")
    space_need_sqm: float | None
    extra: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @field_validator("extra", mode="before")
    @classmethod
    def _none_is_empty(cls, value: Any) -> Any:
        return {} if value is None else value


class EnterprisesPublic(BaseModel):
    """A page of enterprises and how many match in all."""

    data: list[EnterprisePublic]
    count: int


# ---------------------------------------------------------------------------- tenants
class TenantIn(BaseModel):
    """An enterprise that sits in a park."""

    park_id: str = Field(min_length=1)
    enterprise_id: str = Field(min_length=1)


class TenantPublic(BaseModel):
    """A stored tenant pair."""

    model_config = ConfigDict(from_attributes=True)

    park_id: str
    enterprise_id: str
    created_at: datetime


class TenantsPublic(BaseModel):
    """A page of tenant pairs and how many match in all."""

    data: list[TenantPublic]
    count: int


# ---------------------------------------------------------------------------- imports / health
class ModelInfo(BaseModel):
    """Which model (scorer) produced a ranking."""

    name: str
    description: str
    label: str


class CacheStatus(BaseModel):
    """The ranking response cache of the serving index (emptied when the index changes)."""

    entries: int
    hits: int
    misses: int


class RankingProcessesStatus(BaseModel):
    """The worker processes that rank cold leads pages (``PARKMATCH_RANKING_PROCESSES``)."""

    processes: int = Field(description="配置的排名进程数")
    ready: int = Field(description="已就绪的排名进程数")
    ranked: int = Field(description="由排名进程计算的线索页数")
    here: int = Field(description="排名进程都忙时由本进程计算的线索页数")
    fallbacks: int = Field(description="因排名进程未就绪或出错而改在本进程计算的线索页数")
    restarts: int = Field(description="退出后被重启的排名进程数")


class IndexStatus(BaseModel):
    """The matcher index: ready, fitting (the old one still serves), empty or failed."""

    state: Literal["empty", "fitting", "ready", "failed"]
    pending: bool = Field(description="a rebuild is queued or running")
    version: int | None
    fitted_at: datetime | None
    fit_seconds: float | None
    parks: int | None = Field(description="索引中的园区数；读取需密钥而未带密钥时为 null")
    enterprises: int | None
    tenants: int | None
    skipped: dict[str, int] | None = Field(
        default=None,
        description="重建索引时因数据无效而跳过的行数（按表）；一行有问题不会使整个索引不可用",
    )
    model: ModelInfo
    error: str | None
    response_cache: CacheStatus | None
    ranking_processes: RankingProcessesStatus | None = Field(
        default=None, description="排名进程的状态；未启用（PARKMATCH_RANKING_PROCESSES=0）时为 null"
    )


class ImportResult(BaseModel):
    """What an import did (or, with ``dry_run``, would do: nothing is kept)."""

    kind: ImportKind
    file: str
    rows: int = Field(description="导入的数据行数（on_error=skip 时不含被拒绝的行）")
    inserted: int = Field(description="新增的行数")
    updated: int = Field(description="按编号更新的行数")
    unchanged: int = Field(default=0, description="已存在、无需写入的入驻关系数")
    rejected: int = Field(
        default=0, description="on_error=skip 时被拒绝、未导入的行数（每行的问题见 rejected_url）"
    )
    rejected_url: str | None = Field(
        default=None,
        description="下载被拒绝的行（原始各列 + 原行号、问题列、问题值、问题、应为；CSV，保留一天）",
    )
    dry_run: bool
    index: IndexStatus


class DatabaseStatus(BaseModel):
    """The database: reachable or not, and rows per table."""

    ok: bool
    dialect: str
    parks: int | None = None
    enterprises: int | None = None
    tenants: int | None = None
    tracked_leads: int | None = None
    error: str | None = None


class HealthPublic(BaseModel):
    """Service health: ``ok`` when the database answers and an index serves."""

    status: Literal["ok", "starting", "degraded"]
    version: str
    database: DatabaseStatus
    index: IndexStatus


# ---------------------------------------------------------------------------- leads
class LeadStatusIn(BaseModel):
    """A lead's new state. ``owner``/``note`` left out keep their value; ``null`` clears them."""

    model_config = ConfigDict(extra="forbid")

    status: LeadStatus = Field(
        description="new 新线索 / contacted 已联系 / visited 已走访 / negotiating 洽谈中 / "
        "signed 已签约 / settled 已落地 / abandoned 已放弃（中文名也接受）"
    )
    owner: str | None = Field(default=None, max_length=100, description="负责人")
    note: str | None = Field(default=None, max_length=5000, description="备注")
    source: LeadSource | None = Field(
        default=None,
        description="线索来源（只在首次记录时生效）：own 自有渠道（干部自己发掘，不计展示名次）；"
        "不填时按服务最近一次展示该线索的名次、模型和索引版本记录",
    )

    @field_validator("status", "source", mode="before")
    @classmethod
    def _chinese_names(cls, value: Any, info: ValidationInfo) -> Any:
        labels = _STATUS_BY_LABEL if info.field_name == "status" else _SOURCE_BY_LABEL
        if isinstance(value, str):
            text = value.strip()
            return labels.get(text, text.lower())
        return value


class LeadTrackingPublic(BaseModel):
    """The recorded state of a lead, and what it was first tracked from."""

    model_config = ConfigDict(from_attributes=True)

    park_id: str
    enterprise_id: str
    status: LeadStatus
    owner: str | None
    note: str | None
    updated_at: datetime
    updated_by: str
    source: str | None = Field(
        default=None,
        description="来源：ranking 系统推荐 / random 随机探索 / own 自有渠道；未知为 null",
    )
    shown_rank: int | None = Field(default=None, description="首次跟进前最近一次展示的名次")
    shown_propensity: float | None = Field(
        default=None, description="随机探索页上该名次的展示概率（1/打乱条数）"
    )
    shown_model: str | None = Field(default=None, description="展示时的排序模型")
    shown_index_version: int | None = Field(default=None, description="展示时的索引版本")
    shown_at: datetime | None = Field(default=None, description="展示时间")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        """The status in Chinese (新线索 …)."""
        return STATUS_LABELS[self.status]


class LeadHistoryPublic(BaseModel):
    """One change of a lead's state."""

    model_config = ConfigDict(from_attributes=True)

    status: LeadStatus
    previous_status: LeadStatus | None
    owner: str | None
    note: str | None
    changed_at: datetime
    actor: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status_label(self) -> str:
        """The status in Chinese (新线索 …)."""
        return STATUS_LABELS[self.status]


class TrackedLeadsPublic(BaseModel):
    """A page of tracked leads (most recently changed first) and how many match in all."""

    data: list[LeadTrackingPublic]
    count: int


class ComponentInfo(BaseModel):
    """A score component (feature family) and its Chinese label."""

    name: str
    label: str


class LeadPublic(BaseModel):
    """One ranked enterprise for a park."""

    rank: int
    enterprise_id: str
    name: str
    score: float = Field(description="匹配分（0–100）")
    eligible: bool = Field(description="是否符合入驻条件")
    contributions: dict[str, float] = Field(description="各维度贡献分，之和为 score")
    reasons: list[str] = Field(description="推荐理由（入驻条件在前）")
    county: str | None
    industry_code: str | None
    size_class: str | None
    srdi_level: str | None
    tracking: LeadTrackingPublic | None = Field(description="跟进状态；未跟进为 null")
    source: str = Field(
        default="ranking", description="ranking 按模型排序；random 随机探索页上打乱后的名次"
    )
    propensity: float | None = Field(
        default=None, description="随机探索页上该线索得到此名次的概率；按模型排序时为 null"
    )


class LeadsPublic(BaseModel):
    """A page of ranked leads for a park; ``count`` is how many qualify before paging."""

    park: ParkRef
    model: ModelInfo
    index_version: int
    components: list[ComponentInfo]
    data: list[LeadPublic]
    count: int
    limit: int
    offset: int
    exploration: bool = Field(
        default=False,
        description="本页前若干条是否为随机探索（顺序被打乱，见 PARKMATCH_EXPLORATION）",
    )


class ParkFitPublic(BaseModel):
    """One ranked park for an enterprise."""

    rank: int
    park_id: str
    name: str
    score: float
    eligible: bool
    contributions: dict[str, float]
    reasons: list[str]
    tracking: LeadTrackingPublic | None = None


class ParkFitsPublic(BaseModel):
    """Parks ranked for one enterprise; ``count`` is how many qualify before paging."""

    enterprise: EnterpriseRef
    model: ModelInfo
    index_version: int
    components: list[ComponentInfo]
    data: list[ParkFitPublic]
    count: int
    limit: int
    offset: int


class ExplanationPublic(BaseModel):
    """Why a pair scores what it scores: ``baseline + Σ contributions = score``."""

    score: float
    eligible: bool
    baseline: float
    contributions: dict[str, float]
    values: dict[str, float | None] = Field(description="各维度取值（0–1），null 表示未知")
    weights: dict[str, float]
    reasons: list[str]


class LeadDetailPublic(BaseModel):
    """One lead: its explanation, its recorded state and the history of that state."""

    park: ParkRef
    enterprise: EnterpriseRef
    model: ModelInfo
    index_version: int
    components: list[ComponentInfo]
    explanation: ExplanationPublic
    tracking: LeadTrackingPublic | None
    history: list[LeadHistoryPublic]


# ---------------------------------------------------------------------------- models
class ModelKind(StrEnum):
    """What ``POST /models`` trains."""

    logistic = "logistic"
    ridge = "ridge"
    gbm = "gbm"
    weights = "weights"


class ModelManifestPublic(BaseModel):
    """The manifest of a trained model's file (written by ``matcher.save_model``)."""

    file: str = Field(description="模型文件名")
    created: datetime | None = Field(description="训练时间（UTC）")
    scorer: str | None = Field(description="评分器类型")
    feature_names: list[str] = Field(description="特征（评分维度）")
    model_sha256: str | None = Field(description="模型文件的 SHA-256（加载前核验）")
    training_data_sha256: str | None = Field(description="训练数据（台账、园区、企业）的 SHA-256")
    versions: dict[str, str] = Field(description="训练时的 parkmatch、scikit-learn、numpy 等版本")
    metrics: list[dict[str, Any]] | None = Field(
        description="训练时按园区交叉验证（及按时间划分）的评估指标，与默认权重对比；未评估为 null"
    )
    extra: dict[str, Any] = Field(description="其他记录：模型类型、候选对数、训练人、台账文件等")


class ModelPublic(BaseModel):
    """A model the service can rank with; trained ones carry their manifest."""

    name: str
    description: str
    label: str
    kind: Literal["default", "logistic", "ridge", "gbm", "weights"]
    active: bool = Field(description="是否为当前模型（下次建索引所用）")
    serving: bool = Field(description="当前在用的索引是否由它生成")
    manifest: ModelManifestPublic | None = Field(description="训练模型的清单；内置模型为 null")


class ModelsPublic(BaseModel):
    """Every registered model, which is active and which built the serving index."""

    data: list[ModelPublic]
    count: int
    active: str = Field(description="当前模型（下次建索引所用）")
    serving: ModelInfo | None = Field(description="生成当前索引的模型；切换后重建完成前仍为旧模型")


class ModelActiveIn(BaseModel):
    """The model to rank with from now on."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="模型名称（见 GET /models）")


class ModelActivePublic(BaseModel):
    """The model now active, and the index (rebuilding with it)."""

    model: ModelPublic
    index: IndexStatus


# ---------------------------------------------------------------------------- chains
class ChainNodePublic(BaseModel):
    """One node (link) of the park's industry chains and how the park's tenants occupy it."""

    chain: str = Field(description="产业链编号")
    chain_name: str = Field(description="产业链")
    node_id: str = Field(description="环节编号")
    node: str = Field(description="环节")
    segment: str = Field(description="上游 / 中游 / 下游")
    status: str = Field(description="状态代码")
    status_label: str = Field(description="状态：已集聚、薄弱、缺失、可延链、园区禁止、未涉及 …")
    n_tenants: int = Field(description="该环节的入驻企业数")
    tenants: str = Field(description="该环节的入驻企业（前几家）")
    upstream: str = Field(description="上游环节")
    downstream: str = Field(description="下游环节")
    codes: str = Field(description="环节对应的行业代码（; 分隔）")
    candidates: str = Field(description="补链候选企业（、分隔）")


class ChainLeadPublic(BaseModel):
    """A candidate enterprise for a gap (missing, thin or extendable node)."""

    chain: str
    node_id: str
    node: str
    status_label: str
    rank: int = Field(description="在该环节候选中的名次")
    enterprise_id: str
    name: str
    score: float = Field(description="当前模型的匹配分")
    placement_conf: float | None = Field(description="企业属于该环节的置信度（0–1）")
    reasons: str = Field(description="推荐理由")


class ChainEdgePublic(BaseModel):
    """An upstream → downstream link of a chain (node names)."""

    chain: str
    upstream: str
    downstream: str


class ChainReportPublic(BaseModel):
    """A park's chain map: nodes with their status, the candidates per gap, the chain edges."""

    park_id: str
    park_name: str
    has_tenants: bool = Field(description="是否有该园区的入驻企业名单（没有则无法判断缺失与薄弱）")
    n_tenants: int
    chains: list[str] = Field(description="园区所在的产业链")
    nodes: list[ChainNodePublic]
    leads: list[ChainLeadPublic]
    edges: list[ChainEdgePublic]
    model: ModelInfo
    index_version: int


# ---------------------------------------------------------------------------- allocation
class AllocationIn(BaseModel):
    """Which parks compete for the enterprise pool, and the limits of the allocation."""

    model_config = ConfigDict(extra="forbid")

    park_ids: list[str] | None = Field(
        default=None, min_length=1, max_length=1000, description="参与分配的园区；不填为全部园区"
    )
    max_per_park: StrictInt | None = Field(
        default=None, ge=1, le=1000, description="每个园区最多分配的线索数；不填只受面积限制"
    )
    candidates: StrictInt = Field(
        default=30, ge=1, le=500, description="每个园区取排名前 N 的企业组成候选池"
    )
    reciprocal: StrictBool = Field(
        default=False,
        description="按园区与企业双向匹配（调和平均，含企业一方的意愿与产业链）分配，"
        "而非当前模型的园区单向匹配分",
    )


class AllocationParkPublic(BaseModel):
    """One park's share of the allocation."""

    park_id: str
    name: str
    available_sqm: float | None = Field(description="可用面积；null 为未知（不限）")
    assigned_sqm: float = Field(description="分配企业的需求面积合计")
    remaining_sqm: float | None = Field(description="剩余面积；可用面积未知时为 null")
    n_candidates: int
    n_assigned: int
    total_score: float


class AssignmentPublic(BaseModel):
    """An enterprise proposed for a park, and why there."""

    park_id: str
    park_name: str
    priority: int = Field(description="在本园区分得线索中的优先次序")
    enterprise_id: str
    name: str
    score: float
    park_rank: int = Field(description="在本园区自身排名中的名次")
    n_candidate_parks: int = Field(description="把它列为候选的园区数")
    best_park_id: str = Field(description="对它打分最高的园区")
    space_need: float = Field(description="需求面积（平方米）")
    space_assumed: bool = Field(description="需求面积未知、按同规模中位数估计")
    reason: str


class UnassignedPublic(BaseModel):
    """A candidate left out, and why."""

    enterprise_id: str
    name: str
    best_park_id: str
    best_park_name: str
    best_score: float
    n_candidate_parks: int
    space_need: float
    space_assumed: bool
    reason: str


class AllocationPublic(BaseModel):
    """A city-level allocation: each enterprise to at most one park, within each park's space."""

    total_score: float = Field(description="分配方案的总匹配分（优化目标）")
    solver: str
    params: dict[str, Any]
    reciprocal: bool
    parks: list[AllocationParkPublic]
    assignments: list[AssignmentPublic]
    unassigned: list[UnassignedPublic]
    model: ModelInfo
    index_version: int
