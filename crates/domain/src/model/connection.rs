//! A pool's WeChat connections: each is one WeChat app of the tenant (a mini program, a website
//! app, an official account, a mobile App, a multi-end app or a WeCom app) with its credentials
//! and the rules of signing in through it. A pool may have several of each kind.

use chrono::{DateTime, Utc};

use super::IdentityKind;

spelled_enum! {
    /// Which WeChat app a connection is, and so which login modes it serves.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ConnectionKind {
        /// A mini program: app2wxapp, mini-program QR login for websites, its own login.
        MiniProgram = "miniprogram",
        /// An Open Platform website app: website QR login (`connect/qrconnect`).
        Website = "website",
        /// A service account: login inside WeChat's browser (`connect/oauth2/authorize`).
        OfficialAccount = "official_account",
        /// An Open Platform mobile App: OpenSDK `SendAuth`, its code exchanged by the App's backend.
        Mobile = "mobile",
        /// A multi-end app: its codes go through `donut/code2verifyinfo`.
        MultiEnd = "multiend",
        /// A self-built WeCom app: employees by QR or inside WeCom.
        WeCom = "wecom",
    }
}

impl ConnectionKind {
    /// The kind of the identities people get by signing in through it.
    pub fn identity_kind(self) -> IdentityKind {
        match self {
            Self::MiniProgram => IdentityKind::MiniProgram,
            Self::Website => IdentityKind::Website,
            Self::OfficialAccount => IdentityKind::OfficialAccount,
            Self::Mobile => IdentityKind::Mobile,
            Self::MultiEnd => IdentityKind::MultiEnd,
            Self::WeCom => IdentityKind::WeCom,
        }
    }

    /// Whether a person signs in through it on the hosted login page (the others give their
    /// codes to an App's backend, which exchanges them at the token endpoint).
    pub fn is_hosted(self) -> bool {
        matches!(self, Self::MiniProgram | Self::Website | Self::OfficialAccount | Self::WeCom)
    }
}

spelled_enum! {
    /// What a login through a connection does with a person the pool does not know yet.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum SignUpPolicy {
        /// Signs them up (when the pool allows sign-up).
        Create = "create",
        /// Refuses them (`403 signup_disabled`, audited): only people already linked, by unionid
        /// or by this app's openid, get in; admins link people by provisioning and merging.
        LinkOnly = "linkOnly",
        /// Links them to a pre-provisioned user with the phone number WeChat verified, and refuses
        /// anyone else.
        LinkByPhone = "linkByPhone",
    }
}

spelled_enum! {
    /// What an official account's login asks WeChat for.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum OfficialAccountScope {
        /// `snsapi_base`: silent, the openid (and unionid) only.
        Base = "snsapi_base",
        /// `snsapi_userinfo`: the profile too, after the person allows it.
        UserInfo = "snsapi_userinfo",
    }
}

spelled_enum! {
    /// Which version of a mini program its login QR codes open (`env_version`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum MiniProgramVersion {
        /// The published version (WeChat checks that the page exists in it).
        Release = "release",
        /// The trial version, for testers.
        Trial = "trial",
        /// The developer version.
        Develop = "develop",
    }
}

/// One WeChat app of a pool. The secret is only ever held sealed here; services open it when they
/// call WeChat and never return it.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    /// Generated id (24 lowercase hex characters).
    pub id: String,
    /// The owning pool.
    pub pool_id: String,
    /// Which WeChat app it is.
    pub kind: ConnectionKind,
    /// What the hosted login page shows for it (the tenant's words); `None` shows the kind's name.
    pub name: Option<String>,
    /// The AppID (the corp id for WeCom).
    pub app_id: String,
    /// WeCom only: the app's AgentId; empty for other kinds.
    pub agent_id: String,
    /// The AppSecret (WeCom: the app's Secret) sealed with AES-256-GCM under the master key.
    pub secret_sealed: String,
    /// `****` and the secret's last four characters, for the admin to recognise it.
    pub secret_hint: String,
    /// Whether logins through it are allowed.
    pub enabled: bool,
    /// What a login of an unknown person does.
    pub sign_up: SignUpPolicy,
    /// Official accounts only: the scope asked for.
    pub scope: Option<OfficialAccountScope>,
    /// Mini programs only: the version the login QR codes open.
    pub env_version: Option<MiniProgramVersion>,
    /// Its place among the pool's connections (lower first): the order of the hosted page.
    pub position: i64,
    /// Mini programs only: whether it is the pool's app2wxapp connection (at most one per pool),
    /// the one `/connections/app2wxapp` manages and mini program logins use when they name no
    /// AppID.
    pub app2wxapp: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// The columns of a connection an admin changes; `None` leaves a column as it is. Written column
/// by column, so that two admins changing different fields both win.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectionChanges {
    /// New display name; `Some(None)` clears it.
    pub name: Option<Option<String>>,
    /// New AppID (only with a new secret: a secret belongs to its app).
    pub app_id: Option<String>,
    /// New AgentId (WeCom; only with a new secret).
    pub agent_id: Option<String>,
    /// New sealed secret and its hint.
    pub secret: Option<(String, String)>,
    /// Enabled or not.
    pub enabled: Option<bool>,
    /// New sign-up policy.
    pub sign_up: Option<SignUpPolicy>,
    /// New official account scope.
    pub scope: Option<OfficialAccountScope>,
    /// New mini program version for QR codes.
    pub env_version: Option<MiniProgramVersion>,
    /// New place in the order.
    pub position: Option<i64>,
    /// When changed.
    pub updated_at: DateTime<Utc>,
}

impl Connection {
    /// Applies `changes` to this copy (what the store does to the row).
    pub fn apply(&mut self, changes: &ConnectionChanges) {
        if let Some(name) = &changes.name {
            self.name.clone_from(name);
        }
        if let Some(app_id) = &changes.app_id {
            self.app_id.clone_from(app_id);
        }
        if let Some(agent_id) = &changes.agent_id {
            self.agent_id.clone_from(agent_id);
        }
        if let Some((sealed, hint)) = &changes.secret {
            self.secret_sealed.clone_from(sealed);
            self.secret_hint.clone_from(hint);
        }
        if let Some(enabled) = changes.enabled {
            self.enabled = enabled;
        }
        if let Some(sign_up) = changes.sign_up {
            self.sign_up = sign_up;
        }
        if let Some(scope) = changes.scope {
            self.scope = Some(scope);
        }
        if let Some(version) = changes.env_version {
            self.env_version = Some(version);
        }
        if let Some(position) = changes.position {
            self.position = position;
        }
        self.updated_at = changes.updated_at;
    }
}
