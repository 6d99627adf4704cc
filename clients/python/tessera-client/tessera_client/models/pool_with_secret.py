from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.settings import Settings


T = TypeVar("T", bound="PoolWithSecret")


@_attrs_define
class PoolWithSecret:
    """A pool with its secret, shown only at creation.

    Attributes:
        id (str): Pool id.
        name (str): Display name.
        settings (Settings): A pool's settings.
        created_at (str): Creation time (ISO-8601 UTC).
        updated_at (str): Last change (ISO-8601 UTC).
        secret (str): The pool secret. It is not stored in clear and is never shown again: keep it safe.
    """

    id: str
    name: str
    settings: Settings
    created_at: str
    updated_at: str
    secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        settings = self.settings.to_dict()

        created_at = self.created_at

        updated_at = self.updated_at

        secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "settings": settings,
                "createdAt": created_at,
                "updatedAt": updated_at,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.settings import Settings  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        settings = Settings.from_dict(d.pop("settings"))

        created_at = d.pop("createdAt")

        updated_at = d.pop("updatedAt")

        secret = d.pop("secret")

        pool_with_secret = cls(
            id=id,
            name=name,
            settings=settings,
            created_at=created_at,
            updated_at=updated_at,
            secret=secret,
        )

        pool_with_secret.additional_properties = d
        return pool_with_secret

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
