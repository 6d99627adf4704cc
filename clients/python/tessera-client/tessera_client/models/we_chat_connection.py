from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.env_version import EnvVersion
from ..models.kind import Kind
from ..models.oa_scope import OaScope
from ..models.sign_up import SignUp
from ..types import UNSET, Unset

T = TypeVar("T", bound="WeChatConnection")


@_attrs_define
class WeChatConnection:
    """A connection of a pool. The secret is never returned, only a hint.

    Attributes:
        id (str): Its id (24 lowercase hexadecimal characters).
        kind (Kind): Which WeChat app a connection is: `miniprogram` (app2wxapp, mini-program QR login for websites, the
            mini program's own login), `website` (Open Platform website app: website QR login), `official_account` (service
            account: login inside WeChat's browser), `mobile` (Open Platform mobile App: OpenSDK `SendAuth`), `multiend`
            (multi-end app), `wecom` (self-built WeCom app).
        app_id (str): The AppID (`wecom`: the corp id).
        secret_hint (str): `****` and the secret's last four characters.
        enabled (bool): Whether logins are allowed.
        sign_up (SignUp): What a login through the connection does with a person the pool does not know: `create` signs
            them up (when the pool allows sign-up), `linkOnly` refuses them (`403 signup_disabled`, audited as
            `user.signup.refused`), `linkByPhone` links them to the pre-provisioned user with the phone number WeChat
            verified and refuses anyone else.
        position (int): Its place in the pool's order.
        app2wxapp (bool): Whether it is the pool's app2wxapp connection (`/connections/app2wxapp`): the mini
            program logins use when they name no AppID.
        created_at (str): Creation time (ISO-8601 UTC).
        updated_at (str): Last change (ISO-8601 UTC).
        name (None | str | Unset): What the hosted login page shows for it.
        agent_id (None | str | Unset): `wecom`: the AgentId.
        scope (None | OaScope | Unset): `official_account`: the scope asked for.
        env_version (EnvVersion | None | Unset): `miniprogram`: the version login QR codes open.
    """

    id: str
    kind: Kind
    app_id: str
    secret_hint: str
    enabled: bool
    sign_up: SignUp
    position: int
    app2wxapp: bool
    created_at: str
    updated_at: str
    name: None | str | Unset = UNSET
    agent_id: None | str | Unset = UNSET
    scope: None | OaScope | Unset = UNSET
    env_version: EnvVersion | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind.value

        app_id = self.app_id

        secret_hint = self.secret_hint

        enabled = self.enabled

        sign_up = self.sign_up.value

        position = self.position

        app2wxapp = self.app2wxapp

        created_at = self.created_at

        updated_at = self.updated_at

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "appId": app_id,
                "secretHint": secret_hint,
                "enabled": enabled,
                "signUp": sign_up,
                "position": position,
                "app2wxapp": app2wxapp,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if agent_id is not UNSET:
            field_dict["agentId"] = agent_id
        if scope is not UNSET:
            field_dict["scope"] = scope
        if env_version is not UNSET:
            field_dict["envVersion"] = env_version

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        kind = Kind(d.pop("kind"))

        app_id = d.pop("appId")

        secret_hint = d.pop("secretHint")

        enabled = d.pop("enabled")

        sign_up = SignUp(d.pop("signUp"))

        position = d.pop("position")

        app2wxapp = d.pop("app2wxapp")

        created_at = d.pop("createdAt")

        updated_at = d.pop("updatedAt")

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

        we_chat_connection = cls(
            id=id,
            kind=kind,
            app_id=app_id,
            secret_hint=secret_hint,
            enabled=enabled,
            sign_up=sign_up,
            position=position,
            app2wxapp=app2wxapp,
            created_at=created_at,
            updated_at=updated_at,
            name=name,
            agent_id=agent_id,
            scope=scope,
            env_version=env_version,
        )

        we_chat_connection.additional_properties = d
        return we_chat_connection

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
