from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RotateSecret")


@_attrs_define
class RotateSecret:
    """Proof that a pool management token's caller still holds the pool secret.

    Attributes:
        current_secret (None | str | Unset): The current pool secret (required with a pool management token).
    """

    current_secret: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        current_secret: None | str | Unset
        if isinstance(self.current_secret, Unset):
            current_secret = UNSET
        else:
            current_secret = self.current_secret

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if current_secret is not UNSET:
            field_dict["currentSecret"] = current_secret

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_current_secret(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        current_secret = _parse_current_secret(d.pop("currentSecret", UNSET))

        rotate_secret = cls(
            current_secret=current_secret,
        )

        return rotate_secret
