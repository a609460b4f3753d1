"""Express check-in cards: a QR code carrying an opaque token — never a name — that beds resolves
to the person's id at the door (their hold, or a check-in, in one scan). A new card revokes the
last; a supervisor can revoke it. Beds learns only a digest of the token (`card.issued`), so not
even a leaked event can be printed as a card."""

from __future__ import annotations

import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import datetime

import segno

from contracts.events import intake as ev
from contracts.events.base import Event

CARD_PREFIX = "sbc1."  # what a scanner recognises as ours (and the version of the format)


def new_token() -> str:
    return CARD_PREFIX + secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    """What beds keeps to recognise a card (SHA-256 of the token)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(eq=False)
class Card:
    id: str
    person_id: str
    token: str
    issued_at: datetime
    issued_by: str
    revoked_at: datetime | None = None
    events: list[Event] = field(default_factory=list, repr=False)

    @classmethod
    def issue(cls, *, id: str, person_id: str, issued_by: str, now: datetime) -> Card:
        card = cls(id, person_id, new_token(), now, issued_by)
        card.events.append(
            ev.CardIssued(card_id=id, person_id=person_id, token_digest=token_digest(card.token))
        )
        return card

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, now: datetime) -> bool:
        if not self.active:
            return False
        self.revoked_at = now
        self.events.append(ev.CardRevoked(card_id=self.id, person_id=self.person_id))
        return True

    def png(self) -> bytes:
        """A printable QR code of the token alone (no name, nothing else on it)."""
        out = io.BytesIO()
        segno.make(self.token, error="m").save(out, kind="png", scale=10, border=4)
        return out.getvalue()
