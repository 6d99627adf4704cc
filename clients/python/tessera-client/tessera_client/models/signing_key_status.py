from enum import StrEnum


class SigningKeyStatus(StrEnum):
    ACTIVE = "active"
    NEXT = "next"
    RETIRED = "retired"

    def __str__(self) -> str:
        return str(self.value)
