"""`shelterbeds up`: everything on one machine — an embedded nats-server with JetStream, SQLite
files (or databases on a PostgreSQL server), migrations, demo data, and the three services, each
in its own process exactly as production runs them. Prints the URLs, then a line `ready`.

SIGINT/SIGTERM stops the services first (each drains its outbox to NATS), then NATS. A service
that dies is restarted; one that keeps dying stops the whole system with an error.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from common.clock import Clock, make_clock
from common.logging import configure_logging, get_logger, resolve_log_format
from common.migrations import upgrade
from common.settings import SERVICES, Settings, load_secret, settings_from_env
from shelterbeds.embedded_nats import OPERATOR, EmbeddedNats, port_is_free
from shelterbeds.registry import SERVICES as ENTRIES

log = get_logger("shelterbeds.up")
READY_TIMEOUT_S = 90
MAX_RESTARTS = 5
RESTART_WINDOW_S = 60
PR_SET_PDEATHSIG = 1
# What `up` does not decide itself but the services need from the operator's environment.
PASSED_ON = (
    "SHELTERBEDS_SECRET",
    "SHELTERBEDS_DATABASE_PREFIX",
    "SHELTERBEDS_TELEGRAM_BOT_TOKEN",
    "SHELTERBEDS_TELEGRAM_API_URL",
    "SHELTERBEDS_SMTP_HOST",
    "SHELTERBEDS_SMTP_PORT",
    "SHELTERBEDS_SMTP_FROM",
    "SHELTERBEDS_ESCALATE_AFTER_MINUTES",
    "SHELTERBEDS_COOKIE_SECURE",
    "SHELTERBEDS_INTAKE_URL",
    "SHELTERBEDS_DELIVERY_TIMEOUT_SECONDS",
    "SHELTERBEDS_ABSENT_NIGHTS",
    "SHELTERBEDS_SHUTDOWN_GRACE_SECONDS",
    "SHELTERBEDS_SHUTDOWN_DRAIN_SECONDS",
)


@dataclass
class UpOptions:
    data_dir: Path
    host: str = "127.0.0.1"
    ports: dict[str, int] = field(
        default_factory=lambda: {"beds": 8101, "intake": 8102, "notifications": 8103}
    )
    nats_port: int = 14222
    nats_url: str | None = None
    database_url: str | None = None
    demo: bool = True
    time_scale: float = 1.0
    log_level: str = "info"
    log_format: str | None = None


def _progress(line: str) -> None:
    """A step of the start, on stdout beside the URLs: the user sees it move, scripts wait for `ready`."""
    print(line, flush=True)


def _die_with_parent() -> None:
    """Children go when `up` goes, even if it is killed outright (Linux)."""
    os.setpgid(0, 0)
    with contextlib.suppress(OSError):  # not Linux: children just don't get the extra guarantee
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class TrainingClock:
    """The anchor of the (possibly faster) clock, kept in the data dir so that training time never
    runs backwards across restarts: it resumes where it stopped, or at the real time if later."""

    def __init__(self, data_dir: Path, scale: float):
        self.path = data_dir / "clock.json"
        self.scale = scale
        now = time.time()
        last = self._last_virtual()
        self.anchor: tuple[float, float] | None = None
        if scale != 1 or (last is not None and last > now):
            self.anchor = (now, max(now, last or now))
            self._save(self.anchor[1])

    def _last_virtual(self) -> float | None:
        if not self.path.exists():
            return None
        try:
            return float(json.loads(self.path.read_text())["last_virtual"])
        except (ValueError, KeyError, TypeError):
            return None

    def clock(self) -> Clock:
        real, virtual = self.anchor or (None, None)
        return make_clock(self.scale, real, virtual)

    def env(self) -> dict[str, str]:
        if self.anchor is None:
            return {"SHELTERBEDS_TIME_SCALE": "1"}
        return {
            "SHELTERBEDS_TIME_SCALE": repr(self.scale),
            "SHELTERBEDS_CLOCK_ANCHOR": f"{self.anchor[0]!r}:{self.anchor[1]!r}",
        }

    def stop(self) -> None:
        if self.anchor is not None:
            self._save(self.clock().now().timestamp())

    def _save(self, last_virtual: float) -> None:
        self.path.write_text(json.dumps({"scale": self.scale, "last_virtual": last_virtual}))


class Supervisor:
    def __init__(self, options: UpOptions):
        self.options = options
        self.data_dir = options.data_dir
        self.training: TrainingClock | None = None  # anchored just before the services need it
        self.nats = None if options.nats_url else EmbeddedNats(self.data_dir, options.host, options.nats_port)
        self.nats_url = options.nats_url or self.nats.url  # type: ignore[union-attr]
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: dict[str, list[float]] = {name: [] for name in SERVICES}
        self.stopping = threading.Event()

    @property
    def clock(self) -> TrainingClock:
        if self.training is None:
            self.training = TrainingClock(self.data_dir, self.options.time_scale)
        return self.training

    def nats_url_of(self, service: str) -> str:
        """The embedded server: each service with its own user (the operator for the rest)."""
        if self.nats is None:
            return self.nats_url
        return self.nats.url_for(service if service in SERVICES else OPERATOR)

    def child_env(self, service: str = OPERATOR) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHELTERBEDS_")}
        for passed_on in PASSED_ON:
            if os.environ.get(passed_on):
                env[passed_on] = os.environ[passed_on]
        env |= {
            "SHELTERBEDS_DATA_DIR": str(self.data_dir),
            "SHELTERBEDS_HOST": self.options.host,
            "SHELTERBEDS_NATS_URL": self.nats_url_of(service),
            "SHELTERBEDS_LOG_LEVEL": self.options.log_level,
            # decided once here: the children's stderr is ours, they must not each guess again
            "SHELTERBEDS_LOG_FORMAT": resolve_log_format(self.options.log_format),
            **{f"SHELTERBEDS_{name.upper()}_PORT": str(port) for name, port in self.options.ports.items()},
            **self.clock.env(),
        }
        if self.options.database_url:
            env["SHELTERBEDS_DATABASE_URL"] = self.options.database_url
        return env

    def settings(self, service: str) -> Settings:
        return settings_from_env(service, env=self.child_env(service))  # type: ignore[arg-type]

    # -- the steps -------------------------------------------------------------------------------

    def run(self) -> int:
        for name, port in self.options.ports.items():
            if not port_is_free(self.options.host, port):
                print(
                    f"error: port {port} for {name} is taken; choose another with --{name}-port",
                    file=sys.stderr,
                )
                return 2
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)
        try:
            return self._run()
        except Exception as exc:
            print(f"error: {exc}", file=sys.stderr)
            log.error("up_failed", error=type(exc).__name__, exc_info=exc)
            return 1
        finally:
            self.shutdown()

    def _run(self) -> int:
        load_secret(self.data_dir)
        _progress(f"starting shelterbeds (data dir {self.data_dir})")
        if self.nats is not None:
            self.nats.start(preexec=_die_with_parent)
            asyncio.run(self.nats.wait_ready())
            _progress(f"NATS started on {self.nats_url}")
        asyncio.run(self._prepare())
        for name in SERVICES:
            self._spawn(name)
        _progress("starting the services ...")
        self._wait_ready()
        if self.stopping.is_set():
            return 0
        self._announce()
        return self._watch()

    async def _prepare(self) -> None:
        # One after another: Alembic's `context` is process-global, concurrent upgrades interleave.
        for service in SERVICES:
            url = self.settings(service).database_url
            await upgrade(url, ENTRIES[service].migrations)
            _progress(f"{service} database migrated ({_where(url)})")
        if self.options.demo:
            from shelterbeds.demo import seed_demo
            from shelterbeds.demo_referrals import seed_referrals

            created = await seed_demo(self.settings("beds"), self.clock.clock())
            # After the sites: the referrals are placed at them, one left in every state.
            referrals = await seed_referrals(
                self.settings("beds"), self.settings("intake"), self.clock.clock()
            )
            log.info("demo_data", created=created, referrals=referrals)
            _progress("demo data created" if created else "demo data already present")

    def _spawn(self, name: str) -> None:
        self.children[name] = subprocess.Popen(
            [sys.executable, "-m", "shelterbeds", "serve", name, "--no-migrate"],
            env=self.child_env(name),
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr.fileno(),
            preexec_fn=_die_with_parent,
        )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        waiting = set(SERVICES)
        while waiting and not self.stopping.is_set():
            for name in sorted(waiting):
                child = self.children[name]
                if child.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {child.returncode} while starting; see its log above"
                    )
                if _is_ready(self._url(name)):
                    waiting.discard(name)
                    _progress(f"{name} serving on {self._url(name)}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {READY_TIMEOUT_S} s: {', '.join(sorted(waiting))}")
            self.stopping.wait(0.1)

    def _url(self, name: str) -> str:
        host = "127.0.0.1" if self.options.host in ("0.0.0.0", "") else self.options.host
        return f"http://{host}:{self.options.ports[name]}"

    def _announce(self) -> None:
        lines = [f"shelterbeds is up (data dir {self.data_dir})"]
        lines += [f"{name:<14} {self._url(name)}   docs {self._url(name)}/schema" for name in SERVICES]
        lines.append(f"{'nats':<14} {self.nats_url}")
        lines.append(f"tokens: shelterbeds token --role admin --data-dir {self.data_dir}")
        if self.options.time_scale != 1:
            lines.append(f"clocks run {self.options.time_scale:g}x faster than real time")
        print("\n".join(lines), flush=True)
        print("ready", flush=True)

    def _watch(self) -> int:
        while not self.stopping.wait(0.5):
            for name, child in list(self.children.items()):
                if child.poll() is None:
                    continue
                now = time.monotonic()
                recent = [t for t in self.restarts[name] if now - t < RESTART_WINDOW_S]
                if len(recent) >= MAX_RESTARTS:
                    print(f"error: {name} keeps exiting ({child.returncode}); stopping", file=sys.stderr)
                    return 1
                log.warning("service_restarting", service=name, exit_code=child.returncode)
                self.restarts[name] = [*recent, now]
                self._spawn(name)
        return 0

    def _on_signal(self, signum: int, _: object) -> None:
        log.info("stopping", signal=signal.Signals(signum).name)
        self.stopping.set()

    def shutdown(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 25
        for child in self.children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self.nats is not None:
            self.nats.stop()
        if self.training is not None:
            self.training.stop()


def _is_ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(base_url + "/health/ready", timeout=1) as response:  # noqa: S310 - loopback
            return bool(response.status == 200)
    except OSError:
        return False


def _where(database_url: str) -> str:
    """The database, without a password, for the progress line."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    return f"PostgreSQL {url.host}:{url.port or 5432}/{url.database}"


def up(options: UpOptions) -> int:
    configure_logging(options.log_level, fmt=options.log_format)
    options.data_dir.mkdir(parents=True, exist_ok=True)
    return Supervisor(options).run()
