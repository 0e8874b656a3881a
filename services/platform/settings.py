"""Settings common to every service, read from the environment (pydantic-settings)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma separated."
    )
    database_url: SecretStr = Field(
        default=SecretStr("postgresql://postgres@127.0.0.1:5432/mediaos_sync"),
        description="PostgreSQL DSN (may carry a password: treated as a secret).",
    )
    topic_partitions: int = Field(
        default=12, ge=1, description="Partitions for topics the service creates at start-up."
    )
    topic_replication_factor: int = Field(default=1, ge=1)
    log_level: str = Field(default="INFO")
    log_format: str = Field(default="json", description="json or console")
    db_pool_min_size: int = Field(default=1, ge=0)
    db_pool_max_size: int = Field(default=10, ge=1)
