"""What a relying-party check of a pool's OpenID Provider needs around the library under test: the
admin API (a pool, its mini program, its applications, its users), the WeChat simulator, and a
"browser" that goes through the hosted login page by making the page's own calls, with the
mini program playing the user's side of the QR code through the simulator.

Used by scripts/check_oidc_authlib.py; talks plain HTTP (httpx), never through the library
under test.
"""

from __future__ import annotations

import base64
import html
import re
import secrets
import struct
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import httpx

QR_PAGE = "pages/qrlogin/index"
TIMEOUT = httpx.Timeout(15.0)


class Failure(AssertionError):
    """A check that did not hold, with what was expected and what came."""


def expect(condition: object, message: str) -> None:
    if not condition:
        raise Failure(message)


def expect_equal(actual: object, wanted: object, what: str) -> None:
    if actual != wanted:
        raise Failure(f"{what}: expected {wanted!r}, got {actual!r}")


def hex_id(n: int = 6) -> str:
    return secrets.token_hex(n)


def png_text(png: bytes, keyword: str) -> str | None:
    """The `tEXt` chunk `keyword` of a PNG (the simulator's codes carry their scene so)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    at = 8
    while at + 12 <= len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        data = png[at + 8 : at + 8 + length]
        if kind == b"tEXt" and b"\0" in data:
            name, _, value = data.partition(b"\0")
            if name.decode("latin-1") == keyword:
                return value.decode("latin-1")
        at += 12 + length
    return None


@dataclass
class Application:
    """An application registered in a pool, as the admin API answered its creation."""

    client_id: str
    client_secret: str | None
    type: str
    redirect_uri: str | None
    post_logout_redirect_uri: str | None


@dataclass
class Pool:
    """A pool made for the check: its mini program (registered with the simulator) and its
    applications."""

    id: str
    app_id: str
    issuer: str
    apps: dict[str, Application] = field(default_factory=dict)


class Live:
    """The live server and simulator, and an admin session on the server."""

    def __init__(self, base: str, sim_url: str, admin_password: str) -> None:
        self.base = base.rstrip("/")
        self.sim_url = sim_url.rstrip("/")
        self.admin_password = admin_password
        self.http = httpx.AsyncClient(timeout=TIMEOUT)
        self.admin_token = ""

    async def close(self) -> None:
        await self.http.aclose()

    async def admin(self, method: str, path: str, body: Any = None) -> httpx.Response:
        headers = {"authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}
        return await self.http.request(method, f"{self.base}{path}", json=body, headers=headers)

    async def sign_in_admin(self) -> None:
        answer = await self.admin("POST", "/api/v1/auth/admin", {"username": "admin", "password": self.admin_password})
        expect_equal(answer.status_code, 200, "admin sign-in")
        self.admin_token = answer.json()["accessToken"]

    async def sim(self, path: str, body: Any) -> httpx.Response:
        return await self.http.post(f"{self.sim_url}{path}", json=body)

    async def create_pool(self, name: str, algorithm: str | None = None) -> Pool:
        pool_id = f"rp-{hex_id()}"
        created = await self.admin("POST", "/api/v1/userpools", {"id": pool_id, "name": name})
        expect_equal(created.status_code, 201, f"creating pool {pool_id}")
        if algorithm:
            patched = await self.admin(
                "PATCH", f"/api/v1/userpools/{pool_id}", {"settings": {"tokenAlgorithm": algorithm}}
            )
            expect_equal(patched.status_code, 200, f"setting the token algorithm {algorithm}")
        app_id, app_secret = f"wx{hex_id(8)}", hex_id(16)
        registered = await self.sim("/__sim/apps", {"appId": app_id, "secret": app_secret})
        expect_equal(registered.status_code, 204, "registering the mini program with the simulator")
        connected = await self.admin(
            "PUT",
            f"/api/v1/userpools/{pool_id}/connections/app2wxapp",
            {"appId": app_id, "appSecret": app_secret},
        )
        expect_equal(connected.status_code, 200, "connecting the mini program")
        return Pool(id=pool_id, app_id=app_id, issuer=f"{self.base}/userpools/{pool_id}")

    async def delete_pool(self, pool: Pool) -> None:
        await self.admin("DELETE", f"/api/v1/userpools/{pool.id}")

    async def create_app(
        self,
        pool: Pool,
        key: str,
        app_type: str,
        redirect_uri: str | None = None,
        post_logout_redirect_uri: str | None = None,
    ) -> Application:
        body = {
            "name": f"authlib {key} {hex_id(2)}",
            "type": app_type,
            "redirectUris": [redirect_uri] if redirect_uri else [],
            "postLogoutRedirectUris": [post_logout_redirect_uri] if post_logout_redirect_uri else [],
        }
        created = await self.admin("POST", f"/api/v1/userpools/{pool.id}/applications", body)
        expect_equal(created.status_code, 201, f"creating the {app_type} application ({created.text})")
        data = created.json()
        app = Application(
            client_id=data["clientId"],
            client_secret=data.get("clientSecret"),
            type=app_type,
            redirect_uri=redirect_uri,
            post_logout_redirect_uri=post_logout_redirect_uri,
        )
        pool.apps[key] = app
        return app

    async def block_user(self, pool: Pool, user_id: str) -> None:
        answer = await self.admin("PATCH", f"/api/v1/userpools/{pool.id}/users/{user_id}", {"blocked": True})
        expect_equal(answer.status_code, 200, "blocking the user")

    async def login_code(self, pool: Pool, openid: str) -> str:
        """A `wx.login` code of the pool's mini program for the WeChat user `openid`."""
        answer = await self.sim("/__sim/login-codes", {"appId": pool.app_id, "openid": openid})
        expect_equal(answer.status_code, 200, "minting a wx.login code")
        return str(answer.json()["code"])

    async def app2wxapp_ticket(self, pool: Pool, openid: str, code_challenge: str | None = None) -> str:
        """The mini program's app2wxapp login: the ticket the App hands to its backend."""
        body: dict[str, str] = {"code": await self.login_code(pool, openid)}
        if code_challenge:
            body |= {"codeChallenge": code_challenge, "codeChallengeMethod": "S256"}
        answer = await self.http.post(f"{self.base}/oauth/app2wxapp/login/{pool.id}", json=body)
        expect_equal(answer.status_code, 200, f"the mini program's login ({answer.text})")
        return str(answer.json()["ticket"])


@dataclass
class HostedPage:
    """The hosted login page as served: its answer and what its script reads from it."""

    response: httpx.Response
    interaction: str
    base: str


class Browser:
    """A browser with its own cookies. It makes the hosted page's calls itself (the page's
    script is driven in Chromium by the openid-client check): the page, the QR code, the status
    polls, and the redirect the confirmed login answers."""

    def __init__(self, live: Live) -> None:
        self.live = live
        self.http = httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False, headers={"accept-language": "en"})
        self.mini_program = httpx.AsyncClient(timeout=TIMEOUT)

    async def close(self) -> None:
        await self.http.aclose()
        await self.mini_program.aclose()

    async def get(self, url: str) -> httpx.Response:
        return await self.http.get(url, headers={"accept": "text/html"})

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.http.cookies.jar if c.name == name), None)

    async def open_login_page(self, url: str) -> HostedPage:
        page = await self.get(url)
        expect_equal(page.status_code, 200, f"the hosted login page ({page.headers.get('location')})")
        expect(page.headers.get("content-type", "").startswith("text/html"), "the login page is HTML")
        csp = page.headers.get("content-security-policy", "")
        expect("script-src 'self'" in csp or "default-src 'self'" in csp, f"a strict CSP, got {csp!r}")
        found = re.search(r'<main[^>]*\sdata-base="([^"]*)"[^>]*\sdata-interaction="([^"]+)"', page.text)
        expect(found is not None, "the page carries data-base and data-interaction")
        assert found is not None
        base = urljoin(str(page.url), html.unescape(found.group(1)))
        return HostedPage(response=page, interaction=html.unescape(found.group(2)), base=base)

    async def page_call(self, page: HostedPage, path: str, body: dict[str, str]) -> httpx.Response:
        """A call of the page's script: same-origin JSON POST with the browser's cookies."""
        return await self.http.post(
            f"{page.base}{path}", json=body, headers={"accept": "application/json", "cache-control": "no-store"}
        )

    async def status(self, page: HostedPage, scene: str) -> dict[str, Any]:
        answer = await self.page_call(
            page, "/login/wxapp-qrcode/status", {"interaction": page.interaction, "scene": scene}
        )
        expect_equal(answer.status_code, 200, f"the page's status poll ({answer.text})")
        return dict(answer.json())

    async def sign_in(self, url: str, pool: Pool, openid: str) -> str:
        """Opens the authorization URL and logs in with the QR code; answers where the page
        sends the browser (the application's redirect URI with the code)."""
        page = await self.open_login_page(url)
        return await self.scan_and_confirm(page, pool, openid)

    async def scan_and_confirm(self, page: HostedPage, pool: Pool, openid: str) -> str:
        drawn = await self.page_call(page, "/login/wxapp-qrcode", {"interaction": page.interaction})
        expect_equal(drawn.status_code, 200, f"the page's QR code ({drawn.text})")
        code = drawn.json()
        scene, image = code["scene"], code["image"]
        expect(image.startswith("data:image/png;base64,"), "the QR code is a PNG data URL")
        png = base64.b64decode(image.split(",", 1)[1])
        expect_equal(png_text(png, "scene"), scene, "the scene the QR code's image carries")
        # The user's WeChat scans the code: it reads the scene of the code drawn last.
        scanned = await self.live.sim("/__sim/wxacode-scan", {"appId": pool.app_id})
        expect_equal(scanned.status_code, 200, "the simulator drew a code")
        expect_equal(scanned.json()["scene"], scene, "the scene WeChat reads")
        expect_equal(scanned.json()["page"], QR_PAGE, "the mini program page the code opens")
        expect_equal((await self.status(page, scene))["status"], "pending", "status before the scan")

        mp = f"{self.live.base}/oauth/wxapp-qrcode/{pool.id}"
        opened = await self.mini_program.post(f"{mp}/scan", json={"scene": scene})
        expect_equal(opened.status_code, 200, f"the mini program's scan ({opened.text})")
        expect_equal((await self.status(page, scene))["status"], "scanned", "status after the scan")
        wx_code = await self.live.login_code(pool, openid)
        confirmed = await self.mini_program.post(f"{mp}/confirm", json={"scene": scene, "code": wx_code})
        expect_equal(confirmed.status_code, 200, f"the mini program's confirm ({confirmed.text})")

        deadline = time.monotonic() + 10
        while True:
            state = await self.status(page, scene)
            if state["status"] != "scanned" or time.monotonic() > deadline:
                break
        expect_equal(state["status"], "confirmed", "status after the confirmation")
        expect(self.cookie("tessera_session"), "the login session cookie is set")
        return urljoin(str(page.response.url), str(state["redirectTo"]))
