from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.scan_response import ScanResponse
from ...models.scene_body import SceneBody
from ...types import Response


def _get_kwargs(
    user_pool_id: str,
    *,
    body: SceneBody,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/oauth/wxapp-qrcode/{user_pool_id}/scan".format(
            user_pool_id=quote(str(user_pool_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ScanResponse | None:
    if response.status_code == 200:
        response_200 = ScanResponse.from_dict(response.json())

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
) -> Response[ErrorBody | ScanResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    user_pool_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SceneBody,
) -> Response[ErrorBody | ScanResponse]:
    """A website's QR code was scanned

     Called by the mini program's confirm page when it opens with a code's `scene`: marks
    the code scanned (the website's page says so) and answers the application's name to show.
    `410 qr_expired` when the code expired, was cancelled or was already used.

    Args:
        user_pool_id (str):
        body (SceneBody): The scanned code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ScanResponse]
    """

    kwargs = _get_kwargs(
        user_pool_id=user_pool_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    user_pool_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SceneBody,
) -> ErrorBody | ScanResponse | None:
    """A website's QR code was scanned

     Called by the mini program's confirm page when it opens with a code's `scene`: marks
    the code scanned (the website's page says so) and answers the application's name to show.
    `410 qr_expired` when the code expired, was cancelled or was already used.

    Args:
        user_pool_id (str):
        body (SceneBody): The scanned code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ScanResponse
    """

    return sync_detailed(
        user_pool_id=user_pool_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    user_pool_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SceneBody,
) -> Response[ErrorBody | ScanResponse]:
    """A website's QR code was scanned

     Called by the mini program's confirm page when it opens with a code's `scene`: marks
    the code scanned (the website's page says so) and answers the application's name to show.
    `410 qr_expired` when the code expired, was cancelled or was already used.

    Args:
        user_pool_id (str):
        body (SceneBody): The scanned code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ScanResponse]
    """

    kwargs = _get_kwargs(
        user_pool_id=user_pool_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    user_pool_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SceneBody,
) -> ErrorBody | ScanResponse | None:
    """A website's QR code was scanned

     Called by the mini program's confirm page when it opens with a code's `scene`: marks
    the code scanned (the website's page says so) and answers the application's name to show.
    `410 qr_expired` when the code expired, was cancelled or was already used.

    Args:
        user_pool_id (str):
        body (SceneBody): The scanned code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ScanResponse
    """

    return (
        await asyncio_detailed(
            user_pool_id=user_pool_id,
            client=client,
            body=body,
        )
    ).parsed
