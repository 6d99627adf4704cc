import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.audit_action_name import AuditActionName
from ...models.audit_outcome import AuditOutcome
from ...models.audit_page import AuditPage
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: str,
    *,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    action: AuditActionName | Unset = UNSET,
    outcome: AuditOutcome | Unset = UNSET,
    actor: str | Unset = UNSET,
    target: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["limit"] = limit

    json_action: str | Unset = UNSET
    if not isinstance(action, Unset):
        json_action = action.value

    params["action"] = json_action

    json_outcome: str | Unset = UNSET
    if not isinstance(outcome, Unset):
        json_outcome = outcome.value

    params["outcome"] = json_outcome

    params["actor"] = actor

    params["target"] = target

    json_since: str | Unset = UNSET
    if not isinstance(since, Unset):
        json_since = since.isoformat()
    params["since"] = json_since

    json_until: str | Unset = UNSET
    if not isinstance(until, Unset):
        json_until = until.isoformat()
    params["until"] = json_until

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/userpools/{id}/audit-events".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AuditPage | ErrorBody | None:
    if response.status_code == 200:
        response_200 = AuditPage.from_dict(response.json())

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
) -> Response[AuditPage | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    action: AuditActionName | Unset = UNSET,
    outcome: AuditOutcome | Unset = UNSET,
    actor: str | Unset = UNSET,
    target: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> Response[AuditPage | ErrorBody]:
    """List a user pool's audit events

     Logins and ticket exchanges (successful or not, with the reason) and every change made
    through the admin API, newest first. Each filter given narrows the list.

    Args:
        id (str):
        page (int | Unset):
        limit (int | Unset):
        action (AuditActionName | Unset): What an audit event records, e.g. `user.block` or
            `app2wxapp.exchange` (docs/admin-api.md lists every action).
        outcome (AuditOutcome | Unset): Whether an audited action succeeded: `success` or
            `failure` (the event's `reason` says why).
        actor (str | Unset):
        target (str | Unset):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        id=id,
        page=page,
        limit=limit,
        action=action,
        outcome=outcome,
        actor=actor,
        target=target,
        since=since,
        until=until,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    action: AuditActionName | Unset = UNSET,
    outcome: AuditOutcome | Unset = UNSET,
    actor: str | Unset = UNSET,
    target: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> AuditPage | ErrorBody | None:
    """List a user pool's audit events

     Logins and ticket exchanges (successful or not, with the reason) and every change made
    through the admin API, newest first. Each filter given narrows the list.

    Args:
        id (str):
        page (int | Unset):
        limit (int | Unset):
        action (AuditActionName | Unset): What an audit event records, e.g. `user.block` or
            `app2wxapp.exchange` (docs/admin-api.md lists every action).
        outcome (AuditOutcome | Unset): Whether an audited action succeeded: `success` or
            `failure` (the event's `reason` says why).
        actor (str | Unset):
        target (str | Unset):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | ErrorBody
    """

    return sync_detailed(
        id=id,
        client=client,
        page=page,
        limit=limit,
        action=action,
        outcome=outcome,
        actor=actor,
        target=target,
        since=since,
        until=until,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    action: AuditActionName | Unset = UNSET,
    outcome: AuditOutcome | Unset = UNSET,
    actor: str | Unset = UNSET,
    target: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> Response[AuditPage | ErrorBody]:
    """List a user pool's audit events

     Logins and ticket exchanges (successful or not, with the reason) and every change made
    through the admin API, newest first. Each filter given narrows the list.

    Args:
        id (str):
        page (int | Unset):
        limit (int | Unset):
        action (AuditActionName | Unset): What an audit event records, e.g. `user.block` or
            `app2wxapp.exchange` (docs/admin-api.md lists every action).
        outcome (AuditOutcome | Unset): Whether an audited action succeeded: `success` or
            `failure` (the event's `reason` says why).
        actor (str | Unset):
        target (str | Unset):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuditPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        id=id,
        page=page,
        limit=limit,
        action=action,
        outcome=outcome,
        actor=actor,
        target=target,
        since=since,
        until=until,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    limit: int | Unset = UNSET,
    action: AuditActionName | Unset = UNSET,
    outcome: AuditOutcome | Unset = UNSET,
    actor: str | Unset = UNSET,
    target: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
) -> AuditPage | ErrorBody | None:
    """List a user pool's audit events

     Logins and ticket exchanges (successful or not, with the reason) and every change made
    through the admin API, newest first. Each filter given narrows the list.

    Args:
        id (str):
        page (int | Unset):
        limit (int | Unset):
        action (AuditActionName | Unset): What an audit event records, e.g. `user.block` or
            `app2wxapp.exchange` (docs/admin-api.md lists every action).
        outcome (AuditOutcome | Unset): Whether an audited action succeeded: `success` or
            `failure` (the event's `reason` says why).
        actor (str | Unset):
        target (str | Unset):
        since (datetime.datetime | Unset):
        until (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuditPage | ErrorBody
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            page=page,
            limit=limit,
            action=action,
            outcome=outcome,
            actor=actor,
            target=target,
            since=since,
            until=until,
        )
    ).parsed
