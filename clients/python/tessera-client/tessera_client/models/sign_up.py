from enum import StrEnum


class SignUp(StrEnum):
    CREATE = "create"
    LINKBYPHONE = "linkByPhone"
    LINKONLY = "linkOnly"

    def __str__(self) -> str:
        return str(self.value)
