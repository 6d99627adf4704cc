from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.check_answer import CheckAnswer
from ...models.error_body import ErrorBody
from ...types import UNSET, Response


def _get_kwargs(
    *,
    random: str,
    x_authing_userpool_id: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["x-authing-userpool-id"] = x_authing_userpool_id

    params: dict[str, Any] = {}

    params["random"] = random

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v2/qrcode/check",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CheckAnswer | ErrorBody | None:
    if response.status_code == 200:
        response_200 = CheckAnswer.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 408:
        response_408 = ErrorBody.from_dict(response.json())

        return response_408

    if response.status_code == 409:
        response_409 = ErrorBody.from_dict(response.json())

        return response_409

    if response.status_code == 410:
        response_410 = ErrorBody.from_dict(response.json())

        return response_410

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorBody.from_dict(response.json())

        return response_500

    if response.status_code == 502:
        response_502 = ErrorBody.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CheckAnswer | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    random: str,
    x_authing_userpool_id: str,
) -> Response[CheckAnswer | ErrorBody]:
    """Check a QR code's status

     The hosted original's `wxqrcode.checkStatus(random)`, polled by `startPolling` and
    `startScanning`. The first check after the user confirmed answers status `2` with a
    single-use ticket (valid the pool's `ticketExpiresAfter`), and the whole user with a token
    when the pool's `returnFullUserInfo` is on; the code is used up then, and later checks
    answer `-1`.

    Args:
        random (str):
        x_authing_userpool_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckAnswer | ErrorBody]
    """

    kwargs = _get_kwargs(
        random=random,
        x_authing_userpool_id=x_authing_userpool_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    random: str,
    x_authing_userpool_id: str,
) -> CheckAnswer | ErrorBody | None:
    """Check a QR code's status

     The hosted original's `wxqrcode.checkStatus(random)`, polled by `startPolling` and
    `startScanning`. The first check after the user confirmed answers status `2` with a
    single-use ticket (valid the pool's `ticketExpiresAfter`), and the whole user with a token
    when the pool's `returnFullUserInfo` is on; the code is used up then, and later checks
    answer `-1`.

    Args:
        random (str):
        x_authing_userpool_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckAnswer | ErrorBody
    """

    return sync_detailed(
        client=client,
        random=random,
        x_authing_userpool_id=x_authing_userpool_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    random: str,
    x_authing_userpool_id: str,
) -> Response[CheckAnswer | ErrorBody]:
    """Check a QR code's status

     The hosted original's `wxqrcode.checkStatus(random)`, polled by `startPolling` and
    `startScanning`. The first check after the user confirmed answers status `2` with a
    single-use ticket (valid the pool's `ticketExpiresAfter`), and the whole user with a token
    when the pool's `returnFullUserInfo` is on; the code is used up then, and later checks
    answer `-1`.

    Args:
        random (str):
        x_authing_userpool_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CheckAnswer | ErrorBody]
    """

    kwargs = _get_kwargs(
        random=random,
        x_authing_userpool_id=x_authing_userpool_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    random: str,
    x_authing_userpool_id: str,
) -> CheckAnswer | ErrorBody | None:
    """Check a QR code's status

     The hosted original's `wxqrcode.checkStatus(random)`, polled by `startPolling` and
    `startScanning`. The first check after the user confirmed answers status `2` with a
    single-use ticket (valid the pool's `ticketExpiresAfter`), and the whole user with a token
    when the pool's `returnFullUserInfo` is on; the code is used up then, and later checks
    answer `-1`.

    Args:
        random (str):
        x_authing_userpool_id (str):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CheckAnswer | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            random=random,
            x_authing_userpool_id=x_authing_userpool_id,
        )
    ).parsed
