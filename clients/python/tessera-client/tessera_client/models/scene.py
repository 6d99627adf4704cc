from enum import StrEnum


class Scene(StrEnum):
    WXAPP_AUTH = "WXAPP_AUTH"

    def __str__(self) -> str:
        return str(self.value)
