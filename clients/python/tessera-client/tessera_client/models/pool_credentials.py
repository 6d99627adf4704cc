from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PoolCredentials")


@_attrs_define
class PoolCredentials:
    """User pool credentials.

    Attributes:
        user_pool_id (str): The user pool id.
        secret (str): The user pool secret.
    """

    user_pool_id: str
    secret: str

    def to_dict(self) -> dict[str, Any]:
        user_pool_id = self.user_pool_id

        secret = self.secret

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "userPoolId": user_pool_id,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        user_pool_id = d.pop("userPoolId")

        secret = d.pop("secret")

        pool_credentials = cls(
            user_pool_id=user_pool_id,
            secret=secret,
        )

        return pool_credentials
