"""One typed settings object per service process, built once from the environment and flags.

Environment variables (all optional):
  SHELTERBEDS_DATA_DIR           data dir for SQLite files, the secret and the embedded NATS (./.shelterbeds)
  SHELTERBEDS_DATABASE_URL       a PostgreSQL server (postgresql+asyncpg://user@host:5432/): each service
                                 then uses its own database on it, shelterbeds_<service>
  SHELTERBEDS_DATABASE_PREFIX    name prefix of those databases (default shelterbeds_), e.g. to run a
                                 training instance beside production on one server
  SHELTERBEDS_<SERVICE>_DATABASE_URL  a full URL for one service, overriding the two above
  SHELTERBEDS_NATS_URL           nats://127.0.0.1:14222; a cluster's nodes comma-separated
  SHELTERBEDS_NATS_CREDS         a .creds file for NATS (production, per-service permissions)
  SHELTERBEDS_SECRET             the token-signing secret (else <data dir>/secret)
  SHELTERBEDS_PREVIOUS_SECRET    during a key rollover, the old secret (else <data dir>/secret.previous)
  SHELTERBEDS_HOST, SHELTERBEDS_<SERVICE>_PORT
  SHELTERBEDS_TIME_SCALE, SHELTERBEDS_CLOCK_ANCHOR  (real_epoch:virtual_epoch, set by `up`)
  SHELTERBEDS_LOG_LEVEL          debug|info|warning|error
  SHELTERBEDS_STREAM_REPLICAS    1 on one machine, 3 in production
  SHELTERBEDS_TICK_SECONDS       how often the clocks look for due work (real seconds)
  SHELTERBEDS_DB_POOL_SIZE       PostgreSQL connections per process (and as many again at peaks)
  SHELTERBEDS_TELEGRAM_BOT_TOKEN, SHELTERBEDS_TELEGRAM_API_URL  notifications' Telegram bot
                                 (default API https://api.telegram.org)
  SHELTERBEDS_SMTP_HOST, SHELTERBEDS_SMTP_PORT, SHELTERBEDS_SMTP_FROM  notifications' e-mail
  SHELTERBEDS_ESCALATE_AFTER_MINUTES  an unacknowledged on_the_way goes to supervisors (10, virtual)
  SHELTERBEDS_INTAKE_URL         where beds' pages reach intake (default http://HOST:INTAKE_PORT)
  SHELTERBEDS_COOKIE_SECURE      1 (default): the pages' cookies are Secure (HTTPS, or localhost);
                                 0 only for a plain-HTTP test on a LAN address
  SHELTERBEDS_DELIVERY_TIMEOUT_SECONDS  how long one send to a peer may take (10, real seconds); a
                                 delivery claimed by a worker that died is sent again 3x this later
  SHELTERBEDS_ABSENT_NIGHTS      beds: a stay with no presence confirmed for this many nights ends as
                                 "left without check-out", the site warned a night before (3)
  SHELTERBEDS_AVAILABILITY_MAX_AGE_SECONDS  beds: the nearest search answers from memory; an entry is
                                 read again at the latest this long after it was read (60), so a
                                 change whose event was lost is offered within this bound
  SHELTERBEDS_SHUTDOWN_GRACE_SECONDS  after SIGTERM the process has exited within this (10): requests
                                 in hand answered, consumers' events acked, the outbox relayed
  SHELTERBEDS_SHUTDOWN_DRAIN_SECONDS  of that, how long it keeps serving while /health/ready already
                                 answers 503, so that a load balancer stops sending to it (1)
  SHELTERBEDS_CONSUMER_ACK_WAIT_SECONDS  how long JetStream waits for a consumer's ack before it
                                 delivers the event again, e.g. after a process was killed (30)
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from common.clock import Clock, make_clock

ServiceName = Literal["beds", "intake", "notifications"]
SERVICES: tuple[ServiceName, ...] = ("beds", "intake", "notifications")
DEFAULT_PORTS: dict[str, int] = {"beds": 8101, "intake": 8102, "notifications": 8103}
DEFAULT_NATS_PORT = 14222
DEFAULT_DATA_DIR = ".shelterbeds"
PG_DATABASE_PREFIX = "shelterbeds_"

Positive = Annotated[float, msgspec.Meta(gt=0)]


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    service: ServiceName
    host: str = "127.0.0.1"
    port: int
    data_dir: str = DEFAULT_DATA_DIR
    database_url: str
    nats_url: str = f"nats://127.0.0.1:{DEFAULT_NATS_PORT}"
    nats_creds: str | None = None
    secret: str
    previous_secret: str | None = None  # during a key rollover: tokens signed with it still pass
    time_scale: Positive = 1.0
    clock_anchor: tuple[float, float] | None = None
    log_level: str = "info"
    stream_replicas: int = 1
    tick_seconds: Positive = 1.0
    db_pool_size: int = 10
    relay_batch_size: int = 500
    relay_poll_seconds: Positive = 0.5
    outbox_retention_days: int = 7
    consumer_max_tries: int = 5
    # An event that came before its prerequisite (common.consumer.NotYet): delivered again this
    # many times, about half a minute in all, before it is parked.
    consumer_max_deferrals: int = 10
    consumer_ack_wait_seconds: Positive = 30.0
    # notifications: where alerts leave the system
    telegram_bot_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "shelterbeds@localhost"
    delivery_poll_seconds: Positive = 0.5
    delivery_timeout_seconds: Positive = 10.0
    escalate_after_minutes: Positive = 10.0
    # the live feed: how often it looks for new alerts, and the comment that keeps proxies open
    feed_poll_seconds: Positive = 1.0
    feed_heartbeat_seconds: Positive = 15.0
    # How long a referral waits on beds' waitlist for a fitting place before it lapses.
    waitlist_hours: Positive = 12.0
    writes_per_minute: Annotated[int, msgspec.Meta(ge=1)] = 120  # per token (common.rate_limits)
    address_requests_per_minute: Annotated[int, msgspec.Meta(ge=1)] = 60  # sign-in, open data
    # beds: a stay (not at a night shelter) without presence confirmed for this many nights ends
    # as "left without check-out"; the site is warned a night before.
    absent_nights: Annotated[int, msgspec.Meta(ge=1, le=60)] = 3
    # beds' pages: intake behind the same origin, and the cookies' Secure flag
    intake_url: str = "http://127.0.0.1:8102"
    cookie_secure: bool = True
    # SIGTERM: readiness off at once, new requests still served for `drain`, then the listener
    # closes, requests in hand finish, consumers ack, the outbox is relayed; all within `grace`.
    shutdown_grace_seconds: Positive = 10.0
    availability_max_age_seconds: Positive = 60.0
    shutdown_drain_seconds: Annotated[float, msgspec.Meta(ge=0)] = 1.0
    # Who holds a lease: unique per process start (two runtimes in one process differ too).
    instance_id: str = msgspec.field(
        default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
    )

    def clock(self) -> Clock:
        real, virtual = self.clock_anchor or (None, None)
        return make_clock(self.time_scale, real, virtual)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def database_url_for(
    service: str, server_url: str | None, data_dir: str | Path, prefix: str = PG_DATABASE_PREFIX
) -> str:
    """SQLite file in the data dir by default; on a PostgreSQL server, the service's own database."""
    if not server_url:
        path = Path(data_dir).resolve() / f"{service}.db"
        return f"sqlite+aiosqlite:///{path}"
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    if url.get_backend_name() == "sqlite":
        return server_url
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+asyncpg")
    if not url.database:
        url = url.set(database=f"{prefix}{service}")
    return url.render_as_string(hide_password=False)


PREVIOUS_SECRET_FILE = "secret.previous"  # noqa: S105 - a file name


def load_previous_secret(data_dir: str | Path, env: Mapping[str, str] | None = None) -> str | None:
    """SHELTERBEDS_PREVIOUS_SECRET, else the data dir's `secret.previous` (left by `rotate-key`)."""
    env = os.environ if env is None else env
    if env.get("SHELTERBEDS_PREVIOUS_SECRET"):
        return env["SHELTERBEDS_PREVIOUS_SECRET"]
    path = Path(data_dir) / PREVIOUS_SECRET_FILE
    return path.read_text().strip() or None if path.exists() else None


def load_secret(data_dir: str | Path, env: Mapping[str, str] | None = None) -> str:
    """SHELTERBEDS_SECRET, else the data dir's secret file (created, 0600, on first use)."""
    env = os.environ if env is None else env
    if env.get("SHELTERBEDS_SECRET"):
        return env["SHELTERBEDS_SECRET"]
    path = Path(data_dir) / "secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def parse_anchor(value: str | None) -> tuple[float, float] | None:
    if not value:
        return None
    real, _, virtual = value.partition(":")
    return float(real), float(virtual)


def _local_url(env: Mapping[str, str], service: ServiceName) -> str:
    host = env.get("SHELTERBEDS_HOST", "127.0.0.1")
    if host in ("0.0.0.0", "::", ""):  # listening everywhere: reach it on this machine
        host = "127.0.0.1"
    return f"http://{host}:{env.get(f'SHELTERBEDS_{service.upper()}_PORT', DEFAULT_PORTS[service])}"


def settings_from_env(
    service: ServiceName, env: Mapping[str, str] | None = None, **overrides: Any
) -> Settings:
    env = os.environ if env is None else env
    upper = service.upper()
    data_dir = overrides.pop("data_dir", None) or env.get("SHELTERBEDS_DATA_DIR", DEFAULT_DATA_DIR)
    database_url = overrides.pop("database_url", None) or env.get(f"SHELTERBEDS_{upper}_DATABASE_URL")
    if not database_url:
        prefix = env.get("SHELTERBEDS_DATABASE_PREFIX") or PG_DATABASE_PREFIX
        database_url = database_url_for(service, env.get("SHELTERBEDS_DATABASE_URL"), data_dir, prefix)
    values: dict[str, Any] = {
        "service": service,
        "data_dir": str(data_dir),
        "database_url": database_url,
        "host": env.get("SHELTERBEDS_HOST", "127.0.0.1"),
        "port": int(env.get(f"SHELTERBEDS_{upper}_PORT", DEFAULT_PORTS[service])),
        "nats_url": env.get("SHELTERBEDS_NATS_URL", f"nats://127.0.0.1:{DEFAULT_NATS_PORT}"),
        "nats_creds": env.get("SHELTERBEDS_NATS_CREDS") or None,
        "time_scale": float(env.get("SHELTERBEDS_TIME_SCALE", "1")),
        "clock_anchor": parse_anchor(env.get("SHELTERBEDS_CLOCK_ANCHOR")),
        "log_level": env.get("SHELTERBEDS_LOG_LEVEL", "info"),
        "stream_replicas": int(env.get("SHELTERBEDS_STREAM_REPLICAS", "1")),
        "tick_seconds": float(env.get("SHELTERBEDS_TICK_SECONDS", "1")),
        "db_pool_size": int(env.get("SHELTERBEDS_DB_POOL_SIZE", "10")),
        "telegram_bot_token": env.get("SHELTERBEDS_TELEGRAM_BOT_TOKEN") or None,
        "telegram_api_url": env.get("SHELTERBEDS_TELEGRAM_API_URL", "https://api.telegram.org"),
        "smtp_host": env.get("SHELTERBEDS_SMTP_HOST", "127.0.0.1"),
        "smtp_port": int(env.get("SHELTERBEDS_SMTP_PORT", "25")),
        "smtp_from": env.get("SHELTERBEDS_SMTP_FROM", "shelterbeds@localhost"),
        "escalate_after_minutes": float(env.get("SHELTERBEDS_ESCALATE_AFTER_MINUTES", "10")),
        "delivery_timeout_seconds": float(env.get("SHELTERBEDS_DELIVERY_TIMEOUT_SECONDS", "10")),
        "waitlist_hours": float(env.get("SHELTERBEDS_WAITLIST_HOURS", "12")),
        "writes_per_minute": int(env.get("SHELTERBEDS_WRITES_PER_MINUTE", "120")),
        "address_requests_per_minute": int(env.get("SHELTERBEDS_ADDRESS_REQUESTS_PER_MINUTE", "60")),
        "absent_nights": int(env.get("SHELTERBEDS_ABSENT_NIGHTS", "3")),
        "intake_url": env.get("SHELTERBEDS_INTAKE_URL") or _local_url(env, "intake"),
        "cookie_secure": env.get("SHELTERBEDS_COOKIE_SECURE", "1") not in ("0", "false", "no"),
        "shutdown_grace_seconds": float(env.get("SHELTERBEDS_SHUTDOWN_GRACE_SECONDS", "10")),
        "shutdown_drain_seconds": float(env.get("SHELTERBEDS_SHUTDOWN_DRAIN_SECONDS", "1")),
        "consumer_ack_wait_seconds": float(env.get("SHELTERBEDS_CONSUMER_ACK_WAIT_SECONDS", "30")),
        "availability_max_age_seconds": float(env.get("SHELTERBEDS_AVAILABILITY_MAX_AGE_SECONDS", "60")),
    }
    values.update(overrides)
    if "secret" not in values:
        values["secret"] = load_secret(data_dir, env)
    if "previous_secret" not in values:
        values["previous_secret"] = load_previous_secret(data_dir, env)
    return msgspec.convert(values, Settings)
