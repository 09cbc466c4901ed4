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

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Settings of the parkmatch service (all optional; read from ``PARKMATCH_*`` and ``.env``)."""

    model_config = SettingsConfigDict(
        env_prefix="PARKMATCH_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
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
        try:
            url = make_url(self.resolved_database_url)
        except ArgumentError:
            return Path.cwd() / "models"
        database = url.database
        if url.get_backend_name() == "sqlite" and database and database != ":memory:":
            return Path(database).parent / "models"
        return Path.cwd() / "models"

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment and ``.env``."""
    return Settings()
