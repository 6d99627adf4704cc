from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CreateAdmin")


@_attrs_define
class CreateAdmin:
    """A new platform admin account.

    Attributes:
        username (str): Login name: 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
        password (str): Password: 8 to 1024 characters.
    """

    username: str
    password: str

    def to_dict(self) -> dict[str, Any]:
        username = self.username

        password = self.password

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "username": username,
                "password": password,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        username = d.pop("username")

        password = d.pop("password")

        create_admin = cls(
            username=username,
            password=password,
        )

        return create_admin
