from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.application_type import ApplicationType
from ..models.grant import Grant
from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchApplication")


@_attrs_define
class PatchApplication:
    """A change to an application: absent fields are kept; lists given replace the stored ones.

    Attributes:
        name (None | str | Unset): New display name (1..=100 characters, not only spaces).
        type_ (ApplicationType | None | Unset): The type cannot change: a type other than the application's is refused
            (`400`).
        redirect_uris (list[str] | None | Unset): New redirect URIs (the rules of creation).
        post_logout_redirect_uris (list[str] | None | Unset): New post-logout redirect URIs (the rules of creation).
        grant_types (list[Grant] | None | Unset): New grants (a non-empty subset of what the type allows).
        access_token_ttl_seconds (int | None | Unset): New access token lifetime in seconds (60..=86400).
        refresh_token_ttl_seconds (int | None | Unset): New refresh token lifetime in seconds (3600..=31536000).
        connections (list[str] | None | Unset): New connections of the hosted login page, in their order (the rules of
            creation), or
            `null` to offer every enabled connection of the pool again, in the pool's order.
    """

    name: None | str | Unset = UNSET
    type_: ApplicationType | None | Unset = UNSET
    redirect_uris: list[str] | None | Unset = UNSET
    post_logout_redirect_uris: list[str] | None | Unset = UNSET
    grant_types: list[Grant] | None | Unset = UNSET
    access_token_ttl_seconds: int | None | Unset = UNSET
    refresh_token_ttl_seconds: int | None | Unset = UNSET
    connections: list[str] | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        type_: None | str | Unset
        if isinstance(self.type_, Unset):
            type_ = UNSET
        elif isinstance(self.type_, ApplicationType):
            type_ = self.type_.value
        else:
            type_ = self.type_

        redirect_uris: list[str] | None | Unset
        if isinstance(self.redirect_uris, Unset):
            redirect_uris = UNSET
        elif isinstance(self.redirect_uris, list):
            redirect_uris = self.redirect_uris

        else:
            redirect_uris = self.redirect_uris

        post_logout_redirect_uris: list[str] | None | Unset
        if isinstance(self.post_logout_redirect_uris, Unset):
            post_logout_redirect_uris = UNSET
        elif isinstance(self.post_logout_redirect_uris, list):
            post_logout_redirect_uris = self.post_logout_redirect_uris

        else:
            post_logout_redirect_uris = self.post_logout_redirect_uris

        grant_types: list[str] | None | Unset
        if isinstance(self.grant_types, Unset):
            grant_types = UNSET
        elif isinstance(self.grant_types, list):
            grant_types = []
            for grant_types_type_0_item_data in self.grant_types:
                grant_types_type_0_item = grant_types_type_0_item_data.value
                grant_types.append(grant_types_type_0_item)

        else:
            grant_types = self.grant_types

        access_token_ttl_seconds: int | None | Unset
        if isinstance(self.access_token_ttl_seconds, Unset):
            access_token_ttl_seconds = UNSET
        else:
            access_token_ttl_seconds = self.access_token_ttl_seconds

        refresh_token_ttl_seconds: int | None | Unset
        if isinstance(self.refresh_token_ttl_seconds, Unset):
            refresh_token_ttl_seconds = UNSET
        else:
            refresh_token_ttl_seconds = self.refresh_token_ttl_seconds

        connections: list[str] | None | Unset
        if isinstance(self.connections, Unset):
            connections = UNSET
        elif isinstance(self.connections, list):
            connections = self.connections

        else:
            connections = self.connections

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if type_ is not UNSET:
            field_dict["type"] = type_
        if redirect_uris is not UNSET:
            field_dict["redirectUris"] = redirect_uris
        if post_logout_redirect_uris is not UNSET:
            field_dict["postLogoutRedirectUris"] = post_logout_redirect_uris
        if grant_types is not UNSET:
            field_dict["grantTypes"] = grant_types
        if access_token_ttl_seconds is not UNSET:
            field_dict["accessTokenTtlSeconds"] = access_token_ttl_seconds
        if refresh_token_ttl_seconds is not UNSET:
            field_dict["refreshTokenTtlSeconds"] = refresh_token_ttl_seconds
        if connections is not UNSET:
            field_dict["connections"] = connections

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_type_(data: object) -> ApplicationType | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                type_type_1 = ApplicationType(data)

                return type_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApplicationType | None | Unset, data)

        type_ = _parse_type_(d.pop("type", UNSET))

        def _parse_redirect_uris(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                redirect_uris_type_0 = cast(list[str], data)

                return redirect_uris_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        redirect_uris = _parse_redirect_uris(d.pop("redirectUris", UNSET))

        def _parse_post_logout_redirect_uris(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                post_logout_redirect_uris_type_0 = cast(list[str], data)

                return post_logout_redirect_uris_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        post_logout_redirect_uris = _parse_post_logout_redirect_uris(d.pop("postLogoutRedirectUris", UNSET))

        def _parse_grant_types(data: object) -> list[Grant] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                grant_types_type_0 = []
                _grant_types_type_0 = data
                for grant_types_type_0_item_data in _grant_types_type_0:
                    grant_types_type_0_item = Grant(grant_types_type_0_item_data)

                    grant_types_type_0.append(grant_types_type_0_item)

                return grant_types_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[Grant] | None | Unset, data)

        grant_types = _parse_grant_types(d.pop("grantTypes", UNSET))

        def _parse_access_token_ttl_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        access_token_ttl_seconds = _parse_access_token_ttl_seconds(d.pop("accessTokenTtlSeconds", UNSET))

        def _parse_refresh_token_ttl_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        refresh_token_ttl_seconds = _parse_refresh_token_ttl_seconds(d.pop("refreshTokenTtlSeconds", UNSET))

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

        patch_application = cls(
            name=name,
            type_=type_,
            redirect_uris=redirect_uris,
            post_logout_redirect_uris=post_logout_redirect_uris,
            grant_types=grant_types,
            access_token_ttl_seconds=access_token_ttl_seconds,
            refresh_token_ttl_seconds=refresh_token_ttl_seconds,
            connections=connections,
        )

        return patch_application
