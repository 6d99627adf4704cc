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
from .audit_event import AuditEvent
from .audit_page import AuditPage
from .cancelled import Cancelled
from .change_password import ChangePassword
from .confirm_body import ConfirmBody
from .confirmed import Confirmed
from .connection import Connection
from .create_admin import CreateAdmin
from .create_application import CreateApplication
from .create_pool import CreatePool
from .create_user import CreateUser
from .create_user_metadata_type_0 import CreateUserMetadataType0
from .error_body import ErrorBody
from .exchange_body import ExchangeBody
from .exchanged_user import ExchangedUser
from .grant import Grant
from .identity import Identity
from .identity_list import IdentityList
from .jwks import Jwks
from .key import Key
from .login_body import LoginBody
from .login_response import LoginResponse
from .merge_result import MergeResult
from .merge_user import MergeUser
from .open_id_configuration import OpenIdConfiguration
from .patch_application import PatchApplication
from .patch_pool import PatchPool
from .patch_user import PatchUser
from .patch_user_metadata_type_0 import PatchUserMetadataType0
from .pool import Pool
from .pool_credentials import PoolCredentials
from .pool_page import PoolPage
from .pool_with_secret import PoolWithSecret
from .profile_body import ProfileBody
from .put_connection import PutConnection
from .rotate_secret import RotateSecret
from .scan_response import ScanResponse
from .scene_body import SceneBody
from .secret_out import SecretOut
from .settings import Settings
from .settings_patch import SettingsPatch
from .status import Status
from .user import User
from .user_page import UserPage

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
    "AuditEvent",
    "AuditPage",
    "Cancelled",
    "ChangePassword",
    "ConfirmBody",
    "Confirmed",
    "Connection",
    "CreateAdmin",
    "CreateApplication",
    "CreatePool",
    "CreateUser",
    "CreateUserMetadataType0",
    "ErrorBody",
    "ExchangeBody",
    "ExchangedUser",
    "Grant",
    "Identity",
    "IdentityList",
    "Jwks",
    "Key",
    "LoginBody",
    "LoginResponse",
    "MergeResult",
    "MergeUser",
    "OpenIdConfiguration",
    "PatchApplication",
    "PatchPool",
    "PatchUser",
    "PatchUserMetadataType0",
    "Pool",
    "PoolCredentials",
    "PoolPage",
    "PoolWithSecret",
    "ProfileBody",
    "PutConnection",
    "RotateSecret",
    "ScanResponse",
    "SceneBody",
    "SecretOut",
    "Settings",
    "SettingsPatch",
    "Status",
    "User",
    "UserPage",
)
