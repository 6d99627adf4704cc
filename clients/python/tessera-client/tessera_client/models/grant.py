from enum import StrEnum


class Grant(StrEnum):
    AUTHORIZATION_CODE = "authorization_code"
    CLIENT_CREDENTIALS = "client_credentials"
    REFRESH_TOKEN = "refresh_token"
    URNIETFPARAMSOAUTHGRANT_TYPETOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"

    def __str__(self) -> str:
        return str(self.value)
