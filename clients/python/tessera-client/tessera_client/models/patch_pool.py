from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.settings_patch import SettingsPatch


T = TypeVar("T", bound="PatchPool")


@_attrs_define
class PatchPool:
    """A change of name or settings.

    Attributes:
        name (None | str | Unset): New display name (1..=128 characters, not only spaces).
        settings (None | SettingsPatch | Unset): Settings to change.
        current_secret (None | str | Unset): The current pool secret: a pool management token must present it to turn
            `settings.app2wxapp.requireSecret` off, or `settings.qrcodeLoginStrategy`'s
            `returnFullUserInfo` or `allowExchangeUserInfoFromBrowser` on (platform admins need not).
    """

    name: None | str | Unset = UNSET
    settings: None | SettingsPatch | Unset = UNSET
    current_secret: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.settings_patch import SettingsPatch  # noqa: PLC0415

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        settings: dict[str, Any] | None | Unset
        if isinstance(self.settings, Unset):
            settings = UNSET
        elif isinstance(self.settings, SettingsPatch):
            settings = self.settings.to_dict()
        else:
            settings = self.settings

        current_secret: None | str | Unset
        if isinstance(self.current_secret, Unset):
            current_secret = UNSET
        else:
            current_secret = self.current_secret

        field_dict: dict[str, Any] = {}

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

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_settings(data: object) -> None | SettingsPatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                settings_type_1 = SettingsPatch.from_dict(data)

                return settings_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SettingsPatch | Unset, data)

        settings = _parse_settings(d.pop("settings", UNSET))

        def _parse_current_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        current_secret = _parse_current_secret(d.pop("currentSecret", UNSET))

        patch_pool = cls(
            name=name,
            settings=settings,
            current_secret=current_secret,
        )

        return patch_pool
