"""Bearer tokens (JWT, HS256, signed with the deployment's secret) and the typed principal that
handlers see. A token carries a role and a scope: the caller's team and the sites it works at.

- Short-lived: 12 hours by default (a shift), at most `MAX_TTL`.
- `alg` pinned to HS256: a token saying `none` or RS256 is refused by PyJWT before anything else.
- Key rotation: each token names its key (`kid`, a digest of the secret, never the secret).
  During a rollover the previous secret is still accepted (`SHELTERBEDS_PREVIOUS_SECRET` or the
  data dir's `secret.previous`), new tokens are signed with the new one only.
- Revocation (a lost phone): the token's `jti` on the deny list (`common.revocation`), read by
  every service on each request.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal, get_args

import jwt
import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.security.jwt import JWTCookieAuth, Token

from common.clock import real_now
from common.ids import Uuid, is_uuid

Role = Literal["shelter_staff", "patrol", "crisis_team", "supervisor", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
ISSUER = "shelterbeds"
AUDIENCE = "shelterbeds"
ALGORITHM = "HS256"
DEFAULT_TTL = timedelta(hours=12)
MAX_TTL = timedelta(hours=24)


def key_id(secret: str) -> str:
    """Names a signing key in a token's header without telling anything about it."""
    return hashlib.sha256(b"shelterbeds-kid:" + secret.encode()).hexdigest()[:16]


def keyed_token(keys: Mapping[str, str], current: str) -> type[Token]:
    """litestar's Token, verified with the key its `kid` names (a token without one: the current
    key). An unknown `kid` is refused like a bad signature."""

    class KeyedToken(Token):
        @classmethod
        def decode_payload(
            cls,
            encoded_token: str,
            secret: str,
            algorithms: list[str],
            issuer: str | Sequence[str] | None = None,
            audience: str | Sequence[str] | None = None,
            options: Any = None,
        ) -> Any:
            kid = jwt.get_unverified_header(encoded_token).get("kid")
            key = keys.get(kid) if isinstance(kid, str) else (current if kid is None else None)
            if key is None:
                raise jwt.InvalidTokenError("the token names a key this deployment does not have")
            return super().decode_payload(encoded_token, key, [ALGORITHM], issuer, audience, options)

    return KeyedToken


# A sign-in link carries a token of its own kind: exchanged once for a session cookie by the
# pages, never accepted as a bearer token (a link in a chat history must not open the API), and
# never twice (its jti is spent on first use: `common.revocation.spend`).
SIGN_IN_LINK = "sign-in-link"
LINK_TTL = timedelta(minutes=15)


class Principal(msgspec.Struct, frozen=True):
    """Who is calling. `subject` identifies the token holder (for idempotency and audit)."""

    subject: str
    role: Role
    team_id: str | None = None
    site_ids: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def works_at(self, site_id: str) -> bool:
        return site_id in self.site_ids


class InvalidToken(Exception):
    pass


class Tokens:
    def __init__(
        self,
        secret: str,
        *,
        previous: str | None = None,
        revoked: Callable[[str], bool] | None = None,
        spend_link: Callable[[str, int], bool] | None = None,
    ):
        for key in (secret, previous):
            if key is not None and len(key) < 32:
                raise ValueError(
                    "the token secret must be at least 32 characters (HS256 needs a 256-bit key)"
                )
        self._secret = secret
        self.kid = key_id(secret)
        self.keys = {self.kid: secret} | ({key_id(previous): previous} if previous else {})
        self.token_class = keyed_token(self.keys, secret)
        self.is_revoked = revoked or (lambda _: False)
        # Without a store of used links (a CLI that only issues), no link can be redeemed at all.
        self.spend_link = spend_link or (lambda _jti, _exp: False)

    def issue(
        self,
        role: str,
        *,
        team_id: str | None = None,
        site_ids: tuple[str, ...] | list[str] = (),
        ttl: timedelta = DEFAULT_TTL,
        subject: str | None = None,
        now: datetime | None = None,
        use: str | None = None,
    ) -> str:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        if not timedelta(0) < ttl <= MAX_TTL:
            raise ValueError(
                f"a token lives more than 0 and at most {MAX_TTL.total_seconds() / 3600:g} hours"
            )
        issued = now or real_now()
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": subject or f"token-{uuid.uuid4()}",
            "jti": str(uuid.uuid4()),
            "role": role,
            "iat": int(issued.timestamp()),
            "exp": int((issued + ttl).timestamp()),
        }
        if team_id:
            claims["team"] = team_id
        if use:
            claims["use"] = use
        if not all(is_uuid(site) for site in site_ids):
            raise ValueError("every site is a site id (a UUID)")
        if site_ids:
            claims["sites"] = sorted(set(site_ids))
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM, headers={"kid": self.kid})

    @property
    def secret(self) -> str:
        return self._secret

    def verify(self, token: str) -> Principal:
        """The same checks the HTTP door makes (`jwt_auth`), for callers outside a request."""
        try:
            decoded = self.token_class.decode(token, self._secret, ALGORITHM, **DECODE_RULES)
        except NotAuthorizedException as exc:
            raise InvalidToken("the token is not valid") from exc
        if self.is_revoked(str(decoded.jti or "")):
            raise InvalidToken("the token has been revoked")
        return principal_of(decoded)

    def sign_in_link(self, principal: Principal, *, now: datetime | None = None) -> str:
        """A short-lived token that only the pages' sign-in link accepts."""
        return self.issue(
            principal.role,
            team_id=principal.team_id,
            site_ids=sorted(principal.site_ids),
            ttl=LINK_TTL,
            subject=principal.subject,
            now=now,
            use=SIGN_IN_LINK,
        )

    def redeem_link(self, token: str) -> Principal:
        """The principal a sign-in link stands for; anything else (a bearer token, an expired
        or forged link) is refused."""
        try:
            decoded = self.token_class.decode(token, self._secret, ALGORITHM, **DECODE_RULES)
        except NotAuthorizedException as exc:
            raise InvalidToken("the sign-in link is not valid or has expired") from exc
        if decoded.extras.get("use") != SIGN_IN_LINK:
            raise InvalidToken("this is not a sign-in link")
        issued, expires = decoded.iat.timestamp(), decoded.exp.timestamp()
        if expires - issued > LINK_TTL.total_seconds():
            raise InvalidToken("a sign-in link lives at most 15 minutes")
        jti = str(decoded.jti or "")
        principal = principal_of(decoded, link=True)
        if self.is_revoked(jti):
            raise InvalidToken("the sign-in link has been revoked")
        if not self.spend_link(jti, int(expires)):
            raise InvalidToken("this sign-in link was already used")
        return principal


DECODE_RULES: dict[str, Any] = {
    "audience": [AUDIENCE],
    "issuer": [ISSUER],
    "require_claims": ["exp", "iat", "sub", "iss", "aud", "jti"],
}


NonEmpty = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Claims(msgspec.Struct, frozen=True):
    """What a token must say, decoded strictly: a `sites` string is not a list of its letters."""

    sub: NonEmpty
    role: Role
    team: NonEmpty | None = None
    sites: list[Uuid] = []


def principal_of(token: Token, *, link: bool = False) -> Principal:
    # litestar's Token checks signature, expiry, issuer and audience, but converts leniently;
    # the claims that grant access are decoded again, strictly.
    if not link and "use" in token.extras:
        raise InvalidToken("a sign-in link is not a bearer token")
    claims = {"sub": token.sub, **{k: v for k, v in token.extras.items() if k in ("role", "team", "sites")}}
    try:
        decoded = msgspec.convert(claims, Claims, strict=True)
    except msgspec.ValidationError as exc:
        raise InvalidToken(f"the token's role or scope is not valid ({exc})") from exc
    if not decoded.sub.strip() or (decoded.team is not None and not decoded.team.strip()):
        raise InvalidToken("the token's subject and team must not be blank")
    return Principal(decoded.sub, decoded.role, decoded.team, frozenset(s.lower() for s in decoded.sites))


COOKIE = "shelterbeds_token"
PUBLIC_PATHS = (r"^/health/", r"^/metrics$", r"^/schema")


def jwt_auth(tokens: Tokens, public: tuple[str, ...] = PUBLIC_PATHS) -> JWTCookieAuth[Principal, Token]:
    """litestar's JWT door: `Authorization: Bearer <token>`, else the `shelterbeds_token` cookie
    (pages); everything needs a token except the public operational paths."""

    async def principal(token: Token, _: ASGIConnection[Any, Any, Any, Any]) -> Principal:
        try:
            return principal_of(token)
        except InvalidToken as exc:
            raise NotAuthorizedException(str(exc)) from exc

    async def revoked(token: Token, _: ASGIConnection[Any, Any, Any, Any]) -> bool:
        return tokens.is_revoked(str(token.jti or ""))

    return JWTCookieAuth[Principal, Token](
        token_secret=tokens.secret,
        retrieve_user_handler=principal,
        revoked_token_handler=revoked,
        token_cls=tokens.token_class,
        algorithm=ALGORITHM,
        key=COOKIE,
        accepted_audiences=DECODE_RULES["audience"],
        accepted_issuers=DECODE_RULES["issuer"],
        require_claims=DECODE_RULES["require_claims"],
        exclude=list(public),
        exclude_http_methods=["OPTIONS"],  # CORS preflight carries no credentials
    )
