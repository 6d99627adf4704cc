from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.gene_answer import GeneAnswer
from ...models.gene_body import GeneBody
from ...types import Response


def _get_kwargs(
    *,
    body: GeneBody,
    x_authing_userpool_id: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    headers["x-authing-userpool-id"] = x_authing_userpool_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v2/qrcode/gene",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> ErrorBody | GeneAnswer | None:
    if response.status_code == 200:
        response_200 = GeneAnswer.from_dict(response.json())

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
) -> Response[ErrorBody | GeneAnswer]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: GeneBody,
    x_authing_userpool_id: str,
) -> Response[ErrorBody | GeneAnswer]:
    """Generate a mini program QR code for a web page

     The hosted original's `wxqrcode.geneCode()`: a code of the pool's mini program (the same
    confirm page as the hosted login page's), valid the pool's `qrcodeExpiresAfter`. Rate
    limited like logins (each one calls WeChat). `409 connection_not_configured` without an
    enabled mini program connection.

    Args:
        x_authing_userpool_id (str):
        body (GeneBody): A request for a new code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | GeneAnswer]
    """

    kwargs = _get_kwargs(
        body=body,
        x_authing_userpool_id=x_authing_userpool_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: GeneBody,
    x_authing_userpool_id: str,
) -> ErrorBody | GeneAnswer | None:
    """Generate a mini program QR code for a web page

     The hosted original's `wxqrcode.geneCode()`: a code of the pool's mini program (the same
    confirm page as the hosted login page's), valid the pool's `qrcodeExpiresAfter`. Rate
    limited like logins (each one calls WeChat). `409 connection_not_configured` without an
    enabled mini program connection.

    Args:
        x_authing_userpool_id (str):
        body (GeneBody): A request for a new code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | GeneAnswer
    """

    return sync_detailed(
        client=client,
        body=body,
        x_authing_userpool_id=x_authing_userpool_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: GeneBody,
    x_authing_userpool_id: str,
) -> Response[ErrorBody | GeneAnswer]:
    """Generate a mini program QR code for a web page

     The hosted original's `wxqrcode.geneCode()`: a code of the pool's mini program (the same
    confirm page as the hosted login page's), valid the pool's `qrcodeExpiresAfter`. Rate
    limited like logins (each one calls WeChat). `409 connection_not_configured` without an
    enabled mini program connection.

    Args:
        x_authing_userpool_id (str):
        body (GeneBody): A request for a new code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | GeneAnswer]
    """

    kwargs = _get_kwargs(
        body=body,
        x_authing_userpool_id=x_authing_userpool_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: GeneBody,
    x_authing_userpool_id: str,
) -> ErrorBody | GeneAnswer | None:
    """Generate a mini program QR code for a web page

     The hosted original's `wxqrcode.geneCode()`: a code of the pool's mini program (the same
    confirm page as the hosted login page's), valid the pool's `qrcodeExpiresAfter`. Rate
    limited like logins (each one calls WeChat). `409 connection_not_configured` without an
    enabled mini program connection.

    Args:
        x_authing_userpool_id (str):
        body (GeneBody): A request for a new code.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | GeneAnswer
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_authing_userpool_id=x_authing_userpool_id,
        )
    ).parsed
