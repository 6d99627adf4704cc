from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.algorithm import Algorithm

if TYPE_CHECKING:
    from ..models.app_2_wxapp_settings import App2WxappSettings
    from ..models.qrcode_login_strategy import QrcodeLoginStrategy


T = TypeVar("T", bound="Settings")


@_attrs_define
class Settings:
    """A pool's settings.

    Attributes:
        allow_sign_up (bool): Whether unknown WeChat users are signed up on login.
        token_ttl_seconds (int): Lifetime of issued tokens in seconds (60..=2592000).
        token_algorithm (Algorithm): A JWT signature algorithm.
        app2wxapp (App2WxappSettings): Settings of the "App launches mini program" login.
        allow_http_redirect_uris (bool): Whether `web` applications may register plain `http` redirect URIs on any host.
            For
            development only (default `false`); `http://127.0.0.1` and `http://[::1]` are always
            allowed.
        qrcode_login_strategy (QrcodeLoginStrategy): Settings of the hosted original's QR login API
            (`/api/v2/qrcode/*`).
    """

    allow_sign_up: bool
    token_ttl_seconds: int
    token_algorithm: Algorithm
    app2wxapp: App2WxappSettings
    allow_http_redirect_uris: bool
    qrcode_login_strategy: QrcodeLoginStrategy
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allow_sign_up = self.allow_sign_up

        token_ttl_seconds = self.token_ttl_seconds

        token_algorithm = self.token_algorithm.value

        app2wxapp = self.app2wxapp.to_dict()

        allow_http_redirect_uris = self.allow_http_redirect_uris

        qrcode_login_strategy = self.qrcode_login_strategy.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "allowSignUp": allow_sign_up,
                "tokenTtlSeconds": token_ttl_seconds,
                "tokenAlgorithm": token_algorithm,
                "app2wxapp": app2wxapp,
                "allowHttpRedirectUris": allow_http_redirect_uris,
                "qrcodeLoginStrategy": qrcode_login_strategy,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.app_2_wxapp_settings import App2WxappSettings  # noqa: PLC0415
        from ..models.qrcode_login_strategy import QrcodeLoginStrategy  # noqa: PLC0415

        d = dict(src_dict)
        allow_sign_up = d.pop("allowSignUp")

        token_ttl_seconds = d.pop("tokenTtlSeconds")

        token_algorithm = Algorithm(d.pop("tokenAlgorithm"))

        app2wxapp = App2WxappSettings.from_dict(d.pop("app2wxapp"))

        allow_http_redirect_uris = d.pop("allowHttpRedirectUris")

        qrcode_login_strategy = QrcodeLoginStrategy.from_dict(d.pop("qrcodeLoginStrategy"))

        settings = cls(
            allow_sign_up=allow_sign_up,
            token_ttl_seconds=token_ttl_seconds,
            token_algorithm=token_algorithm,
            app2wxapp=app2wxapp,
            allow_http_redirect_uris=allow_http_redirect_uris,
            qrcode_login_strategy=qrcode_login_strategy,
        )

        settings.additional_properties = d
        return settings

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
