from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="QrcodeLoginStrategy")


@_attrs_define
class QrcodeLoginStrategy:
    """Settings of the hosted original's QR login API (`/api/v2/qrcode/*`).

    Attributes:
        qrcode_expires_after (int): How long a code can be scanned and confirmed, in seconds (30..=600, default 120).
        ticket_expires_after (int): How long the ticket of a confirmed code can be exchanged, in seconds (10..=600,
            default
            300).
        return_full_user_info (bool): Whether the status check of a confirmed code answers the whole user with a token
            (default `false`: only the nickname and photo, the page exchanges the ticket).
        allow_exchange_user_info_from_browser (bool): Whether a browser may exchange the ticket (default `true`); when
            `false` the exchange
            needs the pool secret.
    """

    qrcode_expires_after: int
    ticket_expires_after: int
    return_full_user_info: bool
    allow_exchange_user_info_from_browser: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        qrcode_expires_after = self.qrcode_expires_after

        ticket_expires_after = self.ticket_expires_after

        return_full_user_info = self.return_full_user_info

        allow_exchange_user_info_from_browser = self.allow_exchange_user_info_from_browser

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "qrcodeExpiresAfter": qrcode_expires_after,
                "ticketExpiresAfter": ticket_expires_after,
                "returnFullUserInfo": return_full_user_info,
                "allowExchangeUserInfoFromBrowser": allow_exchange_user_info_from_browser,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        qrcode_expires_after = d.pop("qrcodeExpiresAfter")

        ticket_expires_after = d.pop("ticketExpiresAfter")

        return_full_user_info = d.pop("returnFullUserInfo")

        allow_exchange_user_info_from_browser = d.pop("allowExchangeUserInfoFromBrowser")

        qrcode_login_strategy = cls(
            qrcode_expires_after=qrcode_expires_after,
            ticket_expires_after=ticket_expires_after,
            return_full_user_info=return_full_user_info,
            allow_exchange_user_info_from_browser=allow_exchange_user_info_from_browser,
        )

        qrcode_login_strategy.additional_properties = d
        return qrcode_login_strategy

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
