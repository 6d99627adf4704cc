from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Identity")


@_attrs_define
class Identity:
    """One WeChat identity of a user: unique in the pool by (`appId`, `openid`).

    Attributes:
        id (str): Identity id.
        kind (str): The kind of WeChat app: `miniprogram`.
        app_id (str): The WeChat app's AppID.
        openid (str): The user's openid for that app.
        created_at (str): When it was first seen (ISO-8601 UTC).
        unionid (None | str | Unset): The unionid WeChat gave with it.
        last_login (None | str | Unset): Its last login (ISO-8601 UTC).
    """

    id: str
    kind: str
    app_id: str
    openid: str
    created_at: str
    unionid: None | str | Unset = UNSET
    last_login: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        kind = self.kind

        app_id = self.app_id

        openid = self.openid

        created_at = self.created_at

        unionid: None | str | Unset
        if isinstance(self.unionid, Unset):
            unionid = UNSET
        else:
            unionid = self.unionid

        last_login: None | str | Unset
        if isinstance(self.last_login, Unset):
            last_login = UNSET
        else:
            last_login = self.last_login

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "kind": kind,
                "appId": app_id,
                "openid": openid,
                "createdAt": created_at,
            }
        )
        if unionid is not UNSET:
            field_dict["unionid"] = unionid
        if last_login is not UNSET:
            field_dict["lastLogin"] = last_login

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        kind = d.pop("kind")

        app_id = d.pop("appId")

        openid = d.pop("openid")

        created_at = d.pop("createdAt")

        def _parse_unionid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unionid = _parse_unionid(d.pop("unionid", UNSET))

        def _parse_last_login(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_login = _parse_last_login(d.pop("lastLogin", UNSET))

        identity = cls(
            id=id,
            kind=kind,
            app_id=app_id,
            openid=openid,
            created_at=created_at,
            unionid=unionid,
            last_login=last_login,
        )

        identity.additional_properties = d
        return identity

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
