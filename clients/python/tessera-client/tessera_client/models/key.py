from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.algorithm import Algorithm

T = TypeVar("T", bound="Key")


@_attrs_define
class Key:
    """A signing key's public part.

    Attributes:
        kid (str): Key id (the `kid` of tokens it signs; RFC 7638 thumbprint).
        algorithm (Algorithm): A JWT signature algorithm.
        public_jwk (Any): The public JWK, as published in the pool's JWKS.
        created_at (str): Creation time (ISO-8601 UTC).
    """

    kid: str
    algorithm: Algorithm
    public_jwk: Any
    created_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kid = self.kid

        algorithm = self.algorithm.value

        public_jwk = self.public_jwk

        created_at = self.created_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kid": kid,
                "algorithm": algorithm,
                "publicJwk": public_jwk,
                "createdAt": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kid = d.pop("kid")

        algorithm = Algorithm(d.pop("algorithm"))

        public_jwk = d.pop("publicJwk")

        created_at = d.pop("createdAt")

        key = cls(
            kid=kid,
            algorithm=algorithm,
            public_jwk=public_jwk,
            created_at=created_at,
        )

        key.additional_properties = d
        return key

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
