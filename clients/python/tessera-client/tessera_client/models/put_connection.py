from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PutConnection")


@_attrs_define
class PutConnection:
    """The mini program's credentials.

    Attributes:
        app_id (str): The mini program AppID (`wx` and 16 letters or digits).
        app_secret (None | str | Unset): The mini program AppSecret. Required the first time and when `appId` changes;
            otherwise
            absent keeps the stored one. Stored encrypted and never returned.
        enabled (bool | None | Unset): Whether logins through this connection are allowed (default true).
    """

    app_id: str
    app_secret: None | str | Unset = UNSET
    enabled: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        app_id = self.app_id

        app_secret: None | str | Unset
        if isinstance(self.app_secret, Unset):
            app_secret = UNSET
        else:
            app_secret = self.app_secret

        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "appId": app_id,
            }
        )
        if app_secret is not UNSET:
            field_dict["appSecret"] = app_secret
        if enabled is not UNSET:
            field_dict["enabled"] = enabled

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        app_id = d.pop("appId")

        def _parse_app_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        app_secret = _parse_app_secret(d.pop("appSecret", UNSET))

        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))

        put_connection = cls(
            app_id=app_id,
            app_secret=app_secret,
            enabled=enabled,
        )

        return put_connection
