from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PutConnection")


@_attrs_define
class PutConnection:
    """The mini program's credentials.

    Attributes:
        app_id (str): The mini program AppID (`wx` and 16 letters or digits).
        app_secret (str | Unset): The mini program AppSecret. Required the first time and when `appId` changes;
            otherwise
            absent keeps the stored one. Stored encrypted and never returned.
        enabled (bool | Unset): Whether logins through this connection are allowed (default true).
    """

    app_id: str
    app_secret: str | Unset = UNSET
    enabled: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        app_id = self.app_id

        app_secret = self.app_secret

        enabled = self.enabled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
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

        app_secret = d.pop("appSecret", UNSET)

        enabled = d.pop("enabled", UNSET)

        put_connection = cls(
            app_id=app_id,
            app_secret=app_secret,
            enabled=enabled,
        )

        put_connection.additional_properties = d
        return put_connection

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
