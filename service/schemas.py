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

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

__all__ = [
    "STATUS_LABELS",
    "CacheStatus",
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
    "LeadStatus",
    "LeadStatusIn",
    "LeadTrackingPublic",
    "LeadsPublic",
    "ModelInfo",
    "ParkFitPublic",
    "ParkFitsPublic",
    "ParkIn",
    "ParkPublic",
    "ParkRef",
    "ParkUpdate",
    "ParksPublic",
    "SizeClass",
    "SrdiLevel",
    "TenantIn",
    "TenantPublic",
    "TenantsPublic",
    "TrackedLeadsPublic",
]

SizeClass = Literal["large", "medium", "small", "micro"]
SrdiLevel = Literal["none", "innovative", "provincial", "national"]
Text = str | None
Number = float | str | None
Integer = int | str | None
Flag = bool | str | None
ExtraValue = str | int | float | bool | None


class LeadStatus(StrEnum):
    """Where a lead stands; the Chinese names are in :data:`STATUS_LABELS`."""

    new = "new"
    contacted = "contacted"
    visited = "visited"
    negotiating = "negotiating"
    signed = "signed"
    settled = "settled"
    abandoned = "abandoned"


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
    weights: dict[str, float] | None = Field(
        default=None,
        description="本园区的评分权重覆盖，如 {'industry': 0.5}（对应表格中的 weight_* 列）",
    )
    extra: dict[str, ExtraValue] | None = Field(
        default=None, description="其他自定义字段（原样保存）"
    )


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


class IndexStatus(BaseModel):
    """The matcher index: ready, fitting (the old one still serves), empty or failed."""

    state: Literal["empty", "fitting", "ready", "failed"]
    pending: bool = Field(description="a rebuild is queued or running")
    version: int | None
    fitted_at: datetime | None
    fit_seconds: float | None
    parks: int
    enterprises: int
    tenants: int
    model: ModelInfo
    error: str | None
    response_cache: CacheStatus


class ImportResult(BaseModel):
    """What an import did (or, with ``dry_run``, would do: nothing is kept)."""

    kind: ImportKind
    file: str
    rows: int = Field(description="文件中的数据行数")
    inserted: int = Field(description="新增的行数")
    updated: int = Field(description="按编号更新的行数")
    unchanged: int = Field(default=0, description="已存在、无需写入的入驻关系数")
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

    @field_validator("status", mode="before")
    @classmethod
    def _chinese_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            return _STATUS_BY_LABEL.get(text, text.lower())
        return value


class LeadTrackingPublic(BaseModel):
    """The recorded state of a lead."""

    model_config = ConfigDict(from_attributes=True)

    park_id: str
    enterprise_id: str
    status: LeadStatus
    owner: str | None
    note: str | None
    updated_at: datetime
    updated_by: str

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
