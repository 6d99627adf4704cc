from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

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
        phone_code (str | Unset): The code from `<button open-type="getPhoneNumber">`.
        encrypted_data (str | Unset): Legacy encrypted phone payload (decrypted with this login's session key).
        iv (str | Unset): IV of `encryptedData`.
        profile (ProfileBody | Unset): The WeChat profile (`wx.getUserProfile`), optional.
        get_phone (Any | Unset): `true` or `1` when the App requires the phone number: without one the login answers
            `400 phone_required`.
        code_challenge (str | Unset): Binds the ticket to the App: base64url(SHA-256(verifier)).
        code_challenge_method (str | Unset): `S256` (the default and only method).
    """

    code: str
    phone_code: str | Unset = UNSET
    encrypted_data: str | Unset = UNSET
    iv: str | Unset = UNSET
    profile: ProfileBody | Unset = UNSET
    get_phone: Any | Unset = UNSET
    code_challenge: str | Unset = UNSET
    code_challenge_method: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        phone_code = self.phone_code

        encrypted_data = self.encrypted_data

        iv = self.iv

        profile: dict[str, Any] | Unset = UNSET
        if not isinstance(self.profile, Unset):
            profile = self.profile.to_dict()

        get_phone = self.get_phone

        code_challenge = self.code_challenge

        code_challenge_method = self.code_challenge_method

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

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.profile_body import ProfileBody  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        phone_code = d.pop("phoneCode", UNSET)

        encrypted_data = d.pop("encryptedData", UNSET)

        iv = d.pop("iv", UNSET)

        _profile = d.pop("profile", UNSET)
        profile: ProfileBody | Unset
        if isinstance(_profile, Unset):
            profile = UNSET
        else:
            profile = ProfileBody.from_dict(_profile)

        get_phone = d.pop("getPhone", UNSET)

        code_challenge = d.pop("codeChallenge", UNSET)

        code_challenge_method = d.pop("codeChallengeMethod", UNSET)

        login_body = cls(
            code=code,
            phone_code=phone_code,
            encrypted_data=encrypted_data,
            iv=iv,
            profile=profile,
            get_phone=get_phone,
            code_challenge=code_challenge,
            code_challenge_method=code_challenge_method,
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
