from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LoginResponse")


@_attrs_define
class LoginResponse:
    """A ticket for the App.

    Attributes:
        code (int): 200.
        message (str): `ok`.
        ticket (str): The single-use ticket.
        expires_in (int): Seconds the ticket stays valid.
        ext_msg (str): `code=200&message=ok&ticket=…`: the `app-parameter` of the mini program's `launchApp`
            button, which WeChat hands to the App as `extMsg`.
    """

    code: int
    message: str
    ticket: str
    expires_in: int
    ext_msg: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        ticket = self.ticket

        expires_in = self.expires_in

        ext_msg = self.ext_msg

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
                "ticket": ticket,
                "expiresIn": expires_in,
                "extMsg": ext_msg,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        ticket = d.pop("ticket")

        expires_in = d.pop("expiresIn")

        ext_msg = d.pop("extMsg")

        login_response = cls(
            code=code,
            message=message,
            ticket=ticket,
            expires_in=expires_in,
            ext_msg=ext_msg,
        )

        login_response.additional_properties = d
        return login_response

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
