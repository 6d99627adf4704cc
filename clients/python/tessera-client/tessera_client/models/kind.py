from enum import StrEnum


class Kind(StrEnum):
    MINIPROGRAM = "miniprogram"
    MOBILE = "mobile"
    MULTIEND = "multiend"
    OFFICIAL_ACCOUNT = "official_account"
    WEBSITE = "website"
    WECOM = "wecom"

    def __str__(self) -> str:
        return str(self.value)
