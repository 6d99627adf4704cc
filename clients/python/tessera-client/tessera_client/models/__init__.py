"""Contains all the data models used in inputs/outputs"""

from .access_token_out import AccessTokenOut
from .admin import Admin
from .admin_credentials import AdminCredentials
from .admin_page import AdminPage
from .algorithm import Algorithm
from .app_2_wxapp_patch import App2WxappPatch
from .app_2_wxapp_settings import App2WxappSettings
from .application import Application
from .application_page import ApplicationPage
from .application_type import ApplicationType
from .application_with_secret import ApplicationWithSecret
from .audit_action_name import AuditActionName
from .audit_event import AuditEvent
from .audit_outcome import AuditOutcome
from .audit_page import AuditPage
from .cancelled import Cancelled
from .change_password import ChangePassword
from .check_answer import CheckAnswer
from .check_data import CheckData
from .confirm_body import ConfirmBody
from .confirmed import Confirmed
from .connection import Connection
from .connection_list import ConnectionList
from .create_admin import CreateAdmin
from .create_application import CreateApplication
from .create_connection import CreateConnection
from .create_pool import CreatePool
from .create_user import CreateUser
from .create_user_metadata_type_0 import CreateUserMetadataType0
from .env_version import EnvVersion
from .error_body import ErrorBody
from .exchange_body import ExchangeBody
from .exchanged_user import ExchangedUser
from .gene_answer import GeneAnswer
from .gene_body import GeneBody
from .gene_data import GeneData
from .grant import Grant
from .identity import Identity
from .identity_list import IdentityList
from .jwks import Jwks
from .key import Key
from .key_list import KeyList
from .kind import Kind
from .login_body import LoginBody
from .login_response import LoginResponse
from .merge_result import MergeResult
from .merge_user import MergeUser
from .oa_scope import OaScope
from .open_id_configuration import OpenIdConfiguration
from .patch_application import PatchApplication
from .patch_connection import PatchConnection
from .patch_pool import PatchPool
from .patch_user import PatchUser
from .patch_user_metadata_type_0 import PatchUserMetadataType0
from .pool import Pool
from .pool_credentials import PoolCredentials
from .pool_page import PoolPage
from .pool_with_secret import PoolWithSecret
from .profile_body import ProfileBody
from .put_connection import PutConnection
from .qrcode_login_strategy import QrcodeLoginStrategy
from .qrcode_login_strategy_patch import QrcodeLoginStrategyPatch
from .rotate_secret import RotateSecret
from .scan_response import ScanResponse
from .scene import Scene
from .scene_body import SceneBody
from .secret_out import SecretOut
from .settings import Settings
from .settings_patch import SettingsPatch
from .sign_up import SignUp
from .signing_key_status import SigningKeyStatus
from .status import Status
from .user import User
from .user_page import UserPage
from .userinfo_answer import UserinfoAnswer
from .userinfo_body import UserinfoBody
from .we_chat_connection import WeChatConnection

__all__ = (
    "AccessTokenOut",
    "Admin",
    "AdminCredentials",
    "AdminPage",
    "Algorithm",
    "App2WxappPatch",
    "App2WxappSettings",
    "Application",
    "ApplicationPage",
    "ApplicationType",
    "ApplicationWithSecret",
    "AuditActionName",
    "AuditEvent",
    "AuditOutcome",
    "AuditPage",
    "Cancelled",
    "ChangePassword",
    "CheckAnswer",
    "CheckData",
    "ConfirmBody",
    "Confirmed",
    "Connection",
    "ConnectionList",
    "CreateAdmin",
    "CreateApplication",
    "CreateConnection",
    "CreatePool",
    "CreateUser",
    "CreateUserMetadataType0",
    "EnvVersion",
    "ErrorBody",
    "ExchangeBody",
    "ExchangedUser",
    "GeneAnswer",
    "GeneBody",
    "GeneData",
    "Grant",
    "Identity",
    "IdentityList",
    "Jwks",
    "Key",
    "KeyList",
    "Kind",
    "LoginBody",
    "LoginResponse",
    "MergeResult",
    "MergeUser",
    "OaScope",
    "OpenIdConfiguration",
    "PatchApplication",
    "PatchConnection",
    "PatchPool",
    "PatchUser",
    "PatchUserMetadataType0",
    "Pool",
    "PoolCredentials",
    "PoolPage",
    "PoolWithSecret",
    "ProfileBody",
    "PutConnection",
    "QrcodeLoginStrategy",
    "QrcodeLoginStrategyPatch",
    "RotateSecret",
    "ScanResponse",
    "Scene",
    "SceneBody",
    "SecretOut",
    "Settings",
    "SettingsPatch",
    "SigningKeyStatus",
    "SignUp",
    "Status",
    "User",
    "UserinfoAnswer",
    "UserinfoBody",
    "UserPage",
    "WeChatConnection",
)
