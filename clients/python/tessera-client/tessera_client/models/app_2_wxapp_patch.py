from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="App2WxappPatch")


@_attrs_define
class App2WxappPatch:
    """app2wxapp settings to change.

    Attributes:
        require_secret (bool | Unset): Whether the ticket exchange requires the pool secret.
        ticket_ttl_seconds (int | Unset): Ticket lifetime in seconds (10..=600).
        ticket_exprires_after (int | Unset): The hosted original's name for `ticketTtlSeconds` (accepted for
            compatibility).
        ticket_exchange_user_info_need_secret (bool | Unset): The hosted original's name for `requireSecret` (accepted
            for compatibility).
    """

    require_secret: bool | Unset = UNSET
    ticket_ttl_seconds: int | Unset = UNSET
    ticket_exprires_after: int | Unset = UNSET
    ticket_exchange_user_info_need_secret: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        require_secret = self.require_secret

        ticket_ttl_seconds = self.ticket_ttl_seconds

        ticket_exprires_after = self.ticket_exprires_after

        ticket_exchange_user_info_need_secret = self.ticket_exchange_user_info_need_secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if require_secret is not UNSET:
            field_dict["requireSecret"] = require_secret
        if ticket_ttl_seconds is not UNSET:
            field_dict["ticketTtlSeconds"] = ticket_ttl_seconds
        if ticket_exprires_after is not UNSET:
            field_dict["ticketExpriresAfter"] = ticket_exprires_after
        if ticket_exchange_user_info_need_secret is not UNSET:
            field_dict["ticketExchangeUserInfoNeedSecret"] = ticket_exchange_user_info_need_secret

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        require_secret = d.pop("requireSecret", UNSET)

        ticket_ttl_seconds = d.pop("ticketTtlSeconds", UNSET)

        ticket_exprires_after = d.pop("ticketExpriresAfter", UNSET)

        ticket_exchange_user_info_need_secret = d.pop("ticketExchangeUserInfoNeedSecret", UNSET)

        app_2_wxapp_patch = cls(
            require_secret=require_secret,
            ticket_ttl_seconds=ticket_ttl_seconds,
            ticket_exprires_after=ticket_exprires_after,
            ticket_exchange_user_info_need_secret=ticket_exchange_user_info_need_secret,
        )

        app_2_wxapp_patch.additional_properties = d
        return app_2_wxapp_patch

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
