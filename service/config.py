"""Service settings: environment variables ``PARKMATCH_*`` or a ``.env`` file (pydantic-settings).

=============================  ==============================  ====================================
variable                       default                         meaning
=============================  ==============================  ====================================
``PARKMATCH_DATABASE_URL``     ``sqlite:///./parkmatch.db``    SQLAlchemy URL; ``DATABASE_URL`` is
                                                               also read (PostgreSQL:
                                                               ``postgresql+psycopg://…``)
``PARKMATCH_API_KEYS``         ``{}``                          JSON ``{"name": "key"}``; the name
                                                               is the actor in the lead history
``PARKMATCH_READS_OPEN``       ``true``                        ``false``: reads need a key too
``PARKMATCH_MAX_UPLOAD_MB``    ``20``                          imports larger than this get 413
``PARKMATCH_SEED_SAMPLE``      ``true``                        seed an empty database from the
                                                               bundled sample on first start
``PARKMATCH_HOST`` / ``PORT``  ``127.0.0.1`` / ``8000``        where ``python -m service`` listens
``PARKMATCH_LOG_LEVEL``        ``info``                        uvicorn log level
``PARKMATCH_RESPONSE_CACHE_``  ``512``                         ranking pages cached per index
``SIZE``                                                       version (0: off)
``PARKMATCH_EXPORT_MAX_ROWS``  ``5000``                        most rows one export returns
``PARKMATCH_GC_FREEZE``        ``true``                        freeze the garbage collector once
                                                               an index is ready (no long pauses)
``PARKMATCH_MODELS_DIR``       ``models/`` beside the SQLite   trained model files (``.joblib`` +
                               file (else the working dir)     ``.json`` manifest), registered at
                                                               start
``PARKMATCH_SESSION_HOURS``    ``12``                          how long a sign-in lasts
``PARKMATCH_COOKIE_SECURE``    ``false``                       ``true``: session cookie only over
                                                               HTTPS (set it behind TLS)
``PARKMATCH_SNAPSHOT_DIR``     ``snapshots/`` beside the       fitted index snapshots every process
                               SQLite file (else cwd)          loads (shared storage for replicas)
``PARKMATCH_SECRET_KEY``       ``secret.key`` beside the       signs model files and snapshots
                               SQLite file, made once          (HMAC-SHA256); same on every replica
``PARKMATCH_WORKERS``          ``1``                           uvicorn worker processes
``PARKMATCH_MAX_ROWS``         ``200000``                      data rows in one imported file
``PARKMATCH_MAX_COLUMNS``      ``200``                         columns in one imported file
``PARKMATCH_MAX_CELL_CHARS``   ``32767``                       characters in one cell
``PARKMATCH_MAX_DECOMPRESSED_  ``200``                         XLSX size after decompression (MB)
MB``
``PARKMATCH_MAX_PROBLEMS``     ``100``                         problems listed in one response (the
                                                               rest counted; all downloadable)
``PARKMATCH_HEAVY_JOBS``       ``1``                           allocations/trainings at once per
                                                               process (more: 429)
``PARKMATCH_ALLOCATION_TIME_   ``10``                          seconds the allocation solver may use
LIMIT_S``
``PARKMATCH_RANKING_``         ``0``                           worker processes that rank cold
``PROCESSES``                                                  leads pages from the snapshot
                                                               folder (0: in the request's thread)
``PARKMATCH_INDEX_WAIT_S``     ``10``                          seconds a read of just-written data
                                                               waits for the new index (then 503)
``PARKMATCH_EXPLORATION``      ``0``                           share of first lead pages shown with
                                                               their top block shuffled (0: off)
``PARKMATCH_EXPLORATION_``     ``20``                          leads in the shuffled block
``DEPTH``
``PARKMATCH_EXPOSURE_MEMORY``  ``200000``                      leads whose latest exposure (rank,
                                                               model, index version) is remembered
=============================  ==============================  ====================================
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from matcher.io import ReadLimits

__all__ = ["MIN_KEY_LENGTH", "Settings", "get_settings"]

#: Shortest API key accepted (characters): a short key can be guessed.
MIN_KEY_LENGTH = 16


class Settings(BaseSettings):
    """Settings of the parkmatch service (all optional; read from ``PARKMATCH_*`` and ``.env``)."""

    model_config = SettingsConfigDict(
        env_prefix="PARKMATCH_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        hide_input_in_errors=True,  # a refused setting must not print the keys it holds
    )

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("PARKMATCH_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="SQLAlchemy 数据库地址；不设置时在当前目录使用 SQLite 文件 parkmatch.db",
    )
    api_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='写操作的 API 密钥，JSON：{"使用人": "密钥"}；使用人记入跟进历史',
    )
    reads_open: bool = Field(default=True, description="读接口是否无需密钥")
    max_upload_mb: float = Field(default=20.0, gt=0, description="导入文件大小上限（MB）")
    seed_sample: bool = Field(default=True, description="数据库为空时导入内置郑州示例数据")
    host: str = Field(default="127.0.0.1", description="python -m service 监听的地址")
    port: int = Field(default=8000, ge=0, le=65535, description="python -m service 监听的端口")
    log_level: str = Field(default="info", description="uvicorn 日志级别")
    response_cache_size: int = Field(
        default=512, ge=0, description="线索排名响应缓存条数（按索引版本失效；0 关闭）"
    )
    export_max_rows: int = Field(default=5000, ge=1, description="一次导出的最多行数")
    gc_freeze: bool = Field(
        default=True,
        description="索引就绪后冻结垃圾回收（gc.freeze），避免大索引上的全量回收造成请求停顿",
    )
    exploration: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="随机探索：线索第一页（至少 exploration_depth 条）中按此比例打乱前 "
        "exploration_depth 条的顺序，记为随机探索并记录展示概率，用于估计位置偏差；0 关闭",
    )
    exploration_depth: int = Field(
        default=20, ge=2, le=200, description="随机探索打乱的前几条（默认 20）"
    )
    exposure_memory: int = Field(
        default=200_000,
        ge=0,
        description="记住最近展示过的多少条线索的名次、模型和索引版本（跟进时写入）；0 不记",
    )
    models_dir: Path | None = Field(
        default=None,
        description="训练出的模型文件目录（.joblib 与 .json 清单）；不设置时为 SQLite 文件旁的 "
        "models/，其他数据库为当前目录下的 models/",
    )

    session_hours: float = Field(
        default=12.0, gt=0, le=24 * 30, description="工作台登录的有效时长（小时）"
    )
    cookie_secure: bool = Field(
        default=False, description="会话 Cookie 只经 HTTPS 发送（部署在 HTTPS 之后时设为 true）"
    )

    snapshot_dir: Path | None = Field(
        default=None,
        description="索引快照目录（各进程共用；多台机器时应为共享存储）；不设置时为 SQLite 文件旁的 "
        "snapshots/，其他数据库为当前目录下的 snapshots/",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="签名模型文件与索引快照的服务器密钥（HMAC-SHA256），也签名工作台的会话 Cookie；"
        "多个副本须相同。不设置时在 SQLite 文件旁生成 secret.key（仅适合单机），工作台另在数据库中生成"
        "会话密钥",
    )
    workers: int = Field(default=1, ge=1, le=64, description="python -m service 的工作进程数")
    max_rows: int = Field(default=200_000, ge=1, description="一次导入的最多数据行数")
    max_columns: int = Field(default=200, ge=1, description="导入文件的最多列数")
    max_cell_chars: int = Field(default=32_767, ge=1, description="一个单元格的最多字符数")
    max_decompressed_mb: float = Field(
        default=200.0, gt=0, description="XLSX 文件解压后的大小上限（MB）"
    )
    max_problems: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="一次响应中列出的问题数上限（其余计数，可下载全部）",
    )
    heavy_jobs: int = Field(
        default=1, ge=1, le=64, description="每个进程同时进行的全市分配、模型训练数（更多则 429）"
    )
    ranking_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description=(
            "每个进程同时在库中计算的排名数（其余按先来后到排队）；"
            "库在 20 万行以上时自行用多核计算一页，故默认 1"
        ),
    )
    ranking_processes: int = Field(
        default=0,
        ge=0,
        le=16,
        description=(
            "在独立进程中计算未缓存线索页排名的工作进程数（各自加载同一索引快照目录，使用其他 CPU 核；"
            "都忙时本进程也按 ranking_threads 自行计算）；0 在请求所在进程中计算。"
            "在 2 核开发机上，另一核空闲时一个工作进程使吞吐提高约 20–45%，"
            "另一核被其他任务占用时反而变慢，故默认 0"
        ),
    )
    index_wait_s: float = Field(
        default=10.0,
        ge=0,
        le=120,
        description="读请求遇到正在重建的索引（刚写入的数据）时最多等待的秒数，超时返回 503",
    )
    allocation_time_limit_s: float = Field(
        default=10.0, gt=0, le=600, description="全市分配求解器的用时上限（秒）"
    )

    @field_validator("api_keys")
    @classmethod
    def _keys_long_enough(cls, keys: dict[str, SecretStr]) -> dict[str, SecretStr]:
        short = [name for name, key in keys.items() if len(key.get_secret_value()) < MIN_KEY_LENGTH]
        if short:
            raise ValueError(
                f"PARKMATCH_API_KEYS 中 {'、'.join(short)} 的密钥太短：每个密钥至少 "
                f'{MIN_KEY_LENGTH} 个字符（可用 python -c "import secrets; '
                f'print(secrets.token_urlsafe(24))" 生成）'
            )
        blank = [name for name in keys if not name.strip()]
        if blank:
            raise ValueError("PARKMATCH_API_KEYS 中的使用人名称不能为空")
        return keys

    @property
    def read_limits(self) -> ReadLimits:
        """The bounds on an imported file, as the library's :class:`matcher.io.ReadLimits`."""
        return ReadLimits(
            max_rows=self.max_rows,
            max_columns=self.max_columns,
            max_cell_chars=self.max_cell_chars,
            max_decompressed_bytes=int(self.max_decompressed_mb * 1024 * 1024),
        )

    def _data_folder(self) -> Path:
        """Beside the SQLite file; the working directory for other databases."""
        try:
            url = make_url(self.resolved_database_url)
        except ArgumentError:
            return Path.cwd()
        database = url.database
        if url.get_backend_name() == "sqlite" and database and database != ":memory:":
            return Path(database).parent
        return Path.cwd()

    @property
    def resolved_snapshot_dir(self) -> Path:
        """Where index snapshots live: the setting, else ``snapshots/`` in the data folder."""
        return (
            self.snapshot_dir
            if self.snapshot_dir is not None
            else self._data_folder() / "snapshots"
        )

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to ``parkmatch.db`` in the working directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path.cwd() / 'parkmatch.db'}"

    @property
    def resolved_models_dir(self) -> Path:
        """Where model files live: the setting, else ``models/`` beside the SQLite file or cwd."""
        if self.models_dir is not None:
            return self.models_dir
        return self._data_folder() / "models"

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment and ``.env``."""
    return Settings()
