from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="MergeUser")


@_attrs_define
class MergeUser:
    """Which user to merge into the one of the path.

    Attributes:
        from_ (str): The user merged into the target and then deleted (another user of the same pool).
    """

    from_: str

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "from": from_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        from_ = d.pop("from")

        merge_user = cls(
            from_=from_,
        )

        return merge_user
