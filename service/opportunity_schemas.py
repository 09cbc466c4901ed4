"""Request and response models of the opportunity endpoints (events, policies, vetting, reports).

Same grid as :mod:`service.schemas`: ``XIn`` for input, ``XPublic`` for output, ``XsPublic(data,
count)`` for lists.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "EventPublic",
    "EventsPublic",
    "OpportunityImportResult",
    "PoliciesPublic",
    "PolicyLeadPublic",
    "PolicyLeadsPublic",
    "PolicyMatchPublic",
    "PolicyMatchesPublic",
    "PolicyPublic",
    "ReportIn",
    "SignalLeadPublic",
    "SignalLeadsPublic",
    "VettingIn",
    "VettingPublic",
]


class OpportunityImportResult(BaseModel):
    """What an import of events, policies or entry standards did (or, with ``dry_run``, would do)."""

    kind: Literal["events", "policies", "standards"]
    file: str
    rows: int = Field(description="文件中的数据行数（政策：条件行数）")
    inserted: int = Field(description="新增的事件、政策或标准数")
    updated: int = Field(default=0, description="按编号替换的政策或标准数")
    unchanged: int = Field(default=0, description="已存在、无需写入的事件数")
    dry_run: bool


class EventPublic(BaseModel):
    """One stored event of an enterprise."""

    enterprise_id: str
    kind: str = Field(description="financing / branch / land / expansion / hiring / …")
    kind_label: str = Field(description="事件类型（中文）")
    date: str
    source: str | None
    detail: str | None
    confidence: float


class EventsPublic(BaseModel):
    """A page of events."""

    data: list[EventPublic]
    count: int


class PolicyPublic(BaseModel):
    """One stored policy with its conditions (canonical field, operator and value)."""

    policy_id: str
    park_id: str
    name: str
    issuer: str | None
    benefit: str | None
    amount_wan: float | None
    start: str | None
    end: str | None
    conditions: list[dict[str, Any]]


class PoliciesPublic(BaseModel):
    """Stored policies."""

    data: list[PolicyPublic]
    count: int


class PolicyMatchPublic(BaseModel):
    """One policy for one enterprise: its state and the conditions that decided it."""

    policy_id: str
    name: str
    issuer: str | None
    benefit: str | None
    amount_wan: float | None
    window: str
    status: str = Field(description="推荐 / 可能 / 需补充信息 / 不推荐 / 已过期")
    status_key: str
    deciding: str = Field(description="决定结论的条件")
    met: str
    failed: str
    missing: str = Field(description="需企业补充的字段")
    reason: str


class PolicyMatchesPublic(BaseModel):
    """Every policy of a park for one enterprise, best state first."""

    park_id: str
    enterprise_id: str
    as_of: str
    data: list[PolicyMatchPublic]
    count: int


class PolicyLeadPublic(BaseModel):
    """A lead with its policy fit."""

    rank: int
    enterprise_id: str
    name: str
    score: float = Field(description="匹配分（各维度贡献之和）")
    policy_bonus: float = Field(description="政策加分（boost × 符合的政策数）")
    rank_score: float = Field(description="排序分 = score + policy_bonus")
    eligible: bool
    policies_recommended: int
    policies_possible: int
    policy_names: str
    reasons: list[str]


class PolicyLeadsPublic(BaseModel):
    """Leads filtered and boosted by policy fit."""

    data: list[PolicyLeadPublic]
    count: int = Field(description="符合筛选条件的总数（分页前）")
    model: dict[str, str]
    index_version: int


class SignalLeadPublic(BaseModel):
    """A lead with evidence that it is choosing a location now."""

    enterprise_id: str
    name: str
    score: float = Field(description="含招商时机维度的匹配分")
    timing: float = Field(description="招商时机（0–1，时效衰减后的证据）")
    reason: str


class SignalLeadsPublic(BaseModel):
    """Leads ordered by timing."""

    park_id: str
    as_of: str
    data: list[SignalLeadPublic]
    count: int


class VettingIn(BaseModel):
    """A proposed project's figures (English or Chinese keys, as in the library)."""

    model_config = ConfigDict(extra="forbid")

    project: dict[str, Any] = Field(
        description='如 {"用地面积(亩)": 40, "固定资产投资(万元)": 16000, "达产年税收(万元)": 800}'
    )


class VettingPublic(BaseModel):
    """The vetting of a project against the park's entry standards."""

    park_id: str | None
    verdict: str = Field(description="通过 / 有条件通过 / 需补充信息 / 未通过")
    missing: list[str]
    project: dict[str, Any]
    indicators: list[dict[str, Any]]


class ReportIn(BaseModel):
    """Options of a 研判 report."""

    model_config = ConfigDict(extra="forbid")

    project: dict[str, Any] | None = Field(default=None, description="拟落地项目（用于项目评审）")
    as_of: str | None = Field(default=None, description="评估日期，默认今天")
