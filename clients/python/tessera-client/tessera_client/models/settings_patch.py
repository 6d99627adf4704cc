from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.algorithm import Algorithm
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.app_2_wxapp_patch import App2WxappPatch


T = TypeVar("T", bound="SettingsPatch")


@_attrs_define
class SettingsPatch:
    """Settings to change; absent fields keep their value.

    Attributes:
        allow_sign_up (bool | Unset): Whether unknown WeChat users are signed up on login.
        token_ttl_seconds (int | Unset): Lifetime of issued tokens in seconds (60..=2592000).
        token_algorithm (Algorithm | Unset): A JWT signature algorithm.
        app2wxapp (App2WxappPatch | Unset): app2wxapp settings to change.
    """

    allow_sign_up: bool | Unset = UNSET
    token_ttl_seconds: int | Unset = UNSET
    token_algorithm: Algorithm | Unset = UNSET
    app2wxapp: App2WxappPatch | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allow_sign_up = self.allow_sign_up

        token_ttl_seconds = self.token_ttl_seconds

        token_algorithm: str | Unset = UNSET
        if not isinstance(self.token_algorithm, Unset):
            token_algorithm = self.token_algorithm.value

        app2wxapp: dict[str, Any] | Unset = UNSET
        if not isinstance(self.app2wxapp, Unset):
            app2wxapp = self.app2wxapp.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if allow_sign_up is not UNSET:
            field_dict["allowSignUp"] = allow_sign_up
        if token_ttl_seconds is not UNSET:
            field_dict["tokenTtlSeconds"] = token_ttl_seconds
        if token_algorithm is not UNSET:
            field_dict["tokenAlgorithm"] = token_algorithm
        if app2wxapp is not UNSET:
            field_dict["app2wxapp"] = app2wxapp

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.app_2_wxapp_patch import App2WxappPatch  # noqa: PLC0415

        d = dict(src_dict)
        allow_sign_up = d.pop("allowSignUp", UNSET)

        token_ttl_seconds = d.pop("tokenTtlSeconds", UNSET)

        _token_algorithm = d.pop("tokenAlgorithm", UNSET)
        token_algorithm: Algorithm | Unset
        if isinstance(_token_algorithm, Unset):
            token_algorithm = UNSET
        else:
            token_algorithm = Algorithm(_token_algorithm)

        _app2wxapp = d.pop("app2wxapp", UNSET)
        app2wxapp: App2WxappPatch | Unset
        if isinstance(_app2wxapp, Unset):
            app2wxapp = UNSET
        else:
            app2wxapp = App2WxappPatch.from_dict(_app2wxapp)

        settings_patch = cls(
            allow_sign_up=allow_sign_up,
            token_ttl_seconds=token_ttl_seconds,
            token_algorithm=token_algorithm,
            app2wxapp=app2wxapp,
        )

        settings_patch.additional_properties = d
        return settings_patch

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
