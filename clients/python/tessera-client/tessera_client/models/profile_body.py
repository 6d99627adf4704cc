from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ProfileBody")


@_attrs_define
class ProfileBody:
    """The WeChat profile (`wx.getUserProfile`), optional.

    Attributes:
        nick_name (str | Unset): Nickname.
        avatar_url (str | Unset): Avatar URL (http or https).
        gender (int | Unset): 0 unknown, 1 male, 2 female.
        city (str | Unset): City.
        province (str | Unset): Province.
        country (str | Unset): Country.
        language (str | Unset): Language.
    """

    nick_name: str | Unset = UNSET
    avatar_url: str | Unset = UNSET
    gender: int | Unset = UNSET
    city: str | Unset = UNSET
    province: str | Unset = UNSET
    country: str | Unset = UNSET
    language: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        nick_name = self.nick_name

        avatar_url = self.avatar_url

        gender = self.gender

        city = self.city

        province = self.province

        country = self.country

        language = self.language

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if nick_name is not UNSET:
            field_dict["nickName"] = nick_name
        if avatar_url is not UNSET:
            field_dict["avatarUrl"] = avatar_url
        if gender is not UNSET:
            field_dict["gender"] = gender
        if city is not UNSET:
            field_dict["city"] = city
        if province is not UNSET:
            field_dict["province"] = province
        if country is not UNSET:
            field_dict["country"] = country
        if language is not UNSET:
            field_dict["language"] = language

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        nick_name = d.pop("nickName", UNSET)

        avatar_url = d.pop("avatarUrl", UNSET)

        gender = d.pop("gender", UNSET)

        city = d.pop("city", UNSET)

        province = d.pop("province", UNSET)

        country = d.pop("country", UNSET)

        language = d.pop("language", UNSET)

        profile_body = cls(
            nick_name=nick_name,
            avatar_url=avatar_url,
            gender=gender,
            city=city,
            province=province,
            country=country,
            language=language,
        )

        profile_body.additional_properties = d
        return profile_body

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
