"""How an alert leaves the system, one sender per channel kind. A sender either returns (the
peer took it) or raises `NotDelivered` with a short reason — never the peer's body, which could
echo back anything. Every send has a timeout, so a dead peer costs one timeout, not a stuck loop.

Webhooks are signed the Standard Webhooks way: `webhook-id` (the delivery's id, the same on
every retry, so a receiver can drop a repeat), `webhook-timestamp` (Unix seconds) and
`webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx
import msgspec

from common.clock import real_now
from services.notifications.domain.teams import Channel, ChannelKind


class NotDelivered(Exception):
    def __init__(self, reason: str, status_code: int | None = None):
        super().__init__(reason)
        self.reason = reason[:200]
        self.status_code = status_code


@dataclass(frozen=True)
class Outgoing:
    delivery_id: str
    alert_id: str
    kind: str
    team_id: str
    site_id: str | None
    text: str
    created_at: str


class Sender(Protocol):
    async def send(self, channel: Channel, message: Outgoing) -> int | None:
        """Returns the peer's status code where there is one."""
        ...


def signing_key(secret: str) -> bytes:
    # Standard Webhooks secrets are "whsec_" + base64 of the key; any other secret is used as is.
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except ValueError:
            pass
    return secret.encode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


def _check(response: httpx.Response) -> int:
    if not 200 <= response.status_code < 300:
        raise NotDelivered(f"HTTP {response.status_code}", response.status_code)
    return response.status_code


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient):
        self.client = client

    async def send(self, channel: Channel, message: Outgoing) -> int | None:
        body = msgspec.json.encode(
            {
                "type": f"alert.{message.kind}",
                "timestamp": message.created_at,
                "data": {
                    "alert_id": message.alert_id,
                    "kind": message.kind,
                    "team_id": message.team_id,
                    "site_id": message.site_id,
                    "text": message.text,
                },
            }
        )
        timestamp = int(real_now().timestamp())
        headers = {
            "content-type": "application/json",
            "webhook-id": message.delivery_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(channel.secret or "", message.delivery_id, timestamp, body),
        }
        try:
            response = await self.client.post(channel.target, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise NotDelivered(type(exc).__name__) from exc
        return _check(response)


class TelegramSender:
    def __init__(self, client: httpx.AsyncClient, api_url: str, bot_token: str | None):
        self.client = client
        self.api_url = api_url.rstrip("/")
        self.bot_token = bot_token

    async def send(self, channel: Channel, message: Outgoing) -> int | None:
        if not self.bot_token:
            raise NotDelivered("no Telegram bot token configured (SHELTERBEDS_TELEGRAM_BOT_TOKEN)")
        url = f"{self.api_url}/bot{self.bot_token}/sendMessage"
        try:
            response = await self.client.post(url, json={"chat_id": channel.target, "text": message.text})
        except httpx.HTTPError as exc:
            raise NotDelivered(type(exc).__name__) from exc
        status = _check(response)
        try:
            ok = msgspec.json.decode(response.content).get("ok") is True
        except (msgspec.DecodeError, AttributeError):
            ok = False
        if not ok:
            raise NotDelivered("Telegram did not answer ok", status)
        return status


class EmailSender:
    def __init__(self, host: str, port: int, sender: str, timeout: float):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout

    def _send(self, to: str, text: str) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, to, text[:78]
        mail.set_content(text)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(mail)

    async def send(self, channel: Channel, message: Outgoing) -> int | None:
        try:
            # smtplib blocks: a thread keeps the event loop (and the other channels) moving
            await asyncio.to_thread(self._send, channel.target, message.text)
        except (OSError, smtplib.SMTPException) as exc:
            raise NotDelivered(type(exc).__name__) from exc
        return None


def senders(
    client: httpx.AsyncClient, *, telegram_api_url: str, telegram_bot_token: str | None, smtp: EmailSender
) -> dict[ChannelKind, Sender]:
    return {
        "webhook": WebhookSender(client),
        "telegram": TelegramSender(client, telegram_api_url, telegram_bot_token),
        "email": smtp,
    }
