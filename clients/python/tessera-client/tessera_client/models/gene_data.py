from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GeneData")


@_attrs_define
class GeneData:
    """A new code.

    Attributes:
        random (str): The code's id, which the page polls with.
        url (str): The mini program code's image, as a `data:` URL.
        expires_in (int): Seconds it can be scanned and confirmed (the pool's `qrcodeExpiresAfter`).
    """

    random: str
    url: str
    expires_in: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        random = self.random

        url = self.url

        expires_in = self.expires_in

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "random": random,
                "url": url,
                "expiresIn": expires_in,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        random = d.pop("random")

        url = d.pop("url")

        expires_in = d.pop("expiresIn")

        gene_data = cls(
            random=random,
            url=url,
            expires_in=expires_in,
        )

        gene_data.additional_properties = d
        return gene_data

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
