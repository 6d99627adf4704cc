use chrono::{DateTime, Utc};

spelled_enum! {
    /// Whether an audited action succeeded.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Outcome {
        /// It was carried out.
        Success = "success",
        /// It was refused or failed; the event's `reason` says why.
        Failure = "failure",
    }
}

spelled_enum! {
    /// What an audit event records. Clients filter on these spellings: they are part of the
    /// public contract (docs/admin-api.md lists them) and never change meaning.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum AuditAction {
        /// A platform admin logged in to the admin API (or failed to).
        AdminLogin = "admin.login",
        /// A platform admin account was created.
        AdminCreate = "admin.create",
        /// A platform admin account was deleted.
        AdminDelete = "admin.delete",
        /// A platform admin changed their password (their earlier tokens stop working).
        AdminPasswordChange = "admin.password.change",
        /// A platform admin's tokens were revoked.
        AdminTokensRevoke = "admin.tokens.revoke",
        /// A pool management token was obtained with the pool secret (or was refused).
        PoolLogin = "pool.login",
        /// A user pool was created.
        PoolCreate = "pool.create",
        /// A pool's name or settings changed.
        PoolUpdate = "pool.update",
        /// A pool and everything it owned were deleted.
        PoolDelete = "pool.delete",
        /// A pool secret was replaced.
        PoolSecretRotate = "pool.secret.rotate",
        /// A pool's signing key was rotated (by hand or by a new token algorithm).
        KeyRotate = "key.rotate",
        /// A pool's app2wxapp connection was created or changed (`/connections/app2wxapp`).
        ConnectionPut = "connection.put",
        /// A pool's connection was removed.
        ConnectionDelete = "connection.delete",
        /// A connection was added to a pool.
        ConnectionCreate = "connection.create",
        /// A connection's settings or credentials changed.
        ConnectionUpdate = "connection.update",
        /// An admin created a user.
        UserCreate = "user.create",
        /// An admin changed a user.
        UserUpdate = "user.update",
        /// An admin blocked a user.
        UserBlock = "user.block",
        /// An admin unblocked a user.
        UserUnblock = "user.unblock",
        /// An admin deleted a user.
        UserDelete = "user.delete",
        /// An admin removed one of a user's WeChat identities.
        UserIdentityUnlink = "user.identity.unlink",
        /// An admin merged one user into another (the source user is deleted).
        UserMerge = "user.merge",
        /// A person unknown to the pool was refused by a connection's sign-up policy (`linkOnly`,
        /// or `linkByPhone` without a matching user); the target is the connection.
        UserSignupRefused = "user.signup.refused",
        /// An application (OAuth client) was registered.
        ApplicationCreate = "application.create",
        /// An application's settings changed.
        ApplicationUpdate = "application.update",
        /// An application and the refresh tokens issued to it were deleted.
        ApplicationDelete = "application.delete",
        /// An application's client secret was replaced.
        ApplicationSecretRotate = "application.secret.rotate",
        /// A mini program login issued a ticket (or failed).
        App2WxappLogin = "app2wxapp.login",
        /// An App backend exchanged a ticket (or failed to).
        App2WxappExchange = "app2wxapp.exchange",
        /// A user confirmed a website's QR code login in the mini program (or failed to).
        WxappQrcodeLogin = "wxapp_qrcode.login",
        /// A web page (or its backend) exchanged the ticket of the hosted original's QR login
        /// API for the user (or failed to).
        QrcodeUserinfo = "qrcode.userinfo",
        /// A WeChat web login (website QR, official account) finished on the hosted page (or
        /// failed).
        WechatWebLogin = "wechat_web.login",
        /// An application obtained tokens at a pool's token endpoint (or was refused).
        OidcToken = "oidc.token",
        /// A replayed authorization code or refresh token revoked what its grant had issued.
        OidcReplay = "oidc.replay",
    }
}

/// A security-relevant event. Never holds a secret, ticket, password or session key.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// Generated id.
    pub id: String,
    /// The pool concerned, if any.
    pub pool_id: Option<String>,
    /// Who acted: `admin:<id>`, `pool:<id>`, `anonymous`, `operator` (the command line).
    pub actor: String,
    /// What was done.
    pub action: AuditAction,
    /// The object acted on (a pool, user or key id).
    pub target: Option<String>,
    /// The client's IP address.
    pub ip: Option<String>,
    /// Success or failure.
    pub outcome: Outcome,
    /// Why it failed (a stable error kind), if it did.
    pub reason: Option<String>,
    /// When (UTC).
    pub created_at: DateTime<Utc>,
}

/// Which events of a log to list: each field that is set narrows the list (all must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only this outcome.
    pub outcome: Option<Outcome>,
    /// Only events of this actor (`admin:<id>`, `pool:<id>`, `anonymous`, `operator`).
    pub actor: Option<String>,
    /// Only events about this object (a user, key, application or pool id).
    pub target: Option<String>,
    /// Only events at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only events before this time.
    pub until: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_and_unknown_ones_are_refused() {
        for &action in AuditAction::ALL {
            assert_eq!(action.as_str().parse::<AuditAction>(), Ok(action));
        }
        assert_eq!("failure".parse::<Outcome>(), Ok(Outcome::Failure));
        let err = "succes".parse::<Outcome>().expect_err("strict");
        assert_eq!(err.to_string(), "must be one of success, failure (got \"succes\")");
    }

    #[test]
    fn the_admin_api_guide_lists_exactly_the_audit_actions() {
        let guide = include_str!("../../../../docs/admin-api.md");
        let table = guide.split("| `action` | recorded when |").nth(1).expect("the table");
        let listed: Vec<&str> = table
            .lines()
            .skip(2)
            .map_while(|l| l.strip_prefix("| `")?.split_once("` |").map(|(action, _)| action))
            .collect();
        let actions: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(listed, actions, "docs/admin-api.md's table of audit actions");
    }
}
