from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.merge_result import MergeResult
from ...models.merge_user import MergeUser
from ...types import Response


def _get_kwargs(
    id: str,
    user_id: str,
    *,
    body: MergeUser,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/userpools/{id}/users/{user_id}/merge".format(
            id=quote(str(id), safe=""),
            user_id=quote(str(user_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json; charset=utf-8"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | MergeResult | None:
    if response.status_code == 200:
        response_200 = MergeResult.from_dict(response.json())

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
) -> Response[ErrorBody | MergeResult]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: MergeUser,
) -> Response[ErrorBody | MergeResult]:
    """Merge another user into this one

     In one transaction: the identities of `from` move to this user, its phone when this
    user has none, its metadata keys this user lacks; `from` is deleted with its refresh
    tokens. Two users with different unionids are different people: `409 conflict` naming
    `unionid`. Audited as `user.merge` (this user) and `user.delete` (`from`).

    Args:
        id (str):
        user_id (str):
        body (MergeUser): Which user to merge into the one of the path.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MergeResult]
    """

    kwargs = _get_kwargs(
        id=id,
        user_id=user_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: MergeUser,
) -> ErrorBody | MergeResult | None:
    """Merge another user into this one

     In one transaction: the identities of `from` move to this user, its phone when this
    user has none, its metadata keys this user lacks; `from` is deleted with its refresh
    tokens. Two users with different unionids are different people: `409 conflict` naming
    `unionid`. Audited as `user.merge` (this user) and `user.delete` (`from`).

    Args:
        id (str):
        user_id (str):
        body (MergeUser): Which user to merge into the one of the path.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MergeResult
    """

    return sync_detailed(
        id=id,
        user_id=user_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: str,
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: MergeUser,
) -> Response[ErrorBody | MergeResult]:
    """Merge another user into this one

     In one transaction: the identities of `from` move to this user, its phone when this
    user has none, its metadata keys this user lacks; `from` is deleted with its refresh
    tokens. Two users with different unionids are different people: `409 conflict` naming
    `unionid`. Audited as `user.merge` (this user) and `user.delete` (`from`).

    Args:
        id (str):
        user_id (str):
        body (MergeUser): Which user to merge into the one of the path.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | MergeResult]
    """

    kwargs = _get_kwargs(
        id=id,
        user_id=user_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    user_id: str,
    *,
    client: AuthenticatedClient,
    body: MergeUser,
) -> ErrorBody | MergeResult | None:
    """Merge another user into this one

     In one transaction: the identities of `from` move to this user, its phone when this
    user has none, its metadata keys this user lacks; `from` is deleted with its refresh
    tokens. Two users with different unionids are different people: `409 conflict` naming
    `unionid`. Audited as `user.merge` (this user) and `user.delete` (`from`).

    Args:
        id (str):
        user_id (str):
        body (MergeUser): Which user to merge into the one of the path.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | MergeResult
    """

    return (
        await asyncio_detailed(
            id=id,
            user_id=user_id,
            client=client,
            body=body,
        )
    ).parsed
