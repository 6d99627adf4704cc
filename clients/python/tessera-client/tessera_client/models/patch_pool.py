from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.settings_patch import SettingsPatch


T = TypeVar("T", bound="PatchPool")


@_attrs_define
class PatchPool:
    """A change of name or settings.

    Attributes:
        name (str | Unset): New display name (1..=128 characters).
        settings (SettingsPatch | Unset): Settings to change; absent fields keep their value.
        current_secret (str | Unset): The current pool secret: a pool management token must present it to turn
            `settings.app2wxapp.requireSecret` off (platform admins need not).
    """

    name: str | Unset = UNSET
    settings: SettingsPatch | Unset = UNSET
    current_secret: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        settings: dict[str, Any] | Unset = UNSET
        if not isinstance(self.settings, Unset):
            settings = self.settings.to_dict()

        current_secret = self.current_secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if settings is not UNSET:
            field_dict["settings"] = settings
        if current_secret is not UNSET:
            field_dict["currentSecret"] = current_secret

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.settings_patch import SettingsPatch  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name", UNSET)

        _settings = d.pop("settings", UNSET)
        settings: SettingsPatch | Unset
        if isinstance(_settings, Unset):
            settings = UNSET
        else:
            settings = SettingsPatch.from_dict(_settings)

        current_secret = d.pop("currentSecret", UNSET)

        patch_pool = cls(
            name=name,
            settings=settings,
            current_secret=current_secret,
        )

        patch_pool.additional_properties = d
        return patch_pool

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
