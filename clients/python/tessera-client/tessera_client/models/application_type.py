from enum import StrEnum


class ApplicationType(StrEnum):
    MACHINE = "machine"
    MINIPROGRAM = "miniprogram"
    NATIVE = "native"
    SPA = "spa"
    WEB = "web"

    def __str__(self) -> str:
        return str(self.value)
