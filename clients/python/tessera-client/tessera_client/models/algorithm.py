from enum import StrEnum


class Algorithm(StrEnum):
    EDDSA = "EdDSA"
    ES256 = "ES256"
    RS256 = "RS256"

    def __str__(self) -> str:
        return str(self.value)
