"""A pool's OpenID Provider driven end to end by authlib, the Python relying party: discovery, the
authorization code flow with PKCE through the hosted login page (its QR code confirmed by the
mini program through the WeChat simulator), ID token validation against the JWKS, userinfo,
refresh rotation, revocation, introspection, client credentials, token exchange of an app2wxapp
ticket, logout, and the negative cases, each with the exact OAuth error.

authlib's `AsyncOAuth2Client` (httpx) makes every OAuth request; the ID token is checked the way
authlib's own OpenID client does it (joserfc, authlib's JOSE implementation since `authlib.jose`
was deprecated, for the signature against the pool's JWKS; `authlib.oidc.core.CodeIDToken` for
iss, aud, nonce, exp, iat, azp and at_hash). The browser is plain HTTP with cookies making the
hosted page's own calls (scripts/oidc_live.py).

Run by scripts/check_integration.py against its live server: TESSERA_URL, WECHAT_SIM_URL and
TESSERA_ADMIN_PASSWORD. Prints one line per scenario; exits non-zero when one fails.
"""

# ruff: noqa: E402 - the warning filters below must come before the imports that warn

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import sys
import time
import traceback
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import authlib.deprecate  # noqa: F401 - sets its warning filter, which the next lines refine
import httpx

# authlib 1.9 prefers the httpx2 fork and warns when it runs on httpx, which the generated Python
# client of the same virtualenv uses: httpx it is, without the warning on every run. joserfc warns
# that RFC 9864 deprecates the alg name "EdDSA" (for "Ed25519"), which EdDSA pools still sign with.
warnings.filterwarnings("ignore", message="The httpx module is deprecated")
warnings.filterwarnings("ignore", message="EdDSA is deprecated via RFC 9864")

from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from oidc_live import Application, Browser, Failure, Live, Pool, expect, expect_equal, hex_id

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
TICKET_TYPE = "urn:tessera:params:oauth:token-type:app2wxapp-ticket"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
WEB_REDIRECT = "https://rp.example.test/callback"
SPA_REDIRECT = "https://spa.example.test/callback"
SIGNED_OUT = "https://rp.example.test/signed-out"
CODE_TTL_SECONDS = 60
FORM = {"content-type": "application/x-www-form-urlencoded"}


@dataclass
class Provider:
    """A pool as a relying party sees it: its discovery document and JWKS."""

    pool: Pool
    meta: dict[str, Any]
    jwks: dict[str, Any]

    def endpoint(self, name: str) -> str:
        return str(self.meta[f"{name}_endpoint"])


@dataclass
class Signed:
    """What one code flow gave the relying party."""

    token: dict[str, Any]
    claims: dict[str, Any]
    browser: Browser
    openid: str


class Context:
    """What the scenarios share: the live server, the main pool and a second one."""

    def __init__(self, live: Live, main: Provider, other: Provider) -> None:
        self.live = live
        self.op = main
        self.other = other
        self.browsers: list[Browser] = []

    def browser(self) -> Browser:
        browser = Browser(self.live)
        self.browsers.append(browser)
        return browser

    def app(self, key: str) -> Application:
        return self.op.pool.apps[key]


def rp(
    app: Application, auth_method: str | None = None, scope: str = "openid profile offline_access"
) -> AsyncOAuth2Client:
    """authlib's client for `app` (client_secret_basic for confidential clients unless told)."""
    client = AsyncOAuth2Client(
        client_id=app.client_id,
        client_secret=app.client_secret,
        token_endpoint_auth_method=auth_method,
        revocation_endpoint_auth_method=auth_method,
        scope=scope,
        redirect_uri=app.redirect_uri,
        code_challenge_method="S256",
        timeout=15,
    )
    answers: list[httpx.Response] = []

    def keep(response: httpx.Response) -> httpx.Response:
        answers.append(response)
        return response

    client.register_compliance_hook("access_token_response", keep)
    client.register_compliance_hook("refresh_token_response", keep)
    client.answers = answers  # type: ignore[attr-defined]
    return client


def last_answer(client: AsyncOAuth2Client) -> httpx.Response:
    answers: list[httpx.Response] = client.answers  # type: ignore[attr-defined]
    return answers[-1]


async def oauth_error(call: Awaitable[Any]) -> OAuthError:
    """The OAuthError authlib raises for `call`, which must fail."""
    try:
        await call
    except OAuthError as err:
        return err
    raise Failure("the request succeeded; an OAuth error was expected")


async def expect_oauth_error(call: Awaitable[Any], error: str, what: str) -> OAuthError:
    err = await oauth_error(call)
    expect_equal(err.error, error, what)
    return err


def redirect_params(location: str) -> dict[str, str]:
    query = parse_qs(urlsplit(location).query)
    return {k: v[0] for k, v in query.items()}


async def discover(live: Live, pool: Pool) -> Provider:
    answer = await live.http.get(f"{pool.issuer}/.well-known/openid-configuration")
    expect_equal(answer.status_code, 200, "discovery")
    meta = answer.json()
    jwks = await live.http.get(meta["jwks_uri"])
    expect_equal(jwks.status_code, 200, "the JWKS")
    return Provider(pool=pool, meta=meta, jwks=jwks.json())


def validate_id_token(op: Provider, app: Application, token: dict[str, Any], nonce: str | None) -> dict[str, Any]:
    """The ID token's claims once its signature (against the pool's JWKS) and claims check out,
    as authlib's OpenID client validates them."""
    expect("id_token" in token, "an ID token is issued for the openid scope")
    algorithms = op.meta["id_token_signing_alg_values_supported"]
    decoded = jwt.decode(
        token["id_token"],
        KeySet.import_key_set(op.jwks),
        registry=JWSRegistry(algorithms=algorithms, strict_check_header=False),
    )
    options = {
        "iss": {"essential": True, "value": op.meta["issuer"]},
        "aud": {"essential": True, "value": app.client_id},
    }
    params = {"client_id": app.client_id, "access_token": token["access_token"]}
    if nonce:
        params["nonce"] = nonce
    claims = CodeIDToken(decoded.claims, decoded.header, options, params)
    claims.validate(leeway=5)
    expect("at_hash" in claims, "the ID token carries at_hash")
    if nonce is None:
        expect("nonce" not in claims, "no nonce when none was sent")
    expect_equal(claims["azp"], app.client_id, "azp")
    expect(isinstance(claims.get("auth_time"), int), "auth_time")
    return dict(claims)


def access_claims(op: Provider, access_token: str) -> dict[str, Any]:
    """The access token's claims, checked as RFC 9068 says a resource server does."""
    decoded = jwt.decode(
        access_token,
        KeySet.import_key_set(op.jwks),
        registry=JWSRegistry(algorithms=op.meta["id_token_signing_alg_values_supported"]),
    )
    expect_equal(decoded.header.get("typ"), "at+jwt", "the access token's typ (RFC 9068)")
    claims = dict(decoded.claims)
    for name in ("iss", "sub", "aud", "exp", "iat", "jti", "client_id"):
        expect(name in claims, f"the access token carries {name}")
    expect_equal(claims["iss"], op.meta["issuer"], "the access token's iss")
    return claims


def pkce() -> tuple[str, str]:
    verifier = generate_token(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def code_flow(
    ctx: Context,
    app: Application,
    *,
    op: Provider | None = None,
    browser: Browser | None = None,
    openid: str | None = None,
    scope: str = "openid profile offline_access",
    auth_method: str | None = None,
    extra: dict[str, str] | None = None,
) -> Signed:
    """The authorization code flow with PKCE and a nonce, through the hosted page (or the
    browser's login session), redeemed and validated by authlib."""
    op = op or ctx.op
    browser = browser or ctx.browser()
    openid = openid or f"o{hex_id(10)}"
    client = rp(app, auth_method, scope)
    async with client:
        verifier, nonce = generate_token(48), generate_token(20)
        url, state = client.create_authorization_url(
            op.endpoint("authorization"), code_verifier=verifier, nonce=nonce, **(extra or {})
        )
        first = await browser.get(url)
        if first.status_code == 302:  # the browser's login session answered
            location = first.headers["location"]
        else:
            location = await browser.sign_in(url, op.pool, openid)
        params = redirect_params(location)
        expect(location.startswith(app.redirect_uri or ""), f"back to the redirect URI, got {location}")
        expect_equal(params.get("state"), state, "state")
        expect_equal(params.get("iss"), op.meta["issuer"], "iss of the authorization response (RFC 9207)")
        token = await client.fetch_token(op.endpoint("token"), authorization_response=location, code_verifier=verifier)
        answer = last_answer(client)
        expect_equal(answer.headers.get("cache-control"), "no-store", "Cache-Control of the token response")
        expect_equal(token["token_type"].lower(), "bearer", "token_type")
        claims = validate_id_token(op, app, token, nonce)
    return Signed(token=dict(token), claims=claims, browser=browser, openid=openid)


async def introspect(
    ctx: Context, token: str, app_key: str = "web", auth_method: str = "client_secret_post"
) -> dict[str, Any]:
    async with rp(ctx.app(app_key), auth_method) as client:
        answer = await client.introspect_token(ctx.op.endpoint("introspection"), token=token)
    expect_equal(answer.status_code, 200, f"introspection ({answer.text})")
    expect_equal(answer.headers.get("cache-control"), "no-store", "Cache-Control of introspection")
    return dict(answer.json())


async def userinfo(ctx: Context, access_token: str, method: str = "GET") -> httpx.Response:
    client = AsyncOAuth2Client(token={"access_token": access_token, "token_type": "Bearer"}, timeout=15)
    async with client:
        return await client.request(method, ctx.op.endpoint("userinfo"))


# --- The scenarios -----------------------------------------------------------------------------

Scenario = Callable[[Context], Awaitable[None]]
SCENARIOS: list[tuple[str, Scenario]] = []


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    def register(run: Scenario) -> Scenario:
        SCENARIOS.append((name, run))
        return run

    return register


@scenario("discovery: the issuer and every endpoint, PKCE S256, the grants and client auth methods")
async def discovery(ctx: Context) -> None:
    meta = ctx.op.meta
    expect_equal(meta["issuer"], ctx.op.pool.issuer, "issuer")
    for name in ("authorization", "token", "userinfo", "revocation", "introspection", "end_session"):
        expect(str(meta.get(f"{name}_endpoint", "")).startswith(ctx.op.pool.issuer + "/"), f"{name}_endpoint")
    expect_equal(meta["code_challenge_methods_supported"], ["S256"], "code_challenge_methods_supported")
    expect_equal(meta["response_types_supported"], ["code"], "response_types_supported")
    expect(meta.get("authorization_response_iss_parameter_supported") is True, "RFC 9207 iss supported")
    for grant in ("authorization_code", "refresh_token", "client_credentials", TOKEN_EXCHANGE):
        expect(grant in meta["grant_types_supported"], f"grant {grant}")
    for method in ("client_secret_basic", "client_secret_post", "none"):
        expect(method in meta["token_endpoint_auth_methods_supported"], f"auth method {method}")
    expect(ctx.op.jwks.get("keys"), "the JWKS has keys")
    KeySet.import_key_set(ctx.op.jwks)


@scenario("web app: code + PKCE through the hosted page, client_secret_basic; ID and access tokens valid")
async def web_code_flow(ctx: Context) -> None:
    app = ctx.app("web")
    signed = await code_flow(ctx, app)
    claims = signed.claims
    expect_equal(claims["amr"], ["wechat_miniprogram_qrcode"], "amr")
    expect("sid" in claims, "sid")
    expect("refresh_token" in signed.token, "a refresh token for offline_access")
    access = access_claims(ctx.op, signed.token["access_token"])
    expect_equal(access["client_id"], app.client_id, "the access token's client_id")
    expect_equal(access["sub"], claims["sub"], "the access token's sub")
    expect_equal(access["scope"], "openid profile", "the access token's scope (offline_access left out)")
    # The same user's userinfo, by GET and by POST.
    for method in ("GET", "POST"):
        answer = await userinfo(ctx, signed.token["access_token"], method)
        expect_equal(answer.status_code, 200, f"userinfo by {method} ({answer.text})")
        info = answer.json()
        expect_equal(info["sub"], claims["sub"], f"userinfo sub ({method})")
        expect_equal(info.get("wechat_openid"), signed.openid, f"userinfo wechat_openid ({method})")
    # POST with the token in the form body (RFC 6750 §2.2). authlib adds the token to the body
    # but sets no Content-Type on an otherwise empty body, which §2.2 requires: given here.
    token = {"access_token": signed.token["access_token"], "token_type": "Bearer"}
    form = AsyncOAuth2Client(token=token, token_placement="body", timeout=15)
    async with form:
        answer = await form.post(ctx.op.endpoint("userinfo"), data={}, headers=FORM)
    expect_equal(answer.status_code, 200, f"userinfo by POST with the token in the body ({answer.text})")
    expect_equal(answer.json()["sub"], claims["sub"], "userinfo sub (form)")


@scenario("spa app: client auth none + PKCE; SSO into it from the web app's login session; prompt=none")
async def spa_sso(ctx: Context) -> None:
    web = await code_flow(ctx, ctx.app("web"))
    spa = ctx.app("spa")
    # The same browser: its login session signs it into the second application without a scan.
    signed = await code_flow(ctx, spa, browser=web.browser)
    expect_equal(signed.claims["sub"], web.claims["sub"], "the same user in both applications")
    expect_equal(signed.claims["sid"], web.claims["sid"], "the same login session")
    again = await code_flow(ctx, spa, browser=web.browser, extra={"prompt": "none"})
    expect_equal(again.claims["sub"], web.claims["sub"], "prompt=none with a session")
    # The public client refreshes with its client_id alone.
    async with rp(spa) as client:
        renewed = await client.refresh_token(ctx.op.endpoint("token"), refresh_token=again.token["refresh_token"])
        expect(renewed["refresh_token"] != again.token["refresh_token"], "the SPA's refresh token is rotated")
        validate_id_token(ctx.op, spa, dict(renewed), None)
    # A browser without a session: prompt=none answers login_required to the application.
    async with rp(spa) as client:
        url, state = client.create_authorization_url(
            ctx.op.endpoint("authorization"), code_verifier=generate_token(48), prompt="none"
        )
    answer = await ctx.browser().get(url)
    expect_equal(answer.status_code, 302, "prompt=none without a session redirects")
    params = redirect_params(answer.headers["location"])
    expect_equal(params.get("error"), "login_required", "prompt=none without a session")
    expect_equal(params.get("state"), state, "state on the error")
    # prompt=login shows the page even with a session.
    async with rp(spa) as client:
        url, _ = client.create_authorization_url(
            ctx.op.endpoint("authorization"), code_verifier=generate_token(48), prompt="login"
        )
    page = await web.browser.get(url)
    expect_equal(page.status_code, 200, "prompt=login shows the login page")


@scenario("refresh: rotated on use; the rotated token reused is invalid_grant and revokes the family")
async def refresh_rotation(ctx: Context) -> None:
    app = ctx.app("web")
    signed = await code_flow(ctx, app)
    first = signed.token["refresh_token"]
    async with rp(app) as client:
        client.token = signed.token
        renewed = await client.refresh_token(ctx.op.endpoint("token"), refresh_token=first)
        expect_equal(last_answer(client).headers.get("cache-control"), "no-store", "Cache-Control of refresh")
        second = renewed["refresh_token"]
        expect(second != first, "the refresh token is rotated")
        expect(renewed["access_token"] != signed.token["access_token"], "a new access token")
        validate_id_token(ctx.op, app, dict(renewed), None)
        expect_equal((await introspect(ctx, second))["active"], True, "the new refresh token is active")
        err = await expect_oauth_error(
            client.refresh_token(ctx.op.endpoint("token"), refresh_token=first), "invalid_grant", "rotated token reused"
        )
        expect_equal(last_answer(client).status_code, 400, "status of invalid_grant")
        del err
        await expect_oauth_error(
            client.refresh_token(ctx.op.endpoint("token"), refresh_token=second),
            "invalid_grant",
            "the family's newest token after the reuse",
        )
    expect_equal((await introspect(ctx, second))["active"], False, "the family is revoked")


@scenario("revocation (RFC 7009) of refresh and access tokens; introspection then says active: false")
async def revocation(ctx: Context) -> None:
    app = ctx.app("web")
    signed = await code_flow(ctx, app)
    access, refresh = signed.token["access_token"], signed.token["refresh_token"]
    live = await introspect(ctx, access)
    expect_equal(live["active"], True, "a live access token")
    expect_equal(live["client_id"], app.client_id, "introspected client_id")
    expect_equal(live["sub"], signed.claims["sub"], "introspected sub")
    live_refresh = await introspect(ctx, refresh, auth_method="client_secret_basic")
    expect_equal(live_refresh["active"], True, "a live refresh token")
    async with rp(app) as client:
        answer = await client.revoke_token(
            ctx.op.endpoint("revocation"), token=refresh, token_type_hint="refresh_token"
        )
        expect_equal(answer.status_code, 200, "revoking the refresh token")
        expect_equal((await introspect(ctx, refresh))["active"], False, "the revoked refresh token")
        await expect_oauth_error(
            client.refresh_token(ctx.op.endpoint("token"), refresh_token=refresh),
            "invalid_grant",
            "a revoked refresh token",
        )
        answer = await client.revoke_token(ctx.op.endpoint("revocation"), token=access, token_type_hint="access_token")
        expect_equal(answer.status_code, 200, "revoking the access token")
        again = await client.revoke_token(ctx.op.endpoint("revocation"), token=access)
        expect_equal(again.status_code, 200, "revoking it again is no error")
    expect_equal((await introspect(ctx, access))["active"], False, "the revoked access token")
    answer = await userinfo(ctx, access)
    expect_equal(answer.status_code, 401, "userinfo with a revoked token")
    expect("invalid_token" in answer.headers.get("www-authenticate", ""), "the Bearer challenge names invalid_token")


@scenario("introspection: client_secret_post, live tokens described; another client's refresh token is not")
async def introspection(ctx: Context) -> None:
    signed = await code_flow(ctx, ctx.app("web"))
    found = await introspect(ctx, signed.token["access_token"], auth_method="client_secret_post")
    expect_equal(found["active"], True, "active")
    expect_equal(found["token_type"], "Bearer", "token_type")
    expect_equal(found["iss"], ctx.op.meta["issuer"], "iss")
    expect(found["exp"] > time.time(), "exp in the future")
    machine = await introspect(ctx, signed.token["access_token"], app_key="machine")
    expect_equal(machine["active"], True, "any confidential client of the pool may ask about an access token")
    other = await introspect(ctx, signed.token["refresh_token"], app_key="machine")
    expect_equal(other, {"active": False}, "another client's refresh token")
    async with rp(ctx.app("spa")) as client:
        answer = await client.introspect_token(ctx.op.endpoint("introspection"), token=signed.token["access_token"])
    expect_equal(answer.status_code, 401, "a public client may not introspect")
    expect_equal(answer.json()["error"], "invalid_client", "a public client may not introspect")


@scenario("client_credentials: a machine app's token; no user scopes; refused to a web app")
async def client_credentials(ctx: Context) -> None:
    machine = ctx.app("machine")
    async with rp(machine, scope="") as client:
        token = await client.fetch_token(ctx.op.endpoint("token"), grant_type="client_credentials")
        expect("refresh_token" not in token and "id_token" not in token, "only an access token")
        claims = access_claims(ctx.op, token["access_token"])
        expect_equal(claims["sub"], machine.client_id, "sub is the client")
        await expect_oauth_error(
            client.fetch_token(ctx.op.endpoint("token"), grant_type="client_credentials", scope="openid"),
            "invalid_scope",
            "user scopes for client_credentials",
        )
    found = await introspect(ctx, token["access_token"])
    expect_equal(found["active"], True, "the machine token is active")
    expect_equal(found["client_id"], machine.client_id, "its client_id")
    answer = await userinfo(ctx, token["access_token"])
    expect_equal(answer.status_code, 403, "userinfo with a machine token")
    expect_equal(answer.json()["error"], "insufficient_scope", "userinfo with a machine token")
    async with rp(ctx.app("web"), scope="") as web:
        await expect_oauth_error(
            web.fetch_token(ctx.op.endpoint("token"), grant_type="client_credentials"),
            "unauthorized_client",
            "client_credentials for a web app",
        )


@scenario("token exchange of an app2wxapp ticket (RFC 8693), plain and bound to a code_challenge")
async def token_exchange(ctx: Context) -> None:
    app, live, pool = ctx.app("web"), ctx.live, ctx.op.pool
    openid = f"o{hex_id(10)}"
    ticket = await live.app2wxapp_ticket(pool, openid)
    async with rp(app, scope="openid profile") as client:
        exchange = {"grant_type": TOKEN_EXCHANGE, "subject_token_type": TICKET_TYPE}
        token = await client.fetch_token(ctx.op.endpoint("token"), subject_token=ticket, **exchange)
        expect_equal(token.get("issued_token_type"), ACCESS_TOKEN_TYPE, "issued_token_type")
        claims = validate_id_token(ctx.op, app, dict(token), None)
        expect_equal(claims["amr"], ["wechat_miniprogram"], "amr of a ticket")
        answer = await userinfo(ctx, token["access_token"])
        expect_equal(answer.json().get("wechat_openid"), openid, "the ticket's user")
        await expect_oauth_error(
            client.fetch_token(ctx.op.endpoint("token"), subject_token=ticket, **exchange),
            "invalid_grant",
            "the same ticket again",
        )
        verifier, challenge = pkce()
        bound = await live.app2wxapp_ticket(pool, openid, challenge)
        await expect_oauth_error(
            client.fetch_token(ctx.op.endpoint("token"), subject_token=bound, **exchange),
            "invalid_grant",
            "a bound ticket without code_verifier",
        )
        bound = await live.app2wxapp_ticket(pool, openid, challenge)
        await expect_oauth_error(
            client.fetch_token(
                ctx.op.endpoint("token"), subject_token=bound, code_verifier=generate_token(48), **exchange
            ),
            "invalid_grant",
            "a bound ticket with another verifier",
        )
        bound = await live.app2wxapp_ticket(pool, openid, challenge)
        token = await client.fetch_token(
            ctx.op.endpoint("token"), subject_token=bound, code_verifier=verifier, **exchange
        )
        validate_id_token(ctx.op, app, dict(token), None)
        await expect_oauth_error(
            client.fetch_token(
                ctx.op.endpoint("token"), subject_token=ticket, subject_token_type="urn:x", grant_type=TOKEN_EXCHANGE
            ),
            "invalid_request",
            "an unknown subject_token_type",
        )


@scenario("logout (RP-Initiated): back to the registered URI with state; the session is gone")
async def logout(ctx: Context) -> None:
    app = ctx.app("web")
    signed = await code_flow(ctx, app)
    browser = signed.browser
    wrong = {"id_token_hint": signed.token["id_token"], "post_logout_redirect_uri": "https://evil.example.test/out"}
    answer = await browser.get(f"{ctx.op.endpoint('end_session')}?{urlencode(wrong)}")
    expect_equal(answer.status_code, 400, "an unregistered post_logout_redirect_uri")
    expect("location" not in answer.headers, "no redirect to an unregistered URI")
    state = generate_token(16)
    query = {"id_token_hint": signed.token["id_token"], "post_logout_redirect_uri": SIGNED_OUT, "state": state}
    answer = await browser.get(f"{ctx.op.endpoint('end_session')}?{urlencode(query)}")
    expect_equal(answer.status_code, 302, "logout redirects")
    location = answer.headers["location"]
    expect(location.startswith(SIGNED_OUT + "?"), f"to the post-logout URI, got {location}")
    expect_equal(redirect_params(location).get("state"), state, "state after logout")
    expect(browser.cookie("tessera_session") is None, "the session cookie is cleared")
    async with rp(app) as client:
        url, _ = client.create_authorization_url(
            ctx.op.endpoint("authorization"), code_verifier=generate_token(48), prompt="none"
        )
    answer = await browser.get(url)
    expect_equal(redirect_params(answer.headers.get("location", "")).get("error"), "login_required", "after logout")


@scenario("negative: a wrong redirect URI is an error page, never a redirect")
async def wrong_redirect_uri(ctx: Context) -> None:
    async with rp(ctx.app("web")) as client:
        url, _ = client.create_authorization_url(
            ctx.op.endpoint("authorization"),
            code_verifier=generate_token(48),
            redirect_uri="https://evil.example.test/callback",
        )
    answer = await ctx.browser().get(url)
    expect_equal(answer.status_code, 400, "a wrong redirect URI")
    expect("location" not in answer.headers, "no Location")
    expect(answer.headers.get("content-type", "").startswith("text/html"), "an HTML error page")


@scenario("negative: a public client without PKCE is sent back invalid_request (with state and iss)")
async def missing_pkce(ctx: Context) -> None:
    async with rp(ctx.app("spa")) as client:
        url, state = client.create_authorization_url(ctx.op.endpoint("authorization"))
    expect("code_challenge" not in url, "no code_challenge sent")
    answer = await ctx.browser().get(url)
    expect_equal(answer.status_code, 302, "a redirect to the application")
    location = answer.headers["location"]
    expect(location.startswith(SPA_REDIRECT + "?"), f"to the redirect URI, got {location}")
    params = redirect_params(location)
    expect_equal(params.get("error"), "invalid_request", "missing PKCE")
    expect_equal(params.get("state"), state, "state")
    expect_equal(params.get("iss"), ctx.op.meta["issuer"], "iss")


async def authorization_response(
    ctx: Context, app: Application, verifier: str, openid: str | None = None
) -> tuple[str, Browser]:
    """The redirect carrying a fresh code for `app`, after a QR login."""
    browser = ctx.browser()
    async with rp(app) as client:
        url, _ = client.create_authorization_url(ctx.op.endpoint("authorization"), code_verifier=verifier)
    location = await browser.sign_in(url, ctx.op.pool, openid or f"o{hex_id(10)}")
    return location, browser


@scenario("negative: code replay is invalid_grant and revokes the first redemption's tokens")
async def code_replay(ctx: Context) -> None:
    app = ctx.app("web")
    verifier = generate_token(48)
    location, _ = await authorization_response(ctx, app, verifier)
    async with rp(app) as client:
        await expect_oauth_error(
            client.fetch_token(
                ctx.op.endpoint("token"), authorization_response=location, code_verifier=generate_token(48)
            ),
            "invalid_grant",
            "a code with the wrong code_verifier",
        )
    location, _ = await authorization_response(ctx, app, verifier)
    async with rp(app) as client:
        await expect_oauth_error(
            client.fetch_token(ctx.op.endpoint("token"), authorization_response=location),
            "invalid_grant",
            "a code without its code_verifier",
        )
    location, _ = await authorization_response(ctx, app, verifier)
    async with rp(app) as client:
        token = await client.fetch_token(
            ctx.op.endpoint("token"), authorization_response=location, code_verifier=verifier
        )
        expect_equal((await introspect(ctx, token["access_token"]))["active"], True, "the first redemption's token")
        await expect_oauth_error(
            client.fetch_token(ctx.op.endpoint("token"), authorization_response=location, code_verifier=verifier),
            "invalid_grant",
            "the code replayed",
        )
    expect_equal((await introspect(ctx, token["access_token"]))["active"], False, "access token after the replay")
    expect_equal((await introspect(ctx, token["refresh_token"]))["active"], False, "refresh token after the replay")
    async with rp(app) as client:
        await expect_oauth_error(
            client.refresh_token(ctx.op.endpoint("token"), refresh_token=token["refresh_token"]),
            "invalid_grant",
            "refreshing after the replay",
        )


@scenario("negative: a wrong client secret is 401 invalid_client with WWW-Authenticate (basic and post)")
async def wrong_secret(ctx: Context) -> None:
    machine = ctx.app("machine")
    forged = Application(machine.client_id, generate_token(43), machine.type, None, None)
    for method in ("client_secret_basic", "client_secret_post"):
        async with rp(forged, method, scope="") as client:
            await expect_oauth_error(
                client.fetch_token(ctx.op.endpoint("token"), grant_type="client_credentials"),
                "invalid_client",
                f"a wrong secret by {method}",
            )
            answer = last_answer(client)
        expect_equal(answer.status_code, 401, f"status of a wrong secret by {method}")
        expect(answer.headers.get("www-authenticate", "").startswith("Basic"), f"WWW-Authenticate ({method})")
        expect_equal(answer.headers.get("cache-control"), "no-store", "Cache-Control of the error")


@scenario("negative: another pool's client id is invalid_client at the token endpoint, unknown at authorize")
async def cross_pool_client(ctx: Context) -> None:
    stranger = ctx.other.pool.apps["web"]
    async with rp(stranger, scope="openid") as client:
        ticket = await ctx.live.app2wxapp_ticket(ctx.op.pool, f"o{hex_id(10)}")
        await expect_oauth_error(
            client.fetch_token(
                ctx.op.endpoint("token"),
                grant_type=TOKEN_EXCHANGE,
                subject_token=ticket,
                subject_token_type=TICKET_TYPE,
            ),
            "invalid_client",
            "another pool's client at this pool's token endpoint",
        )
        expect_equal(last_answer(client).status_code, 401, "status")
        url, _ = client.create_authorization_url(ctx.op.endpoint("authorization"), code_verifier=generate_token(48))
    answer = await ctx.browser().get(url)
    expect_equal(answer.status_code, 400, "another pool's client at this pool's authorization endpoint")
    expect("location" not in answer.headers, "no redirect for an unknown client")
    # The stranger's own pool still knows it.
    signed = await code_flow(ctx, stranger, op=ctx.other)
    expect_equal(signed.claims["iss"], ctx.other.meta["issuer"], "its own pool's issuer")


@scenario("negative: a blocked user's refresh fails; introspection inactive; its session no longer signs in")
async def blocked_user(ctx: Context) -> None:
    app = ctx.app("web")
    signed = await code_flow(ctx, app)
    await ctx.live.block_user(ctx.op.pool, signed.claims["sub"])
    expect_equal(
        (await introspect(ctx, signed.token["access_token"]))["active"], False, "access token of a blocked user"
    )
    expect_equal(
        (await introspect(ctx, signed.token["refresh_token"]))["active"], False, "refresh token of a blocked user"
    )
    async with rp(app) as client:
        await expect_oauth_error(
            client.refresh_token(ctx.op.endpoint("token"), refresh_token=signed.token["refresh_token"]),
            "invalid_grant",
            "refresh for a blocked user",
        )
    expect_equal((await userinfo(ctx, signed.token["access_token"])).status_code, 401, "userinfo of a blocked user")
    async with rp(app) as client:
        url, _ = client.create_authorization_url(
            ctx.op.endpoint("authorization"), code_verifier=generate_token(48), prompt="none"
        )
    answer = await signed.browser.get(url)
    expect_equal(
        redirect_params(answer.headers.get("location", "")).get("error"), "login_required", "the blocked user's session"
    )


@scenario("negative: duplicate parameters are invalid_request (token endpoint; error page at authorize)")
async def duplicate_parameters(ctx: Context) -> None:
    machine = ctx.app("machine")
    assert machine.client_secret is not None
    body = "grant_type=client_credentials&grant_type=client_credentials"
    answer = await ctx.live.http.post(
        ctx.op.endpoint("token"),
        content=body,
        auth=(machine.client_id, machine.client_secret),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    expect_equal(answer.status_code, 400, "a duplicated grant_type")
    expect_equal(answer.json()["error"], "invalid_request", "a duplicated grant_type")
    async with rp(ctx.app("web")) as client:
        url, _ = client.create_authorization_url(ctx.op.endpoint("authorization"), code_verifier=generate_token(48))
    page = await ctx.browser().get(f"{url}&state=second")
    expect_equal(page.status_code, 400, "a duplicated state at the authorization endpoint")
    expect("location" not in page.headers, "no redirect")


@scenario("ID tokens of RS256 and EdDSA pools validate too (at_hash with SHA-256 / SHA-512)")
async def other_algorithms(ctx: Context) -> None:
    for algorithm in ("RS256", "EdDSA"):
        pool = await ctx.live.create_pool(f"authlib {algorithm}", algorithm)
        try:
            app = await ctx.live.create_app(pool, "web", "web", WEB_REDIRECT)
            op = await discover(ctx.live, pool)
            signed = await code_flow(ctx, app, op=op)
            header = jwt.decode(
                signed.token["id_token"], KeySet.import_key_set(op.jwks), registry=JWSRegistry(algorithms=[algorithm])
            ).header
            expect_equal(header["alg"], algorithm, "the ID token's alg")
        finally:
            await ctx.live.delete_pool(pool)


async def expired_code(ctx: Context, issued: asyncio.Event) -> None:
    """A code redeemed after its 60 s: invalid_grant. Waits alongside the other scenarios
    (`issued` is set once its login, which must not overlap another, is done)."""
    app = ctx.app("web")
    verifier = generate_token(48)
    try:
        location, _ = await authorization_response(ctx, app, verifier)
    finally:
        issued.set()
    await asyncio.sleep(CODE_TTL_SECONDS + 2)
    async with rp(app) as client:
        await expect_oauth_error(
            client.fetch_token(ctx.op.endpoint("token"), authorization_response=location, code_verifier=verifier),
            "invalid_grant",
            "an expired code",
        )


# --- Running them ------------------------------------------------------------------------------


async def setup(live: Live) -> Context:
    await live.sign_in_admin()
    main_pool = await live.create_pool("authlib relying party")
    await live.create_app(main_pool, "web", "web", WEB_REDIRECT, SIGNED_OUT)
    await live.create_app(main_pool, "spa", "spa", SPA_REDIRECT, SIGNED_OUT)
    await live.create_app(main_pool, "machine", "machine")
    other_pool = await live.create_pool("authlib other pool")
    await live.create_app(other_pool, "web", "web", WEB_REDIRECT)
    return Context(live, await discover(live, main_pool), await discover(live, other_pool))


async def attempt(name: str, run: Awaitable[None]) -> bool:
    try:
        await run
    except Exception:  # noqa: BLE001 - every failure is reported, then the next scenario runs
        print(f"FAILED {name}\n{traceback.format_exc()}", flush=True)
        return False
    print(f"ok     {name}", flush=True)
    return True


async def main() -> int:
    env = {name: os.environ.get(name, "") for name in ("TESSERA_URL", "WECHAT_SIM_URL", "TESSERA_ADMIN_PASSWORD")}
    missing = [name for name, value in env.items() if not value]
    if missing:
        print(f"{', '.join(missing)} not set", file=sys.stderr)
        return 2
    live = Live(env["TESSERA_URL"], env["WECHAT_SIM_URL"], env["TESSERA_ADMIN_PASSWORD"])
    results: list[bool] = []
    try:
        ctx = await setup(live)
        only = os.environ.get("AUTHLIB_ONLY", "")
        chosen = [(n, s) for n, s in SCENARIOS if only in n]
        # The code's 60 s run out while the other scenarios run.
        expiry = None
        if "expired" in only or not only:
            name = "negative: an expired code (redeemed after 62 s, alongside the rest) is invalid_grant"
            issued = asyncio.Event()
            expiry = asyncio.create_task(attempt(name, expired_code(ctx, issued)))
            await issued.wait()
        for name, run in chosen:
            results.append(await attempt(name, run(ctx)))
        if expiry:
            results.append(await expiry)
        for browser in ctx.browsers:
            await browser.close()
        for provider in (ctx.op, ctx.other):
            await live.delete_pool(provider.pool)
    finally:
        await live.close()
    passed = sum(results)
    print(f"authlib relying party: {passed} of {len(results)} scenarios passed", flush=True)
    return 0 if results and passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
