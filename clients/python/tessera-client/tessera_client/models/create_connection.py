from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.env_version import EnvVersion
from ..models.kind import Kind
from ..models.oa_scope import OaScope
from ..models.sign_up import SignUp
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateConnection")


@_attrs_define
class CreateConnection:
    """A connection to add to a pool.

    Attributes:
        kind (Kind): Which WeChat app a connection is: `miniprogram` (app2wxapp, mini-program QR login for websites, the
            mini program's own login), `website` (Open Platform website app: website QR login), `official_account` (service
            account: login inside WeChat's browser), `mobile` (Open Platform mobile App: OpenSDK `SendAuth`), `multiend`
            (multi-end app), `wecom` (self-built WeCom app).
        app_id (str): The AppID (`wx` and 16 letters or digits); for `wecom`, the corp id (`ww` or `wx` and 16).
        secret (str): The AppSecret (`wecom`: the app's Secret), 16 to 64 letters, digits (`wecom` also `-` and
            `_`). Stored encrypted and never returned.
        name (None | str | Unset): What the hosted login page shows for it (1..=64 characters); the kind's name when
            absent.
        agent_id (None | str | Unset): `wecom` only, and required there: the app's AgentId (1 to 10 digits).
        enabled (bool | None | Unset): Whether logins through it are allowed (default true).
        sign_up (None | SignUp | Unset): What a login of an unknown person does (default `create`).
        scope (None | OaScope | Unset): `official_account` only: the scope asked for (default `snsapi_base`).
        env_version (EnvVersion | None | Unset): `miniprogram` only: the version login QR codes open (default
            `release`).
        position (int | None | Unset): Its place in the pool's order, 0..=10000 (lower first; default after the last
            one).
    """

    kind: Kind
    app_id: str
    secret: str
    name: None | str | Unset = UNSET
    agent_id: None | str | Unset = UNSET
    enabled: bool | None | Unset = UNSET
    sign_up: None | SignUp | Unset = UNSET
    scope: None | OaScope | Unset = UNSET
    env_version: EnvVersion | None | Unset = UNSET
    position: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        app_id = self.app_id

        secret = self.secret

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        agent_id: None | str | Unset
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        else:
            agent_id = self.agent_id

        enabled: bool | None | Unset
        if isinstance(self.enabled, Unset):
            enabled = UNSET
        else:
            enabled = self.enabled

        sign_up: None | str | Unset
        if isinstance(self.sign_up, Unset):
            sign_up = UNSET
        elif isinstance(self.sign_up, SignUp):
            sign_up = self.sign_up.value
        else:
            sign_up = self.sign_up

        scope: None | str | Unset
        if isinstance(self.scope, Unset):
            scope = UNSET
        elif isinstance(self.scope, OaScope):
            scope = self.scope.value
        else:
            scope = self.scope

        env_version: None | str | Unset
        if isinstance(self.env_version, Unset):
            env_version = UNSET
        elif isinstance(self.env_version, EnvVersion):
            env_version = self.env_version.value
        else:
            env_version = self.env_version

        position: int | None | Unset
        if isinstance(self.position, Unset):
            position = UNSET
        else:
            position = self.position

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "appId": app_id,
                "secret": secret,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if agent_id is not UNSET:
            field_dict["agentId"] = agent_id
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if sign_up is not UNSET:
            field_dict["signUp"] = sign_up
        if scope is not UNSET:
            field_dict["scope"] = scope
        if env_version is not UNSET:
            field_dict["envVersion"] = env_version
        if position is not UNSET:
            field_dict["position"] = position

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = Kind(d.pop("kind"))

        app_id = d.pop("appId")

        secret = d.pop("secret")

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_agent_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        agent_id = _parse_agent_id(d.pop("agentId", UNSET))

        def _parse_enabled(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        enabled = _parse_enabled(d.pop("enabled", UNSET))

        def _parse_sign_up(data: object) -> None | SignUp | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                sign_up_type_1 = SignUp(data)

                return sign_up_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SignUp | Unset, data)

        sign_up = _parse_sign_up(d.pop("signUp", UNSET))

        def _parse_scope(data: object) -> None | OaScope | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                scope_type_1 = OaScope(data)

                return scope_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | OaScope | Unset, data)

        scope = _parse_scope(d.pop("scope", UNSET))

        def _parse_env_version(data: object) -> EnvVersion | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                env_version_type_1 = EnvVersion(data)

                return env_version_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EnvVersion | None | Unset, data)

        env_version = _parse_env_version(d.pop("envVersion", UNSET))

        def _parse_position(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        position = _parse_position(d.pop("position", UNSET))

        create_connection = cls(
            kind=kind,
            app_id=app_id,
            secret=secret,
            name=name,
            agent_id=agent_id,
            enabled=enabled,
            sign_up=sign_up,
            scope=scope,
            env_version=env_version,
            position=position,
        )

        return create_connection
