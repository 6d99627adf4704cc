from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.settings_patch import SettingsPatch


T = TypeVar("T", bound="CreatePool")


@_attrs_define
class CreatePool:
    """A new user pool.

    Attributes:
        name (str): Display name (1..=128 characters, not only spaces).
        id (None | str | Unset): An explicit id (letters, digits, `_`, `-`; at most 64), e.g. the hosted original's pool
            id
            embedded in existing Apps. Generated when absent.
        settings (None | SettingsPatch | Unset): Settings differing from the defaults.
    """

    name: str
    id: None | str | Unset = UNSET
    settings: None | SettingsPatch | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.settings_patch import SettingsPatch  # noqa: PLC0415

        name = self.name

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        settings: dict[str, Any] | None | Unset
        if isinstance(self.settings, Unset):
            settings = UNSET
        elif isinstance(self.settings, SettingsPatch):
            settings = self.settings.to_dict()
        else:
            settings = self.settings

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if settings is not UNSET:
            field_dict["settings"] = settings

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.settings_patch import SettingsPatch  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

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

        create_pool = cls(
            name=name,
            id=id,
            settings=settings,
        )

        return create_pool
