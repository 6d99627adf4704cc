from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

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
        username (None | str | Unset): Username.
        nickname (None | str | Unset): Nickname.
        photo (None | str | Unset): Avatar URL.
        phone (None | str | Unset): Phone number.
        email (None | str | Unset): Email address.
        company (None | str | Unset): Company.
        app_id (None | str | Unset): The AppID of the WeChat identity shown: the one used last (every identity: `GET
            …/users/{userId}/identities`).
        openid (None | str | Unset): WeChat openid of that identity.
        unionid (None | str | Unset): WeChat unionid (the person's, across the Open Platform account's apps).
        oauth (Any | Unset): The WeChat profile.
        last_login (None | str | Unset): Last login (ISO-8601 UTC).
        last_ip (None | str | Unset): Last login IP.
    """

    id: str
    email_verified: bool
    metadata: Any
    logins_count: int
    signed_up: str
    register_method: str
    blocked: bool
    updated_at: str
    username: None | str | Unset = UNSET
    nickname: None | str | Unset = UNSET
    photo: None | str | Unset = UNSET
    phone: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    company: None | str | Unset = UNSET
    app_id: None | str | Unset = UNSET
    openid: None | str | Unset = UNSET
    unionid: None | str | Unset = UNSET
    oauth: Any | Unset = UNSET
    last_login: None | str | Unset = UNSET
    last_ip: None | str | Unset = UNSET
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

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username

        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        photo: None | str | Unset
        if isinstance(self.photo, Unset):
            photo = UNSET
        else:
            photo = self.photo

        phone: None | str | Unset
        if isinstance(self.phone, Unset):
            phone = UNSET
        else:
            phone = self.phone

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        company: None | str | Unset
        if isinstance(self.company, Unset):
            company = UNSET
        else:
            company = self.company

        app_id: None | str | Unset
        if isinstance(self.app_id, Unset):
            app_id = UNSET
        else:
            app_id = self.app_id

        openid: None | str | Unset
        if isinstance(self.openid, Unset):
            openid = UNSET
        else:
            openid = self.openid

        unionid: None | str | Unset
        if isinstance(self.unionid, Unset):
            unionid = UNSET
        else:
            unionid = self.unionid

        oauth = self.oauth

        last_login: None | str | Unset
        if isinstance(self.last_login, Unset):
            last_login = UNSET
        else:
            last_login = self.last_login

        last_ip: None | str | Unset
        if isinstance(self.last_ip, Unset):
            last_ip = UNSET
        else:
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

        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        def _parse_photo(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        photo = _parse_photo(d.pop("photo", UNSET))

        def _parse_phone(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone = _parse_phone(d.pop("phone", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_company(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        company = _parse_company(d.pop("company", UNSET))

        def _parse_app_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        app_id = _parse_app_id(d.pop("appId", UNSET))

        def _parse_openid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        openid = _parse_openid(d.pop("openid", UNSET))

        def _parse_unionid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        unionid = _parse_unionid(d.pop("unionid", UNSET))

        oauth = d.pop("oauth", UNSET)

        def _parse_last_login(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_login = _parse_last_login(d.pop("lastLogin", UNSET))

        def _parse_last_ip(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_ip = _parse_last_ip(d.pop("lastIp", UNSET))

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
