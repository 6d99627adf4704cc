"""An App backend's half of "App launches mini program" login, with the tessera-client package:
exchange the ticket the App received from the mini program for the user and a signed token, then
read the same user through the admin API with the pool's management token.

    pip install tessera-client
    TESSERA_URL=https://id.example.com TESSERA_POOL_ID=… TESSERA_POOL_SECRET=… \\
        python exchange_ticket.py TICKET [CODE_VERIFIER]

Prints the user as one line of JSON. An error answer is printed as "<status> <error>: <message>"
on standard error, and the exit status is 1.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TypeVar

from tessera_client import AuthenticatedClient, Client
from tessera_client.api.app_2_wxapp import app_2_wxapp_exchange
from tessera_client.api.auth import user_pool_login
from tessera_client.api.users import get_user
from tessera_client.models import AccessTokenOut, ErrorBody, ExchangeBody, ExchangedUser, PoolCredentials, User
from tessera_client.types import UNSET, Response

T = TypeVar("T")


class TesseraError(Exception):
    """An answer in the documented error shape: `error` is a stable name such as
    `ticket_invalid`, `secret_invalid`, `user_blocked` or `rate_limited`."""

    def __init__(self, status: int, error: str, message: str, retry_after: str | None = None) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status, self.error, self.retry_after = status, error, retry_after


def data(response: Response[T | ErrorBody], wanted: type[T]) -> T:
    """The answer's model, or a TesseraError for an error answer."""
    if isinstance(response.parsed, wanted):
        return response.parsed
    if isinstance(response.parsed, ErrorBody):
        body = response.parsed
        raise TesseraError(body.code, body.error, body.message, response.headers.get("retry-after"))
    raise TesseraError(int(response.status_code), "unexpected", response.content[:200].decode(errors="replace"))


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set")
    return value


def main(ticket: str, code_verifier: str | None) -> None:
    base_url, pool_id, secret = env("TESSERA_URL"), env("TESSERA_POOL_ID"), env("TESSERA_POOL_SECRET")

    with Client(base_url=base_url) as client:
        # The exchange: single use, so a second exchange of the same ticket answers 400 ticket_invalid.
        body = ExchangeBody(ticket=ticket, secret=secret, code_verifier=code_verifier or UNSET)
        user = data(app_2_wxapp_exchange.sync_detailed(pool_id, client=client, body=body), ExchangedUser)

        # The admin API, as the pool itself: a management token from the pool's id and secret.
        credentials = PoolCredentials(user_pool_id=pool_id, secret=secret)
        token = data(user_pool_login.sync_detailed(client=client, body=credentials), AccessTokenOut)

    with AuthenticatedClient(base_url=base_url, token=token.access_token) as admin:
        stored = data(get_user.sync_detailed(pool_id, user.field_id, client=admin), User)

    print(
        json.dumps(
            {
                "id": user.field_id,
                "openid": user.openid,
                "unionid": user.unionid,
                "phone": user.phone,
                "tokenExpiredAt": user.token_expired_at,
                "loginsCount": stored.logins_count,
                "blocked": stored.blocked,
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit("usage: python exchange_ticket.py TICKET [CODE_VERIFIER]")
    try:
        main(sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else None)
    except TesseraError as err:
        print(err, file=sys.stderr)
        sys.exit(1)
