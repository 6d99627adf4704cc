from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.algorithm import Algorithm
from ..models.signing_key_status import SigningKeyStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="Key")


@_attrs_define
class Key:
    """A signing key's public part.

    Attributes:
        kid (str): Key id (the `kid` of tokens it signs; RFC 7638 thumbprint).
        algorithm (Algorithm): A JWT signature algorithm.
        public_jwk (Any): The public JWK, as published in the pool's JWKS.
        status (SigningKeyStatus): What a signing key does now: `active` (signs new tokens; one per pool), `next`
            (published in the JWKS, signs after the next rotation) or `retired` (signs nothing; published until every token
            it signed has expired).
        created_at (str): Creation time (ISO-8601 UTC).
        retired_at (None | str | Unset): When it stopped signing (ISO-8601 UTC); only for a retired key.
        published_until (None | str | Unset): Until when a retired key stays in the JWKS (ISO-8601 UTC): the expiry of
            the last token
            it can have signed.
    """

    kid: str
    algorithm: Algorithm
    public_jwk: Any
    status: SigningKeyStatus
    created_at: str
    retired_at: None | str | Unset = UNSET
    published_until: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kid = self.kid

        algorithm = self.algorithm.value

        public_jwk = self.public_jwk

        status = self.status.value

        created_at = self.created_at

        retired_at: None | str | Unset
        if isinstance(self.retired_at, Unset):
            retired_at = UNSET
        else:
            retired_at = self.retired_at

        published_until: None | str | Unset
        if isinstance(self.published_until, Unset):
            published_until = UNSET
        else:
            published_until = self.published_until

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kid": kid,
                "algorithm": algorithm,
                "publicJwk": public_jwk,
                "status": status,
                "createdAt": created_at,
            }
        )
        if retired_at is not UNSET:
            field_dict["retiredAt"] = retired_at
        if published_until is not UNSET:
            field_dict["publishedUntil"] = published_until

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kid = d.pop("kid")

        algorithm = Algorithm(d.pop("algorithm"))

        public_jwk = d.pop("publicJwk")

        status = SigningKeyStatus(d.pop("status"))

        created_at = d.pop("createdAt")

        def _parse_retired_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        retired_at = _parse_retired_at(d.pop("retiredAt", UNSET))

        def _parse_published_until(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        published_until = _parse_published_until(d.pop("publishedUntil", UNSET))

        key = cls(
            kid=kid,
            algorithm=algorithm,
            public_jwk=public_jwk,
            status=status,
            created_at=created_at,
            retired_at=retired_at,
            published_until=published_until,
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
