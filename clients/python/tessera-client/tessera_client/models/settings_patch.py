from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.algorithm import Algorithm
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.app_2_wxapp_patch import App2WxappPatch
    from ..models.qrcode_login_strategy_patch import QrcodeLoginStrategyPatch


T = TypeVar("T", bound="SettingsPatch")


@_attrs_define
class SettingsPatch:
    """Settings to change; absent fields keep their value.

    Attributes:
        allow_sign_up (bool | None | Unset): Whether unknown WeChat users are signed up on login.
        token_ttl_seconds (int | None | Unset): Lifetime of issued tokens in seconds (60..=2592000).
        token_algorithm (Algorithm | None | Unset): Signature algorithm; changing it makes a new key of that algorithm
            sign at once (the
            published next key is of the old one) and publishes a next key of it.
        app2wxapp (App2WxappPatch | None | Unset): The app2wxapp flow's settings.
        allow_http_redirect_uris (bool | None | Unset): Whether `web` applications may register plain `http` redirect
            URIs on any host (for
            development only). Turning it off does not change applications registered meanwhile.
        qrcode_login_strategy (None | QrcodeLoginStrategyPatch | Unset): The hosted original's QR login API's settings.
            A pool management token must present
            `currentSecret` to turn `returnFullUserInfo` or `allowExchangeUserInfoFromBrowser` on.
    """

    allow_sign_up: bool | None | Unset = UNSET
    token_ttl_seconds: int | None | Unset = UNSET
    token_algorithm: Algorithm | None | Unset = UNSET
    app2wxapp: App2WxappPatch | None | Unset = UNSET
    allow_http_redirect_uris: bool | None | Unset = UNSET
    qrcode_login_strategy: None | QrcodeLoginStrategyPatch | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.app_2_wxapp_patch import App2WxappPatch  # noqa: PLC0415
        from ..models.qrcode_login_strategy_patch import QrcodeLoginStrategyPatch  # noqa: PLC0415

        allow_sign_up: bool | None | Unset
        if isinstance(self.allow_sign_up, Unset):
            allow_sign_up = UNSET
        else:
            allow_sign_up = self.allow_sign_up

        token_ttl_seconds: int | None | Unset
        if isinstance(self.token_ttl_seconds, Unset):
            token_ttl_seconds = UNSET
        else:
            token_ttl_seconds = self.token_ttl_seconds

        token_algorithm: None | str | Unset
        if isinstance(self.token_algorithm, Unset):
            token_algorithm = UNSET
        elif isinstance(self.token_algorithm, Algorithm):
            token_algorithm = self.token_algorithm.value
        else:
            token_algorithm = self.token_algorithm

        app2wxapp: dict[str, Any] | None | Unset
        if isinstance(self.app2wxapp, Unset):
            app2wxapp = UNSET
        elif isinstance(self.app2wxapp, App2WxappPatch):
            app2wxapp = self.app2wxapp.to_dict()
        else:
            app2wxapp = self.app2wxapp

        allow_http_redirect_uris: bool | None | Unset
        if isinstance(self.allow_http_redirect_uris, Unset):
            allow_http_redirect_uris = UNSET
        else:
            allow_http_redirect_uris = self.allow_http_redirect_uris

        qrcode_login_strategy: dict[str, Any] | None | Unset
        if isinstance(self.qrcode_login_strategy, Unset):
            qrcode_login_strategy = UNSET
        elif isinstance(self.qrcode_login_strategy, QrcodeLoginStrategyPatch):
            qrcode_login_strategy = self.qrcode_login_strategy.to_dict()
        else:
            qrcode_login_strategy = self.qrcode_login_strategy

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if allow_sign_up is not UNSET:
            field_dict["allowSignUp"] = allow_sign_up
        if token_ttl_seconds is not UNSET:
            field_dict["tokenTtlSeconds"] = token_ttl_seconds
        if token_algorithm is not UNSET:
            field_dict["tokenAlgorithm"] = token_algorithm
        if app2wxapp is not UNSET:
            field_dict["app2wxapp"] = app2wxapp
        if allow_http_redirect_uris is not UNSET:
            field_dict["allowHttpRedirectUris"] = allow_http_redirect_uris
        if qrcode_login_strategy is not UNSET:
            field_dict["qrcodeLoginStrategy"] = qrcode_login_strategy

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.app_2_wxapp_patch import App2WxappPatch  # noqa: PLC0415
        from ..models.qrcode_login_strategy_patch import QrcodeLoginStrategyPatch  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_allow_sign_up(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        allow_sign_up = _parse_allow_sign_up(d.pop("allowSignUp", UNSET))

        def _parse_token_ttl_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        token_ttl_seconds = _parse_token_ttl_seconds(d.pop("tokenTtlSeconds", UNSET))

        def _parse_token_algorithm(data: object) -> Algorithm | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                token_algorithm_type_1 = Algorithm(data)

                return token_algorithm_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Algorithm | None | Unset, data)

        token_algorithm = _parse_token_algorithm(d.pop("tokenAlgorithm", UNSET))

        def _parse_app2wxapp(data: object) -> App2WxappPatch | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                app2wxapp_type_1 = App2WxappPatch.from_dict(data)

                return app2wxapp_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(App2WxappPatch | None | Unset, data)

        app2wxapp = _parse_app2wxapp(d.pop("app2wxapp", UNSET))

        def _parse_allow_http_redirect_uris(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        allow_http_redirect_uris = _parse_allow_http_redirect_uris(d.pop("allowHttpRedirectUris", UNSET))

        def _parse_qrcode_login_strategy(data: object) -> None | QrcodeLoginStrategyPatch | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                qrcode_login_strategy_type_1 = QrcodeLoginStrategyPatch.from_dict(data)

                return qrcode_login_strategy_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | QrcodeLoginStrategyPatch | Unset, data)

        qrcode_login_strategy = _parse_qrcode_login_strategy(d.pop("qrcodeLoginStrategy", UNSET))

        settings_patch = cls(
            allow_sign_up=allow_sign_up,
            token_ttl_seconds=token_ttl_seconds,
            token_algorithm=token_algorithm,
            app2wxapp=app2wxapp,
            allow_http_redirect_uris=allow_http_redirect_uris,
            qrcode_login_strategy=qrcode_login_strategy,
        )

        return settings_patch
