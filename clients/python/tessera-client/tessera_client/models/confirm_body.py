from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConfirmBody")


@_attrs_define
class ConfirmBody:
    """The user's confirmation: the mini program's login, as for app2wxapp.

    Attributes:
        scene (str): The code's `scene`.
        code (str): The `wx.login` code.
        phone_code (None | str | Unset): The code from `<button open-type="getPhoneNumber">`.
        encrypted_data (None | str | Unset): Legacy encrypted phone payload.
        iv (None | str | Unset): IV of `encryptedData`.
    """

    scene: str
    code: str
    phone_code: None | str | Unset = UNSET
    encrypted_data: None | str | Unset = UNSET
    iv: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scene = self.scene

        code = self.code

        phone_code: None | str | Unset
        if isinstance(self.phone_code, Unset):
            phone_code = UNSET
        else:
            phone_code = self.phone_code

        encrypted_data: None | str | Unset
        if isinstance(self.encrypted_data, Unset):
            encrypted_data = UNSET
        else:
            encrypted_data = self.encrypted_data

        iv: None | str | Unset
        if isinstance(self.iv, Unset):
            iv = UNSET
        else:
            iv = self.iv

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "scene": scene,
                "code": code,
            }
        )
        if phone_code is not UNSET:
            field_dict["phoneCode"] = phone_code
        if encrypted_data is not UNSET:
            field_dict["encryptedData"] = encrypted_data
        if iv is not UNSET:
            field_dict["iv"] = iv

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        scene = d.pop("scene")

        code = d.pop("code")

        def _parse_phone_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone_code = _parse_phone_code(d.pop("phoneCode", UNSET))

        def _parse_encrypted_data(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        encrypted_data = _parse_encrypted_data(d.pop("encryptedData", UNSET))

        def _parse_iv(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        iv = _parse_iv(d.pop("iv", UNSET))

        confirm_body = cls(
            scene=scene,
            code=code,
            phone_code=phone_code,
            encrypted_data=encrypted_data,
            iv=iv,
        )

        confirm_body.additional_properties = d
        return confirm_body

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
