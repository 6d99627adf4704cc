from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="App2WxappSettings")


@_attrs_define
class App2WxappSettings:
    """Settings of the "App launches mini program" login.

    Attributes:
        require_secret (bool): Whether the ticket exchange requires the pool secret.
        ticket_ttl_seconds (int): Ticket lifetime in seconds (10..=600).
    """

    require_secret: bool
    ticket_ttl_seconds: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        require_secret = self.require_secret

        ticket_ttl_seconds = self.ticket_ttl_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "requireSecret": require_secret,
                "ticketTtlSeconds": ticket_ttl_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        require_secret = d.pop("requireSecret")

        ticket_ttl_seconds = d.pop("ticketTtlSeconds")

        app_2_wxapp_settings = cls(
            require_secret=require_secret,
            ticket_ttl_seconds=ticket_ttl_seconds,
        )

        app_2_wxapp_settings.additional_properties = d
        return app_2_wxapp_settings

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
