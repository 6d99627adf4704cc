from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.scene import Scene
from ..types import UNSET, Unset

T = TypeVar("T", bound="GeneBody")


@_attrs_define
class GeneBody:
    """A request for a new code.

    Attributes:
        scene (Scene): The kind of code: only the mini program's is served.
        auto_merge_qr_code (bool | None | Unset): Sent by the SDK; ignored.
    """

    scene: Scene
    auto_merge_qr_code: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scene = self.scene.value

        auto_merge_qr_code: bool | None | Unset
        if isinstance(self.auto_merge_qr_code, Unset):
            auto_merge_qr_code = UNSET
        else:
            auto_merge_qr_code = self.auto_merge_qr_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "scene": scene,
            }
        )
        if auto_merge_qr_code is not UNSET:
            field_dict["autoMergeQrCode"] = auto_merge_qr_code

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        scene = Scene(d.pop("scene"))

        def _parse_auto_merge_qr_code(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        auto_merge_qr_code = _parse_auto_merge_qr_code(d.pop("autoMergeQrCode", UNSET))

        gene_body = cls(
            scene=scene,
            auto_merge_qr_code=auto_merge_qr_code,
        )

        gene_body.additional_properties = d
        return gene_body

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
