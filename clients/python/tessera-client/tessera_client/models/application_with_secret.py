from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.application_type import ApplicationType
from ..models.grant import Grant
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApplicationWithSecret")


@_attrs_define
class ApplicationWithSecret:
    """An application with its client secret: only in the answers of creation and secret rotation.

    Attributes:
        client_id (str): The OAuth `client_id` (24 lowercase hexadecimal characters).
        name (str): Display name, shown on the hosted login page.
        type_ (ApplicationType): What kind of client an application is: `web` (server-side, confidential, authorization
            code), `spa` and `native` (public, authorization code with PKCE), `machine` (confidential, client credentials
            only).
        redirect_uris (list[str]): Where the authorization endpoint may send users back (matched exactly; the port of a
            loopback `http://127.0.0.1` or `http://[::1]` URI may differ, RFC 8252 §7.3).
        post_logout_redirect_uris (list[str]): Where the end session endpoint may send users back (matched exactly).
        grant_types (list[Grant]): The grants it may use at the token endpoint.
        access_token_ttl_seconds (int): Lifetime of its access tokens, in seconds.
        refresh_token_ttl_seconds (int): Lifetime of its refresh tokens, in seconds.
        token_endpoint_auth_method (str): How it authenticates at the token endpoint: `client_secret_basic` for
            confidential
            applications (`web`, `machine`; `client_secret_post` is accepted too), `none` for public
            ones (`spa`, `native`).
        created_at (str): Creation time (ISO-8601 UTC).
        updated_at (str): Last change (ISO-8601 UTC).
        connections (list[str] | None | Unset): The ids of the pool's connections its hosted login page offers, in the
            order shown.
            Absent: every enabled connection of the pool, in the pool's order.
        client_secret (None | str | Unset): The client secret of a confidential application (`web`, `machine`). It is
            not stored in
            clear and is never shown again: keep it safe. Absent for public applications.
    """

    client_id: str
    name: str
    type_: ApplicationType
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    grant_types: list[Grant]
    access_token_ttl_seconds: int
    refresh_token_ttl_seconds: int
    token_endpoint_auth_method: str
    created_at: str
    updated_at: str
    connections: list[str] | None | Unset = UNSET
    client_secret: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        name = self.name

        type_ = self.type_.value

        redirect_uris = self.redirect_uris

        post_logout_redirect_uris = self.post_logout_redirect_uris

        grant_types = []
        for grant_types_item_data in self.grant_types:
            grant_types_item = grant_types_item_data.value
            grant_types.append(grant_types_item)

        access_token_ttl_seconds = self.access_token_ttl_seconds

        refresh_token_ttl_seconds = self.refresh_token_ttl_seconds

        token_endpoint_auth_method = self.token_endpoint_auth_method

        created_at = self.created_at

        updated_at = self.updated_at

        connections: list[str] | None | Unset
        if isinstance(self.connections, Unset):
            connections = UNSET
        elif isinstance(self.connections, list):
            connections = self.connections

        else:
            connections = self.connections

        client_secret: None | str | Unset
        if isinstance(self.client_secret, Unset):
            client_secret = UNSET
        else:
            client_secret = self.client_secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "clientId": client_id,
                "name": name,
                "type": type_,
                "redirectUris": redirect_uris,
                "postLogoutRedirectUris": post_logout_redirect_uris,
                "grantTypes": grant_types,
                "accessTokenTtlSeconds": access_token_ttl_seconds,
                "refreshTokenTtlSeconds": refresh_token_ttl_seconds,
                "tokenEndpointAuthMethod": token_endpoint_auth_method,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )
        if connections is not UNSET:
            field_dict["connections"] = connections
        if client_secret is not UNSET:
            field_dict["clientSecret"] = client_secret

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        client_id = d.pop("clientId")

        name = d.pop("name")

        type_ = ApplicationType(d.pop("type"))

        redirect_uris = cast(list[str], d.pop("redirectUris"))

        post_logout_redirect_uris = cast(list[str], d.pop("postLogoutRedirectUris"))

        grant_types = []
        _grant_types = d.pop("grantTypes")
        for grant_types_item_data in _grant_types:
            grant_types_item = Grant(grant_types_item_data)

            grant_types.append(grant_types_item)

        access_token_ttl_seconds = d.pop("accessTokenTtlSeconds")

        refresh_token_ttl_seconds = d.pop("refreshTokenTtlSeconds")

        token_endpoint_auth_method = d.pop("tokenEndpointAuthMethod")

        created_at = d.pop("createdAt")

        updated_at = d.pop("updatedAt")

        def _parse_connections(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                connections_type_0 = cast(list[str], data)

                return connections_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        connections = _parse_connections(d.pop("connections", UNSET))

        def _parse_client_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        client_secret = _parse_client_secret(d.pop("clientSecret", UNSET))

        application_with_secret = cls(
            client_id=client_id,
            name=name,
            type_=type_,
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=post_logout_redirect_uris,
            grant_types=grant_types,
            access_token_ttl_seconds=access_token_ttl_seconds,
            refresh_token_ttl_seconds=refresh_token_ttl_seconds,
            token_endpoint_auth_method=token_endpoint_auth_method,
            created_at=created_at,
            updated_at=updated_at,
            connections=connections,
            client_secret=client_secret,
        )

        application_with_secret.additional_properties = d
        return application_with_secret

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
