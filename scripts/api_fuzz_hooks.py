"""schemathesis hooks for scripts/check-api-fuzz (loaded through SCHEMATHESIS_HOOKS).

The session's fixtures stay usable, so the run keeps testing something:
- It authenticates as one platform admin. Deleting that account or revoking its tokens would
  turn every later request into `401`, so such a request is sent for an admin id that belongs
  to no account instead. Every other account (those the run creates included) is deleted and
  revoked as generated.
- The fixture pool has a mini program connection to the simulator's app. Deleting it, rotating
  its secret, changing its settings or its connection would cut the mini program flow off, so
  such a request is sent for a pool id that belongs to no pool instead. Pools the run creates
  are changed and deleted as generated.
- A mini program login code or phone code comes from WeChat (here the simulator), which no
  generator can guess, for a pool whose connection WeChat knows: every other schema-valid
  login is sent to the fixture pool with a real code, and a schema-valid ticket exchange there
  gets the pool's secret, so logins issue tickets and the stateful phase exchanges them (the
  `Exchange` link of `app2wxappLogin`). The QR login API (`/api/v2/qrcode/*`) names its pool in
  the `x-authing-userpool-id` header: half of its schema-valid calls go to the fixture pool, an
  exchange there with the pool's secret.

And a few failures are not the server's fault (`filter_failure`; a dropped failure is counted in
schemathesis's report):
- schema-valid requests refused for rules between fields or on state, which OpenAPI 3.0 cannot
  state: listed in ACCEPTED below with the reason of each;
- `502 wechat_unavailable` from a mini program login, or a QR code (`qrcodeGene`), of a pool the
  run gave a connection of its own making: WeChat (the simulator) refuses its made-up AppID and
  AppSecret (errcode 40013), which is what the documented 502 reports; likewise a login to the
  fixture pool that names (`appId`) a mini program connection the run added to it. A 502 for
  the fixture pool's own mini program, the simulator's app, still fails the run;
- "created resource not found" for a request the hooks above redirected to an id that names
  nothing.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import urllib.request
from typing import Any

import schemathesis

PROTECTED_ADMIN = os.environ["FUZZ_ADMIN_ID"]
FIXTURE_POOL = os.environ["FUZZ_POOL_ID"]
FIXTURE_SECRET = os.environ["FUZZ_POOL_SECRET"]
APP_ID = os.environ["FUZZ_APP_ID"]
SIM_URL = os.environ["FUZZ_SIM_URL"]

NO_ADMIN = "0" * 24
POOL_HEADER = "x-authing-userpool-id"
QRCODE_API = {"qrcodeGene", "qrcodeCheck", "qrcodeUserinfo"}
NO_POOL = "fuzz-no-such-pool"

# Operations that would cut the fixture pool's mini program flow off.
FIXTURE_CHANGES = {
    "deleteUserPool",
    "updateUserPool",
    "rotateUserPoolSecret",
    "putApp2WxappConnection",
    "deleteApp2WxappConnection",
}

# (operationId, error kind, message pattern, why the schema cannot say it): schema-valid
# requests that the server rightly refuses with 400.
ACCEPTED = [
    (
        "updateUserPool",
        "invalid_request",
        r"settings\.app2wxapp\.\w+: given twice \(under its alias too\) with different values",
        "a setting and its legacy alias must agree (a rule between two fields)",
    ),
    (
        "createUserPool",
        "invalid_request",
        r"settings\.app2wxapp\.\w+: given twice \(under its alias too\) with different values",
        "a setting and its legacy alias must agree (a rule between two fields)",
    ),
    (
        "createUser",
        "invalid_request",
        r"phone: one of phone, email or username is required",
        "at least one of three optional fields (a rule between fields)",
    ),
    (
        "putApp2WxappConnection",
        "invalid_request",
        r"appSecret: is required when (the connection is first configured|the appId changes)",
        "depends on the stored connection (state)",
    ),
    (
        "app2wxappLogin",
        "invalid_request",
        r"iv: encryptedData and iv go together",
        "two optional fields given together or not at all (a rule between fields)",
    ),
    (
        "app2wxappLogin",
        "invalid_request",
        r"codeChallenge: is required with codeChallengeMethod",
        "an optional field that needs another (a rule between fields)",
    ),
    (
        "app2wxappLogin",
        "invalid_request",
        r"encryptedData: (encryptedData is not base64|encryptedData is not a whole number of AES blocks"
        r"|iv must be 16 bytes of base64|decryption failed \(wrong session key, iv or padding\)"
        r"|the decrypted data is not JSON|the watermark does not name this mini program)",
        "the legacy payload is read only when it is decrypted with this login's session key (state)",
    ),
    (
        "app2wxappLogin",
        "wechat_code_invalid",
        r".*",
        "a code WeChat did not issue, or issued for another app (outside state)",
    ),
    (
        "app2wxappLogin",
        "phone_required",
        r".*",
        "the pool's settings ask for a phone this login did not bring (state)",
    ),
    (
        "app2wxappLogin",
        "invalid_request",
        r"getPhone: must be true, false, 1 or 0",
        (
            "the hosted original's spellings (true, false, 1, 0, and those as strings) are described"
            " in words: OpenAPI 3.0 could list them only as an untyped enum of mixed types, which"
            " makes openapi-python-client drop the whole body from the generated client"
        ),
    ),
    (
        "createUser",
        "invalid_request",
        r"metadata: must be at most 16 KiB",
        "a limit on the size of the object's JSON text, which no schema keyword measures",
    ),
    (
        "updateUser",
        "invalid_request",
        r"metadata: must be at most 16 KiB",
        "a limit on the size of the object's JSON text, which no schema keyword measures",
    ),
    (
        "app2wxappExchange",
        "ticket_invalid",
        r".*",
        "a ticket the server did not issue, or already consumed (state)",
    ),
    *[
        (
            operation,
            "invalid_request",
            r"(redirectUris|postLogoutRedirectUris)(\[\d+\])?: .*",
            (
                "what a redirect URI may be depends on the application's type and the pool's"
                " setting allowHttpRedirectUris (rules between fields and on state), and on URI"
                " syntax, which no pattern states; a list may not repeat a URI"
            ),
        )
        for operation in ("createApplication", "updateApplication")
    ],
    *[
        (
            operation,
            "invalid_request",
            r"grantTypes\[\d+\]: \S+ is not allowed for \w+ applications \(allowed: .*\)",
            "the grants an application may have depend on its type (a rule between fields, or on state)",
        )
        for operation in ("createApplication", "updateApplication")
    ],
    *[
        (
            operation,
            "invalid_request",
            r"connections: must be absent: \w+ applications have no hosted login page"
            r"|connections\[\d+\]: (is listed twice|is not a connection of this pool"
            r"|is a \w+ connection: its codes go to an App's backend, not the hosted page)",
            (
                "only applications with a hosted login page list connections (a rule between fields,"
                " or on the stored type), each once, each a connection of the pool that a page can"
                " offer (state)"
            ),
        )
        for operation in ("createApplication", "updateApplication")
    ],
    (
        "updateApplication",
        "invalid_request",
        r"type: cannot change \(it is \w+\): register a new application instead",
        "an application's type is fixed at its creation (state)",
    ),
    *[
        (
            operation,
            "qr_expired",
            r".*",
            "a scene the server did not draw in a QR code, or one already used (state)",
        )
        for operation in ("wxappQrcodeScan", "wxappQrcodeConfirm", "wxappQrcodeCancel")
    ],
    (
        "mergeUser",
        "invalid_request",
        r"from: (must name another user than the target|names no user of this pool)",
        "the source must be another user of the pool than the path's (a rule between the path and the body, and on state)",
    ),
    (
        "rotateApplicationSecret",
        "invalid_request",
        r"type: \w+ applications are public clients and have no client secret",
        "only confidential applications have a secret (state)",
    ),
    (
        "qrcodeUserinfo",
        "ticket_invalid",
        r".*",
        "a ticket the server did not answer to a poll, or already consumed (state)",
    ),
    *[
        (
            operation,
            "invalid_request",
            r"(agentId|scope|envVersion): is only for \w+ connections"
            r"|agentId: is required for a wecom connection"
            r"|appId: must be 'wx' followed by 16 letters or digits"
            r"|secret: must be 16 to 64 letters or digits",
            (
                "which fields a connection has, and the form of its appId and secret, depend on its"
                " kind (a rule between fields in a creation, on the stored connection in a change)"
            ),
        )
        for operation in ("createConnection", "updateConnection")
    ],
    (
        "updateConnection",
        "invalid_request",
        r"secret: is required when the appId or agentId changes",
        "a secret belongs to its app: a new appId or agentId needs its secret (a rule between fields)",
    ),
]

_openids = itertools.cycle([f"o-fuzz-{n}" for n in range(5)])
_to_fixture = itertools.cycle([True, False])


def _sim(path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{SIM_URL}{path}",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _positive(case: Any) -> bool:
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    operation = case.operation.definition.raw.get("operationId")
    path = case.path_parameters or {}
    if path.get("adminId") == PROTECTED_ADMIN:
        path["adminId"] = NO_ADMIN
    if operation in FIXTURE_CHANGES and path.get("id") == FIXTURE_POOL:
        path["id"] = NO_POOL
    # Every other schema-valid login goes to the fixture pool, the one pool WeChat knows.
    if operation == "app2wxappLogin" and _positive(case) and "userPoolId" in path and next(_to_fixture):
        path["userPoolId"] = FIXTURE_POOL
    # The QR login API names its pool in a header: every other schema-valid call goes to the
    # fixture pool (whose mini program WeChat knows), and an exchange there gets its secret.
    headers = case.headers if isinstance(case.headers, dict) else None
    if operation in QRCODE_API and _positive(case) and headers is not None and next(_to_fixture):
        headers[POOL_HEADER] = FIXTURE_POOL
        if operation == "qrcodeUserinfo" and isinstance(case.body, dict) and isinstance(case.body.get("secret"), str):
            case.body["secret"] = FIXTURE_SECRET
    if path.get("userPoolId") != FIXTURE_POOL or not isinstance(case.body, dict) or not _positive(case):
        return
    if operation == "app2wxappLogin" and isinstance(case.body.get("code"), str):
        case.body["code"] = _sim("/__sim/login-codes", {"appId": APP_ID, "openid": next(_openids)})["code"]
        if isinstance(case.body.get("phoneCode"), str):
            phone = _sim("/__sim/phone-codes", {"appId": APP_ID, "phone": "13800138000"})
            case.body["phoneCode"] = phone["code"]
    if operation == "app2wxappExchange" and isinstance(case.body.get("secret"), str):
        case.body["secret"] = FIXTURE_SECRET


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    code = getattr(failure, "code", None)
    operation = case.operation.definition.raw.get("operationId")
    path = case.path_parameters or {}
    if code == "ST302" and {NO_ADMIN, NO_POOL} & set(map(str, path.values())):
        return False
    try:
        answer = json.loads(response.content)
    except ValueError:
        return True
    named_app = (case.body or {}).get("appId") if isinstance(case.body, dict) else None
    if (
        code == "ST101"
        and response.status_code == 502
        and operation == "app2wxappLogin"
        and answer.get("error") == "wechat_unavailable"
        and (path.get("userPoolId") != FIXTURE_POOL or named_app not in (None, APP_ID))
    ):
        return False
    headers = case.headers if isinstance(case.headers, dict) else {}
    if (
        code == "ST101"
        and response.status_code == 502
        and operation == "qrcodeGene"
        and answer.get("error") == "wechat_unavailable"
        and headers.get(POOL_HEADER) != FIXTURE_POOL
    ):
        # A QR code of a pool the run made, whose mini program (made up) WeChat refuses.
        return False
    if code != "ST202" or response.status_code not in (400, 410):
        return True
    for accepted_operation, kind, message, _why in ACCEPTED:
        if (
            operation == accepted_operation
            and answer.get("error") == kind
            and re.fullmatch(message, str(answer.get("message")))
        ):
            return False
    return True
