from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.exchange_body import ExchangeBody
from ...models.exchanged_user import ExchangedUser
from ...types import UNSET, Response, Unset


def _get_kwargs(
    user_pool_id: str,
    *,
    body: ExchangeBody | Unset = UNSET,
    ticket: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["ticket"] = ticket

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/oauth/app2wxapp/auth/{user_pool_id}".format(
            user_pool_id=quote(str(user_pool_id), safe=""),
        ),
        "params": params,
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ExchangedUser | None:
    if response.status_code == 200:
        response_200 = ExchangedUser.from_dict(response.json())

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
) -> Response[ErrorBody | ExchangedUser]:
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
    body: ExchangeBody | Unset = UNSET,
    ticket: str | Unset = UNSET,
) -> Response[ErrorBody | ExchangedUser]:
    """Exchange a ticket for the user and a token

     Called by the App's backend with the ticket the mini program handed to the App. The pool
    secret is required when the pool's `requireSecret` is true, and is checked before the
    ticket is consumed. A ticket works once: of concurrent exchanges exactly one succeeds.
    Compatible with the hosted original: same path, body and response fields.

    Args:
        user_pool_id (str):
        ticket (str | Unset):
        body (ExchangeBody | Unset): What the App backend sends to exchange a ticket.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ExchangedUser]
    """

    kwargs = _get_kwargs(
        user_pool_id=user_pool_id,
        body=body,
        ticket=ticket,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    user_pool_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ExchangeBody | Unset = UNSET,
    ticket: str | Unset = UNSET,
) -> ErrorBody | ExchangedUser | None:
    """Exchange a ticket for the user and a token

     Called by the App's backend with the ticket the mini program handed to the App. The pool
    secret is required when the pool's `requireSecret` is true, and is checked before the
    ticket is consumed. A ticket works once: of concurrent exchanges exactly one succeeds.
    Compatible with the hosted original: same path, body and response fields.

    Args:
        user_pool_id (str):
        ticket (str | Unset):
        body (ExchangeBody | Unset): What the App backend sends to exchange a ticket.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ExchangedUser
    """

    return sync_detailed(
        user_pool_id=user_pool_id,
        client=client,
        body=body,
        ticket=ticket,
    ).parsed


async def asyncio_detailed(
    user_pool_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ExchangeBody | Unset = UNSET,
    ticket: str | Unset = UNSET,
) -> Response[ErrorBody | ExchangedUser]:
    """Exchange a ticket for the user and a token

     Called by the App's backend with the ticket the mini program handed to the App. The pool
    secret is required when the pool's `requireSecret` is true, and is checked before the
    ticket is consumed. A ticket works once: of concurrent exchanges exactly one succeeds.
    Compatible with the hosted original: same path, body and response fields.

    Args:
        user_pool_id (str):
        ticket (str | Unset):
        body (ExchangeBody | Unset): What the App backend sends to exchange a ticket.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ExchangedUser]
    """

    kwargs = _get_kwargs(
        user_pool_id=user_pool_id,
        body=body,
        ticket=ticket,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    user_pool_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ExchangeBody | Unset = UNSET,
    ticket: str | Unset = UNSET,
) -> ErrorBody | ExchangedUser | None:
    """Exchange a ticket for the user and a token

     Called by the App's backend with the ticket the mini program handed to the App. The pool
    secret is required when the pool's `requireSecret` is true, and is checked before the
    ticket is consumed. A ticket works once: of concurrent exchanges exactly one succeeds.
    Compatible with the hosted original: same path, body and response fields.

    Args:
        user_pool_id (str):
        ticket (str | Unset):
        body (ExchangeBody | Unset): What the App backend sends to exchange a ticket.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ExchangedUser
    """

    return (
        await asyncio_detailed(
            user_pool_id=user_pool_id,
            client=client,
            body=body,
            ticket=ticket,
        )
    ).parsed
