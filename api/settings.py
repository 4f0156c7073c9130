"""Settings, read once from the environment (SPEC §6)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///./ceasefire.sqlite3"
    read_database_url: str | None = None  # streaming replicas, comma-separated (SPEC §12)
    tokens: str = ""
    read_token_required: bool = False
    load_fixtures: bool = False
    signing_key: str | None = None
    cors_origins: tuple[str, ...] = ()  # browser origins allowed to call the API; none by default
    fixtures_dir: Path = field(default_factory=lambda: Path(__file__).resolve().parent.parent / "fixtures")

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        env = os.environ
        values = dict(
            database_url=env.get("CEASEFIRE_DATABASE_URL", cls.database_url),
            read_database_url=env.get("CEASEFIRE_READ_DATABASE_URL") or None,
            tokens=env.get("CEASEFIRE_TOKENS", ""),
            read_token_required=_flag(env.get("CEASEFIRE_READ_TOKEN_REQUIRED")),
            load_fixtures=_flag(env.get("CEASEFIRE_LOAD_FIXTURES")),
            signing_key=env.get("CEASEFIRE_SIGNING_KEY") or None,
            cors_origins=tuple(o.strip() for o in env.get("CEASEFIRE_CORS_ORIGINS", "").split(",") if o.strip()),
        )
        values.update(overrides)
        return cls(**values)

    @property
    def read_database_urls(self) -> list[str]:
        return [url.strip() for url in (self.read_database_url or "").split(",") if url.strip()]

    @property
    def sqlite_path(self) -> Path | None:
        """The embedded store's file, for a `sqlite:///` URL."""
        if not self.database_url.startswith("sqlite:///"):
            return None
        return Path(unquote(self.database_url[len("sqlite:///"):]) or "./ceasefire.sqlite3")

    @property
    def data_dir(self) -> Path:
        """Where the embedded store keeps its file, and its generated signing key."""
        return self.sqlite_path.resolve().parent if self.sqlite_path else Path.cwd()


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")
