from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="App2WxappPatch")


@_attrs_define
class App2WxappPatch:
    """app2wxapp settings to change.

    Attributes:
        require_secret (bool | None | Unset): Whether the ticket exchange requires the pool secret.
        ticket_ttl_seconds (int | None | Unset): Ticket lifetime in seconds (10..=600).
        ticket_exprires_after (int | None | Unset): The hosted original's name for `ticketTtlSeconds` (accepted for
            compatibility).
        ticket_exchange_user_info_need_secret (bool | None | Unset): The hosted original's name for `requireSecret`
            (accepted for compatibility).
    """

    require_secret: bool | None | Unset = UNSET
    ticket_ttl_seconds: int | None | Unset = UNSET
    ticket_exprires_after: int | None | Unset = UNSET
    ticket_exchange_user_info_need_secret: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        require_secret: bool | None | Unset
        if isinstance(self.require_secret, Unset):
            require_secret = UNSET
        else:
            require_secret = self.require_secret

        ticket_ttl_seconds: int | None | Unset
        if isinstance(self.ticket_ttl_seconds, Unset):
            ticket_ttl_seconds = UNSET
        else:
            ticket_ttl_seconds = self.ticket_ttl_seconds

        ticket_exprires_after: int | None | Unset
        if isinstance(self.ticket_exprires_after, Unset):
            ticket_exprires_after = UNSET
        else:
            ticket_exprires_after = self.ticket_exprires_after

        ticket_exchange_user_info_need_secret: bool | None | Unset
        if isinstance(self.ticket_exchange_user_info_need_secret, Unset):
            ticket_exchange_user_info_need_secret = UNSET
        else:
            ticket_exchange_user_info_need_secret = self.ticket_exchange_user_info_need_secret

        field_dict: dict[str, Any] = {}

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

        def _parse_require_secret(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        require_secret = _parse_require_secret(d.pop("requireSecret", UNSET))

        def _parse_ticket_ttl_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ticket_ttl_seconds = _parse_ticket_ttl_seconds(d.pop("ticketTtlSeconds", UNSET))

        def _parse_ticket_exprires_after(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ticket_exprires_after = _parse_ticket_exprires_after(d.pop("ticketExpriresAfter", UNSET))

        def _parse_ticket_exchange_user_info_need_secret(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        ticket_exchange_user_info_need_secret = _parse_ticket_exchange_user_info_need_secret(
            d.pop("ticketExchangeUserInfoNeedSecret", UNSET)
        )

        app_2_wxapp_patch = cls(
            require_secret=require_secret,
            ticket_ttl_seconds=ticket_ttl_seconds,
            ticket_exprires_after=ticket_exprires_after,
            ticket_exchange_user_info_need_secret=ticket_exchange_user_info_need_secret,
        )

        return app_2_wxapp_patch
