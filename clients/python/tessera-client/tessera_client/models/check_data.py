from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CheckData")


@_attrs_define
class CheckData:
    """Where a code stands.

    Attributes:
        random (str): The code's id.
        status (int): `0` not scanned, `1` scanned, `2` authorized, `3` cancelled, `-1` expired (or already
            answered as authorized).
        ticket (None | str | Unset): With status `2`, once: the single-use ticket to exchange at
            `/api/v2/qrcode/userinfo`.
        user_info (Any | Unset): With status `1`, an empty object; with status `2`, the user's `nickname` and `photo`,
            or, when the pool's `returnFullUserInfo` is on, the whole user with a `token` (the
            fields of the exchange's answer).
    """

    random: str
    status: int
    ticket: None | str | Unset = UNSET
    user_info: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        random = self.random

        status = self.status

        ticket: None | str | Unset
        if isinstance(self.ticket, Unset):
            ticket = UNSET
        else:
            ticket = self.ticket

        user_info = self.user_info

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "random": random,
                "status": status,
            }
        )
        if ticket is not UNSET:
            field_dict["ticket"] = ticket
        if user_info is not UNSET:
            field_dict["userInfo"] = user_info

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        random = d.pop("random")

        status = d.pop("status")

        def _parse_ticket(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ticket = _parse_ticket(d.pop("ticket", UNSET))

        user_info = d.pop("userInfo", UNSET)

        check_data = cls(
            random=random,
            status=status,
            ticket=ticket,
            user_info=user_info,
        )

        check_data.additional_properties = d
        return check_data

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
