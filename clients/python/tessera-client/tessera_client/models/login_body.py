from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.profile_body import ProfileBody


T = TypeVar("T", bound="LoginBody")


@_attrs_define
class LoginBody:
    """What the login mini program sends.

    Attributes:
        code (str): The `wx.login` code.
        phone_code (None | str | Unset): The code from `<button open-type="getPhoneNumber">`.
        encrypted_data (None | str | Unset): Legacy encrypted phone payload (decrypted with this login's session key).
        iv (None | str | Unset): IV of `encryptedData`.
        profile (None | ProfileBody | Unset): The WeChat profile.
        get_phone (Any | Unset): `true` or `1` when the App requires the phone number: without one the login answers
            `400 phone_required`.
        code_challenge (None | str | Unset): Binds the ticket to the App: base64url(SHA-256(verifier)).
        code_challenge_method (None | str | Unset): `S256` (the default and only method).
        app_id (None | str | Unset): The mini program's own AppID (`wx.getAccountInfoSync().miniProgram.appId`), when
            the
            pool has several mini program connections: the login goes through that one. Absent: the
            pool's app2wxapp connection.
    """

    code: str
    phone_code: None | str | Unset = UNSET
    encrypted_data: None | str | Unset = UNSET
    iv: None | str | Unset = UNSET
    profile: None | ProfileBody | Unset = UNSET
    get_phone: Any | Unset = UNSET
    code_challenge: None | str | Unset = UNSET
    code_challenge_method: None | str | Unset = UNSET
    app_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.profile_body import ProfileBody  # noqa: PLC0415

        code = self.code

        phone_code: None | str | Unset
        if isinstance(self.phone_code, Unset):
            phone_code = UNSET
        else:
            phone_code = self.phone_code

        encrypted_data: None | str | Unset
        if isinstance(self.encrypted_data, Unset):
            encrypted_data = UNSET
        else:
            encrypted_data = self.encrypted_data

        iv: None | str | Unset
        if isinstance(self.iv, Unset):
            iv = UNSET
        else:
            iv = self.iv

        profile: dict[str, Any] | None | Unset
        if isinstance(self.profile, Unset):
            profile = UNSET
        elif isinstance(self.profile, ProfileBody):
            profile = self.profile.to_dict()
        else:
            profile = self.profile

        get_phone = self.get_phone

        code_challenge: None | str | Unset
        if isinstance(self.code_challenge, Unset):
            code_challenge = UNSET
        else:
            code_challenge = self.code_challenge

        code_challenge_method: None | str | Unset
        if isinstance(self.code_challenge_method, Unset):
            code_challenge_method = UNSET
        else:
            code_challenge_method = self.code_challenge_method

        app_id: None | str | Unset
        if isinstance(self.app_id, Unset):
            app_id = UNSET
        else:
            app_id = self.app_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
            }
        )
        if phone_code is not UNSET:
            field_dict["phoneCode"] = phone_code
        if encrypted_data is not UNSET:
            field_dict["encryptedData"] = encrypted_data
        if iv is not UNSET:
            field_dict["iv"] = iv
        if profile is not UNSET:
            field_dict["profile"] = profile
        if get_phone is not UNSET:
            field_dict["getPhone"] = get_phone
        if code_challenge is not UNSET:
            field_dict["codeChallenge"] = code_challenge
        if code_challenge_method is not UNSET:
            field_dict["codeChallengeMethod"] = code_challenge_method
        if app_id is not UNSET:
            field_dict["appId"] = app_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.profile_body import ProfileBody  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        def _parse_phone_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        phone_code = _parse_phone_code(d.pop("phoneCode", UNSET))

        def _parse_encrypted_data(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        encrypted_data = _parse_encrypted_data(d.pop("encryptedData", UNSET))

        def _parse_iv(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        iv = _parse_iv(d.pop("iv", UNSET))

        def _parse_profile(data: object) -> None | ProfileBody | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                profile_type_1 = ProfileBody.from_dict(data)

                return profile_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProfileBody | Unset, data)

        profile = _parse_profile(d.pop("profile", UNSET))

        get_phone = d.pop("getPhone", UNSET)

        def _parse_code_challenge(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        code_challenge = _parse_code_challenge(d.pop("codeChallenge", UNSET))

        def _parse_code_challenge_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        code_challenge_method = _parse_code_challenge_method(d.pop("codeChallengeMethod", UNSET))

        def _parse_app_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        app_id = _parse_app_id(d.pop("appId", UNSET))

        login_body = cls(
            code=code,
            phone_code=phone_code,
            encrypted_data=encrypted_data,
            iv=iv,
            profile=profile,
            get_phone=get_phone,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
            app_id=app_id,
        )

        login_body.additional_properties = d
        return login_body

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
