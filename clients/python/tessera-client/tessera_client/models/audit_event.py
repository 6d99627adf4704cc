from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.audit_action_name import AuditActionName
from ..models.audit_outcome import AuditOutcome
from ..types import UNSET, Unset

T = TypeVar("T", bound="AuditEvent")


@_attrs_define
class AuditEvent:
    """One audited action. Never holds a secret, ticket, password or session key.

    Attributes:
        id (str): Event id.
        actor (str): Who acted: `admin:<id>`, `pool:<id>` or `anonymous` (the public endpoints).
        action (AuditActionName): What an audit event records, e.g. `user.block` or `app2wxapp.exchange` (docs/admin-
            api.md lists every action).
        outcome (AuditOutcome): Whether an audited action succeeded: `success` or `failure` (the event's `reason` says
            why).
        created_at (str): When (ISO-8601 UTC).
        target (None | str | Unset): The object acted on (a user, key or pool id).
        ip (None | str | Unset): The client's IP address.
        reason (None | str | Unset): Why it failed: the error kind, e.g. `secret_invalid`.
    """

    id: str
    actor: str
    action: AuditActionName
    outcome: AuditOutcome
    created_at: str
    target: None | str | Unset = UNSET
    ip: None | str | Unset = UNSET
    reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        actor = self.actor

        action = self.action.value

        outcome = self.outcome.value

        created_at = self.created_at

        target: None | str | Unset
        if isinstance(self.target, Unset):
            target = UNSET
        else:
            target = self.target

        ip: None | str | Unset
        if isinstance(self.ip, Unset):
            ip = UNSET
        else:
            ip = self.ip

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "actor": actor,
                "action": action,
                "outcome": outcome,
                "createdAt": created_at,
            }
        )
        if target is not UNSET:
            field_dict["target"] = target
        if ip is not UNSET:
            field_dict["ip"] = ip
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        actor = d.pop("actor")

        action = AuditActionName(d.pop("action"))

        outcome = AuditOutcome(d.pop("outcome"))

        created_at = d.pop("createdAt")

        def _parse_target(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        target = _parse_target(d.pop("target", UNSET))

        def _parse_ip(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        ip = _parse_ip(d.pop("ip", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        audit_event = cls(
            id=id,
            actor=actor,
            action=action,
            outcome=outcome,
            created_at=created_at,
            target=target,
            ip=ip,
            reason=reason,
        )

        audit_event.additional_properties = d
        return audit_event

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
