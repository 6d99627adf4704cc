from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PatchUser")


@_attrs_define
class PatchUser:
    """A change to a user: absent fields are kept, `null` clears a field.

    Attributes:
        phone (str | Unset): Phone number (5 to 20 digits, optionally starting with `+`).
        email (str | Unset): Email address.
        email_verified (bool | Unset): Whether the email address is verified.
        username (str | Unset): Username.
        nickname (str | Unset): Nickname.
        photo (str | Unset): Avatar URL (http or https).
        company (str | Unset): Company.
        metadata (Any | Unset): Free-form JSON object; replaces the stored one.
        blocked (bool | Unset): `true` blocks the user: later ticket exchanges answer `403 user_blocked`.
    """

    phone: str | Unset = UNSET
    email: str | Unset = UNSET
    email_verified: bool | Unset = UNSET
    username: str | Unset = UNSET
    nickname: str | Unset = UNSET
    photo: str | Unset = UNSET
    company: str | Unset = UNSET
    metadata: Any | Unset = UNSET
    blocked: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        phone = self.phone

        email = self.email

        email_verified = self.email_verified

        username = self.username

        nickname = self.nickname

        photo = self.photo

        company = self.company

        metadata = self.metadata

        blocked = self.blocked

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if phone is not UNSET:
            field_dict["phone"] = phone
        if email is not UNSET:
            field_dict["email"] = email
        if email_verified is not UNSET:
            field_dict["emailVerified"] = email_verified
        if username is not UNSET:
            field_dict["username"] = username
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if photo is not UNSET:
            field_dict["photo"] = photo
        if company is not UNSET:
            field_dict["company"] = company
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if blocked is not UNSET:
            field_dict["blocked"] = blocked

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        phone = d.pop("phone", UNSET)

        email = d.pop("email", UNSET)

        email_verified = d.pop("emailVerified", UNSET)

        username = d.pop("username", UNSET)

        nickname = d.pop("nickname", UNSET)

        photo = d.pop("photo", UNSET)

        company = d.pop("company", UNSET)

        metadata = d.pop("metadata", UNSET)

        blocked = d.pop("blocked", UNSET)

        patch_user = cls(
            phone=phone,
            email=email,
            email_verified=email_verified,
            username=username,
            nickname=nickname,
            photo=photo,
            company=company,
            metadata=metadata,
            blocked=blocked,
        )

        patch_user.additional_properties = d
        return patch_user

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
