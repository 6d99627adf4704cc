"""The whole flow through the generated Python client, against a live Tessera whose WeChat is the
simulator (scripts/check-integration starts both):
admin login → pool → connection and settings → mini program login → ticket exchange → token
verified against the pool's JWKS → user blocked → the next exchange answers 403 user_blocked.

Environment: TESSERA_URL, WECHAT_SIM_URL, TESSERA_ADMIN_PASSWORD.
"""

from __future__ import annotations

import os
import secrets
import sys
import traceback
from typing import Any, TypeVar

import httpx
import jwt

from tessera_client import AuthenticatedClient, Client
from tessera_client.api.app_2_wxapp import app_2_wxapp_exchange, app_2_wxapp_login
from tessera_client.api.auth import admin_login
from tessera_client.api.connections import put_app_2_wxapp_connection
from tessera_client.api.user_pools import create_user_pool, delete_user_pool, update_user_pool
from tessera_client.api.users import update_user
from tessera_client.api.well_known import get_open_id_configuration
from tessera_client.models import (
    AccessTokenOut,
    AdminCredentials,
    App2WxappPatch,
    Connection,
    CreatePool,
    ErrorBody,
    ExchangeBody,
    ExchangedUser,
    LoginBody,
    LoginResponse,
    OpenIdConfiguration,
    PatchPool,
    PatchUser,
    Pool,
    PoolWithSecret,
    PutConnection,
    SettingsPatch,
    User,
)
from tessera_client.types import Response

T = TypeVar("T")


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set")
    return value


BASE_URL = env("TESSERA_URL")
SIM_URL = env("WECHAT_SIM_URL")
ADMIN_PASSWORD = env("TESSERA_ADMIN_PASSWORD")

steps = 0


def step(title: str, detail: str = "") -> None:
    global steps
    steps += 1
    print(f"  {steps:2}. {title}{': ' + detail if detail else ''}", flush=True)


def check(condition: object, what: str) -> None:
    if not condition:
        raise AssertionError(f"check failed: {what}")


def expect(response: Response[T | ErrorBody], cls: type[T], status: int) -> T:
    """The parsed answer when it is `status` and of type `cls`; fails with the error otherwise."""
    parsed = response.parsed
    if response.status_code != status or not isinstance(parsed, cls):
        raise AssertionError(f"expected {status} {cls.__name__}, got {int(response.status_code)}: {response.content!r}")
    return parsed


def refused(response: Response[Any], status: int, error: str) -> None:
    """Checks that the answer is the documented error `status` `error`."""
    parsed = response.parsed
    check(
        response.status_code == status and isinstance(parsed, ErrorBody) and parsed.error == error,
        f"expected {status} {error}, got {int(response.status_code)}: {response.content!r}",
    )


def sim(path: str, body: dict[str, str]) -> dict[str, Any]:
    """The simulator's control API: what WeChat would hand the mini program."""
    answer = httpx.post(f"{SIM_URL}/__sim/{path}", json=body)
    check(answer.is_success, f"simulator {path} answered {answer.status_code}")
    result: dict[str, Any] = answer.json() if answer.content else {}
    return result


def main() -> None:
    anonymous = Client(base_url=BASE_URL)

    token = expect(
        admin_login.sync_detailed(client=anonymous, body=AdminCredentials(username="admin", password=ADMIN_PASSWORD)),
        AccessTokenOut,
        200,
    )
    admin = AuthenticatedClient(base_url=BASE_URL, token=token.access_token)
    step("admin logged in")

    pool_id = f"py-{secrets.token_hex(8)}"
    pool = expect(
        create_user_pool.sync_detailed(client=admin, body=CreatePool(name="Python scenario", id=pool_id)),
        PoolWithSecret,
        201,
    )
    check(pool.id == pool_id, "the pool keeps the id it was created with")
    step("pool created", pool.id)

    app_id = f"wx{secrets.token_hex(8)}"
    app_secret = secrets.token_hex(16)
    sim("apps", {"appId": app_id, "secret": app_secret})
    connection = expect(
        put_app_2_wxapp_connection.sync_detailed(
            pool_id, client=admin, body=PutConnection(app_id=app_id, app_secret=app_secret)
        ),
        Connection,
        200,
    )
    check(connection.app_id == app_id, "the connection holds the AppID")
    check(app_secret not in str(connection.to_dict()), "the AppSecret is never returned")
    step("mini program connected", app_id)

    settings = SettingsPatch(
        token_ttl_seconds=3600,
        app2wxapp=App2WxappPatch(require_secret=True, ticket_ttl_seconds=60),
    )
    patched = expect(update_user_pool.sync_detailed(pool_id, client=admin, body=PatchPool(settings=settings)), Pool, 200)
    check(patched.settings.app2wxapp.ticket_ttl_seconds == 60, "ticketTtlSeconds is 60")
    check(patched.settings.token_ttl_seconds == 3600, "tokenTtlSeconds is 3600")
    step("settings changed", "tickets live 60 s, tokens 1 h, the secret is required")

    openid = f"o{secrets.token_hex(12)}"
    unionid = f"u{secrets.token_hex(12)}"

    def login_once() -> LoginResponse:
        code = sim("login-codes", {"appId": app_id, "openid": openid, "unionid": unionid})["code"]
        phone_code = sim("phone-codes", {"appId": app_id, "phone": "13800138000"})["code"]
        body = LoginBody(code=code, phone_code=phone_code, get_phone=True)
        return expect(app_2_wxapp_login.sync_detailed(pool_id, client=anonymous, body=body), LoginResponse, 200)

    login, kept = login_once(), login_once()
    check(login.expires_in == 60, "the ticket lives as long as the settings say")
    step("mini program logged in twice", f"tickets for {login.expires_in} s")

    refused(
        app_2_wxapp_exchange.sync_detailed(pool_id, client=anonymous, body=ExchangeBody(ticket=login.ticket)),
        401,
        "secret_required",
    )
    user = expect(
        app_2_wxapp_exchange.sync_detailed(
            pool_id, client=anonymous, body=ExchangeBody(ticket=login.ticket, secret=pool.secret)
        ),
        ExchangedUser,
        200,
    )
    check(user.openid == openid and user.unionid == unionid, "the user is the one WeChat named")
    check(user.phone == "13800138000", "the phone number came from the phone code")
    check(user.register_method == "oauth:app2wxapp", "registerMethod")
    step("first ticket exchanged (after a refusal without the secret)", f"user {user.field_id}")

    discovery = expect(
        get_open_id_configuration.sync_detailed(pool_id, client=anonymous), OpenIdConfiguration, 200
    )
    signing_key = jwt.PyJWKClient(discovery.jwks_uri).get_signing_key_from_jwt(user.token)
    claims = jwt.decode(
        user.token,
        signing_key.key,
        algorithms=discovery.id_token_signing_alg_values_supported,
        audience=pool_id,
        issuer=discovery.issuer,
    )
    check(claims["sub"] == user.field_id, "the token names the user")
    check(claims["exp"] - claims["iat"] == 3600, "the token lives 1 h")
    step("token verified against the JWKS", f"{jwt.get_unverified_header(user.token)['alg']}, kid {signing_key.key_id}")

    blocked = expect(
        update_user.sync_detailed(pool_id, user.field_id, client=admin, body=PatchUser(blocked=True)), User, 200
    )
    check(blocked.blocked, "the user is blocked")
    step("user blocked")

    refused(
        app_2_wxapp_exchange.sync_detailed(
            pool_id, client=anonymous, body=ExchangeBody(ticket=kept.ticket, secret=pool.secret)
        ),
        403,
        "user_blocked",
    )
    step("the ticket issued before the block", "403 user_blocked")
    code = sim("login-codes", {"appId": app_id, "openid": openid, "unionid": unionid})["code"]
    refused(
        app_2_wxapp_login.sync_detailed(pool_id, client=anonymous, body=LoginBody(code=code)), 403, "user_blocked"
    )
    step("a new login", "403 user_blocked")

    deleted = delete_user_pool.sync_detailed(pool_id, client=admin)
    check(deleted.status_code == 204, f"pool deletion answered {int(deleted.status_code)}")
    step("pool deleted")


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001 - report any failure with the step it happened after
        print(f"python scenario: failed after {steps} steps", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
    print(f"python scenario: {steps} steps passed")
