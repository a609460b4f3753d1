"""The three services as the command line knows them: how to build each, where its migrations are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import services

SERVICES_DIR = Path(services.__file__).parent


@dataclass(frozen=True)
class ServiceEntry:
    name: str

    @property
    def migrations(self) -> Path:
        return SERVICES_DIR / self.name / "adapters" / "migrations"

    @property
    def create_app(self) -> Callable[..., Any]:
        return import_module(f"services.{self.name}.app").create_app  # type: ignore[no-any-return]


SERVICES = {name: ServiceEntry(name) for name in ("beds", "intake", "notifications")}


def plumbing_of(name: str) -> Any:
    """The service's plumbing tables (outbox, inbox, ...), for commands that work on them."""
    return import_module(f"services.{name}.adapters.orm").plumbing
