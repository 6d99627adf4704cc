from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OpenIdConfiguration")


@_attrs_define
class OpenIdConfiguration:
    """OpenID Provider metadata (the parts that apply to token verification).

    Attributes:
        issuer (str): `{publicUrl}/userpools/{userPoolId}`: the `iss` of the pool's tokens.
        jwks_uri (str): Where the pool's public keys are published.
        id_token_signing_alg_values_supported (list[str]): Algorithms the pool's tokens may be signed with.
        subject_types_supported (list[str]): Subject identifier types.
        response_types_supported (list[str]): Response types (none: tokens come from the app2wxapp ticket exchange).
        claims_supported (list[str]): Claims in the pool's tokens.
    """

    issuer: str
    jwks_uri: str
    id_token_signing_alg_values_supported: list[str]
    subject_types_supported: list[str]
    response_types_supported: list[str]
    claims_supported: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        issuer = self.issuer

        jwks_uri = self.jwks_uri

        id_token_signing_alg_values_supported = self.id_token_signing_alg_values_supported

        subject_types_supported = self.subject_types_supported

        response_types_supported = self.response_types_supported

        claims_supported = self.claims_supported

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "issuer": issuer,
                "jwks_uri": jwks_uri,
                "id_token_signing_alg_values_supported": id_token_signing_alg_values_supported,
                "subject_types_supported": subject_types_supported,
                "response_types_supported": response_types_supported,
                "claims_supported": claims_supported,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        issuer = d.pop("issuer")

        jwks_uri = d.pop("jwks_uri")

        id_token_signing_alg_values_supported = cast(list[str], d.pop("id_token_signing_alg_values_supported"))

        subject_types_supported = cast(list[str], d.pop("subject_types_supported"))

        response_types_supported = cast(list[str], d.pop("response_types_supported"))

        claims_supported = cast(list[str], d.pop("claims_supported"))

        open_id_configuration = cls(
            issuer=issuer,
            jwks_uri=jwks_uri,
            id_token_signing_alg_values_supported=id_token_signing_alg_values_supported,
            subject_types_supported=subject_types_supported,
            response_types_supported=response_types_supported,
            claims_supported=claims_supported,
        )

        open_id_configuration.additional_properties = d
        return open_id_configuration

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
