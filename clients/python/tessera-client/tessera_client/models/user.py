from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """An end user.

    Attributes:
        id (str): User id.
        email_verified (bool): Whether the email address is verified.
        metadata (Any): Free-form tenant data (a JSON object).
        logins_count (int): Number of logins.
        signed_up (str): Sign-up time (ISO-8601 UTC).
        register_method (str): How the user came to be: `oauth:app2wxapp`, `admin:provision`.
        blocked (bool): Blocked users cannot obtain tokens.
        updated_at (str): Last change (ISO-8601 UTC).
        username (str | Unset): Username.
        nickname (str | Unset): Nickname.
        photo (str | Unset): Avatar URL.
        phone (str | Unset): Phone number.
        email (str | Unset): Email address.
        company (str | Unset): Company.
        app_id (str | Unset): The mini program AppID the openid belongs to.
        openid (str | Unset): WeChat openid.
        unionid (str | Unset): WeChat unionid.
        oauth (Any | Unset): The WeChat profile.
        last_login (str | Unset): Last login (ISO-8601 UTC).
        last_ip (str | Unset): Last login IP.
    """

    id: str
    email_verified: bool
    metadata: Any
    logins_count: int
    signed_up: str
    register_method: str
    blocked: bool
    updated_at: str
    username: str | Unset = UNSET
    nickname: str | Unset = UNSET
    photo: str | Unset = UNSET
    phone: str | Unset = UNSET
    email: str | Unset = UNSET
    company: str | Unset = UNSET
    app_id: str | Unset = UNSET
    openid: str | Unset = UNSET
    unionid: str | Unset = UNSET
    oauth: Any | Unset = UNSET
    last_login: str | Unset = UNSET
    last_ip: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email_verified = self.email_verified

        metadata = self.metadata

        logins_count = self.logins_count

        signed_up = self.signed_up

        register_method = self.register_method

        blocked = self.blocked

        updated_at = self.updated_at

        username = self.username

        nickname = self.nickname

        photo = self.photo

        phone = self.phone

        email = self.email

        company = self.company

        app_id = self.app_id

        openid = self.openid

        unionid = self.unionid

        oauth = self.oauth

        last_login = self.last_login

        last_ip = self.last_ip

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "emailVerified": email_verified,
                "metadata": metadata,
                "loginsCount": logins_count,
                "signedUp": signed_up,
                "registerMethod": register_method,
                "blocked": blocked,
                "updatedAt": updated_at,
            }
        )
        if username is not UNSET:
            field_dict["username"] = username
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if photo is not UNSET:
            field_dict["photo"] = photo
        if phone is not UNSET:
            field_dict["phone"] = phone
        if email is not UNSET:
            field_dict["email"] = email
        if company is not UNSET:
            field_dict["company"] = company
        if app_id is not UNSET:
            field_dict["appId"] = app_id
        if openid is not UNSET:
            field_dict["openid"] = openid
        if unionid is not UNSET:
            field_dict["unionid"] = unionid
        if oauth is not UNSET:
            field_dict["oauth"] = oauth
        if last_login is not UNSET:
            field_dict["lastLogin"] = last_login
        if last_ip is not UNSET:
            field_dict["lastIp"] = last_ip

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        email_verified = d.pop("emailVerified")

        metadata = d.pop("metadata")

        logins_count = d.pop("loginsCount")

        signed_up = d.pop("signedUp")

        register_method = d.pop("registerMethod")

        blocked = d.pop("blocked")

        updated_at = d.pop("updatedAt")

        username = d.pop("username", UNSET)

        nickname = d.pop("nickname", UNSET)

        photo = d.pop("photo", UNSET)

        phone = d.pop("phone", UNSET)

        email = d.pop("email", UNSET)

        company = d.pop("company", UNSET)

        app_id = d.pop("appId", UNSET)

        openid = d.pop("openid", UNSET)

        unionid = d.pop("unionid", UNSET)

        oauth = d.pop("oauth", UNSET)

        last_login = d.pop("lastLogin", UNSET)

        last_ip = d.pop("lastIp", UNSET)

        user = cls(
            id=id,
            email_verified=email_verified,
            metadata=metadata,
            logins_count=logins_count,
            signed_up=signed_up,
            register_method=register_method,
            blocked=blocked,
            updated_at=updated_at,
            username=username,
            nickname=nickname,
            photo=photo,
            phone=phone,
            email=email,
            company=company,
            app_id=app_id,
            openid=openid,
            unionid=unionid,
            oauth=oauth,
            last_login=last_login,
            last_ip=last_ip,
        )

        user.additional_properties = d
        return user

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
