from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ExchangedUser")


@_attrs_define
class ExchangedUser:
    """The user, with the hosted original's field names, and a signed token.

    Attributes:
        field_id (str): User id.
        username (str): Username.
        nickname (str): Nickname.
        photo (str): Avatar URL.
        phone (str): Phone number.
        email (str): Email address.
        email_verified (bool): Whether the email address is verified.
        company (str): Company.
        openid (str): WeChat openid.
        unionid (str): WeChat unionid.
        logins_count (int): Number of logins.
        last_ip (str): Last login IP.
        signed_up (str): Sign-up time (ISO-8601 UTC with milliseconds).
        register_method (str): `oauth:app2wxapp` for users signed up through this flow.
        blocked (bool): Always false here: blocked users get `403 user_blocked`.
        is_deleted (bool): Always false.
        oauth (str): The WeChat profile with openid, unionid and phone, as a JSON string.
        metadata (str): The user's metadata, as a JSON string.
        token (str): A JWT signed with the pool's active key (verify it with the pool's JWKS).
        token_expired_at (str): When `token` expires (ISO-8601 UTC with milliseconds).
        last_login (None | str | Unset): Last login (ISO-8601 UTC with milliseconds).
    """

    field_id: str
    username: str
    nickname: str
    photo: str
    phone: str
    email: str
    email_verified: bool
    company: str
    openid: str
    unionid: str
    logins_count: int
    last_ip: str
    signed_up: str
    register_method: str
    blocked: bool
    is_deleted: bool
    oauth: str
    metadata: str
    token: str
    token_expired_at: str
    last_login: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        field_id = self.field_id

        username = self.username

        nickname = self.nickname

        photo = self.photo

        phone = self.phone

        email = self.email

        email_verified = self.email_verified

        company = self.company

        openid = self.openid

        unionid = self.unionid

        logins_count = self.logins_count

        last_ip = self.last_ip

        signed_up = self.signed_up

        register_method = self.register_method

        blocked = self.blocked

        is_deleted = self.is_deleted

        oauth = self.oauth

        metadata = self.metadata

        token = self.token

        token_expired_at = self.token_expired_at

        last_login: None | str | Unset
        if isinstance(self.last_login, Unset):
            last_login = UNSET
        else:
            last_login = self.last_login

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "_id": field_id,
                "username": username,
                "nickname": nickname,
                "photo": photo,
                "phone": phone,
                "email": email,
                "emailVerified": email_verified,
                "company": company,
                "openid": openid,
                "unionid": unionid,
                "loginsCount": logins_count,
                "lastIP": last_ip,
                "signedUp": signed_up,
                "registerMethod": register_method,
                "blocked": blocked,
                "isDeleted": is_deleted,
                "oauth": oauth,
                "metadata": metadata,
                "token": token,
                "tokenExpiredAt": token_expired_at,
            }
        )
        if last_login is not UNSET:
            field_dict["lastLogin"] = last_login

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        field_id = d.pop("_id")

        username = d.pop("username")

        nickname = d.pop("nickname")

        photo = d.pop("photo")

        phone = d.pop("phone")

        email = d.pop("email")

        email_verified = d.pop("emailVerified")

        company = d.pop("company")

        openid = d.pop("openid")

        unionid = d.pop("unionid")

        logins_count = d.pop("loginsCount")

        last_ip = d.pop("lastIP")

        signed_up = d.pop("signedUp")

        register_method = d.pop("registerMethod")

        blocked = d.pop("blocked")

        is_deleted = d.pop("isDeleted")

        oauth = d.pop("oauth")

        metadata = d.pop("metadata")

        token = d.pop("token")

        token_expired_at = d.pop("tokenExpiredAt")

        def _parse_last_login(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_login = _parse_last_login(d.pop("lastLogin", UNSET))

        exchanged_user = cls(
            field_id=field_id,
            username=username,
            nickname=nickname,
            photo=photo,
            phone=phone,
            email=email,
            email_verified=email_verified,
            company=company,
            openid=openid,
            unionid=unionid,
            logins_count=logins_count,
            last_ip=last_ip,
            signed_up=signed_up,
            register_method=register_method,
            blocked=blocked,
            is_deleted=is_deleted,
            oauth=oauth,
            metadata=metadata,
            token=token,
            token_expired_at=token_expired_at,
            last_login=last_login,
        )

        exchanged_user.additional_properties = d
        return exchanged_user

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
