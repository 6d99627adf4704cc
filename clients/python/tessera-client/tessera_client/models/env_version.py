from enum import StrEnum


class EnvVersion(StrEnum):
    DEVELOP = "develop"
    RELEASE = "release"
    TRIAL = "trial"

    def __str__(self) -> str:
        return str(self.value)
