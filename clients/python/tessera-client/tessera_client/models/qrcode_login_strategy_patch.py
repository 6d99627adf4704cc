from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="QrcodeLoginStrategyPatch")


@_attrs_define
class QrcodeLoginStrategyPatch:
    """QR login API settings to change.

    Attributes:
        qrcode_expires_after (int | None | Unset): How long a code can be scanned and confirmed, in seconds (30..=600).
        ticket_expires_after (int | None | Unset): How long the ticket of a confirmed code can be exchanged, in seconds
            (10..=600).
        return_full_user_info (bool | None | Unset): Whether the status check of a confirmed code answers the whole user
            with a token.
        allow_exchange_user_info_from_browser (bool | None | Unset): Whether a browser may exchange the ticket; when
            `false` the exchange needs the pool
            secret.
    """

    qrcode_expires_after: int | None | Unset = UNSET
    ticket_expires_after: int | None | Unset = UNSET
    return_full_user_info: bool | None | Unset = UNSET
    allow_exchange_user_info_from_browser: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        qrcode_expires_after: int | None | Unset
        if isinstance(self.qrcode_expires_after, Unset):
            qrcode_expires_after = UNSET
        else:
            qrcode_expires_after = self.qrcode_expires_after

        ticket_expires_after: int | None | Unset
        if isinstance(self.ticket_expires_after, Unset):
            ticket_expires_after = UNSET
        else:
            ticket_expires_after = self.ticket_expires_after

        return_full_user_info: bool | None | Unset
        if isinstance(self.return_full_user_info, Unset):
            return_full_user_info = UNSET
        else:
            return_full_user_info = self.return_full_user_info

        allow_exchange_user_info_from_browser: bool | None | Unset
        if isinstance(self.allow_exchange_user_info_from_browser, Unset):
            allow_exchange_user_info_from_browser = UNSET
        else:
            allow_exchange_user_info_from_browser = self.allow_exchange_user_info_from_browser

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if qrcode_expires_after is not UNSET:
            field_dict["qrcodeExpiresAfter"] = qrcode_expires_after
        if ticket_expires_after is not UNSET:
            field_dict["ticketExpiresAfter"] = ticket_expires_after
        if return_full_user_info is not UNSET:
            field_dict["returnFullUserInfo"] = return_full_user_info
        if allow_exchange_user_info_from_browser is not UNSET:
            field_dict["allowExchangeUserInfoFromBrowser"] = allow_exchange_user_info_from_browser

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_qrcode_expires_after(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        qrcode_expires_after = _parse_qrcode_expires_after(d.pop("qrcodeExpiresAfter", UNSET))

        def _parse_ticket_expires_after(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ticket_expires_after = _parse_ticket_expires_after(d.pop("ticketExpiresAfter", UNSET))

        def _parse_return_full_user_info(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        return_full_user_info = _parse_return_full_user_info(d.pop("returnFullUserInfo", UNSET))

        def _parse_allow_exchange_user_info_from_browser(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        allow_exchange_user_info_from_browser = _parse_allow_exchange_user_info_from_browser(
            d.pop("allowExchangeUserInfoFromBrowser", UNSET)
        )

        qrcode_login_strategy_patch = cls(
            qrcode_expires_after=qrcode_expires_after,
            ticket_expires_after=ticket_expires_after,
            return_full_user_info=return_full_user_info,
            allow_exchange_user_info_from_browser=allow_exchange_user_info_from_browser,
        )

        return qrcode_login_strategy_patch
