from enum import StrEnum


class OaScope(StrEnum):
    SNSAPI_BASE = "snsapi_base"
    SNSAPI_USERINFO = "snsapi_userinfo"

    def __str__(self) -> str:
        return str(self.value)
