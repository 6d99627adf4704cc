//! Schemas of the domain's spelled enums ([`AppType`], [`GrantType`]): each published as a string
//! with the values of the domain type's `ALL`, parsed strictly (an unknown spelling is refused
//! with the list of the allowed ones).

use std::borrow::Cow;

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type},
};
use tessera_domain::model::{
    AppType, AuditAction, ConnectionKind, GrantType, KeyStatus, MiniProgramVersion,
    OfficialAccountScope, Outcome, SignUpPolicy,
};

/// Declares a newtype over a domain enum with its OpenAPI schema and serde/JSON conversions.
macro_rules! spelled_schema {
    ($(#[$meta:meta])* $name:ident($inner:ty), $description:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub $inner);

        impl Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Reference(Self::name().into_owned())
            }

            fn register(registry: &mut Registry) {
                registry.create_schema::<Self, _>(Self::name().into_owned(), |_| MetaSchema {
                    description: Some($description),
                    enum_items: <$inner>::ALL.iter().map(|v| v.as_str().into()).collect(),
                    ..MetaSchema::new("string")
                });
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }

            fn raw_element_iter<'a>(
                &'a self,
            ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl ParseFromJSON for $name {
            fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
                let value = value.unwrap_or_default();
                match value.as_str().map(str::parse) {
                    Some(Ok(v)) => Ok(Self(v)),
                    _ => Err(ParseError::expected_type(value)),
                }
            }
        }

        impl ParseFromParameter for $name {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                value.parse().map(Self).map_err(ParseError::custom)
            }
        }

        impl ToJSON for $name {
            fn to_json(&self) -> Option<serde_json::Value> {
                Some(self.0.as_str().into())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map(Self).map_err(serde::de::Error::custom)
            }
        }
    };
}

spelled_schema!(
    /// An application's type.
    ApplicationType(AppType),
    "What kind of client an application is: `web` (server-side, confidential, authorization \
     code), `spa` and `native` (public, authorization code with PKCE), `machine` (confidential, \
     client credentials only)."
);

spelled_schema!(
    /// An OAuth 2.0 grant type.
    Grant(GrantType),
    "An OAuth 2.0 grant an application may use at the token endpoint."
);

spelled_schema!(
    /// Which WeChat app a connection is.
    Kind(ConnectionKind),
    "Which WeChat app a connection is: `miniprogram` (app2wxapp, mini-program QR login for \
     websites, the mini program's own login), `website` (Open Platform website app: website QR \
     login), `official_account` (service account: login inside WeChat's browser), `mobile` (Open \
     Platform mobile App: OpenSDK `SendAuth`), `multiend` (multi-end app), `wecom` (self-built \
     WeCom app)."
);

spelled_schema!(
    /// A connection's sign-up policy.
    SignUp(SignUpPolicy),
    "What a login through the connection does with a person the pool does not know: `create` \
     signs them up (when the pool allows sign-up), `linkOnly` refuses them (`403 \
     signup_disabled`, audited as `user.signup.refused`), `linkByPhone` links them to the \
     pre-provisioned user with the phone number WeChat verified and refuses anyone else."
);

spelled_schema!(
    /// An official account's login scope.
    OaScope(OfficialAccountScope),
    "What an official account's login asks WeChat for: `snsapi_base` (silent: the openid and \
     unionid) or `snsapi_userinfo` (the profile too, after the person allows it)."
);

spelled_schema!(
    /// The version of a mini program its login QR codes open.
    EnvVersion(MiniProgramVersion),
    "The version of the mini program the login QR codes open: `release` (WeChat checks the page \
     exists in it), `trial` or `develop` (for testing an unpublished version)."
);

spelled_schema!(
    /// What a signing key is for now.
    SigningKeyStatus(KeyStatus),
    "What a signing key does now: `active` (signs new tokens; one per pool), `next` (published \
     in the JWKS, signs after the next rotation) or `retired` (signs nothing; published until \
     every token it signed has expired)."
);

spelled_schema!(
    /// What an audit event records.
    AuditActionName(AuditAction),
    "What an audit event records, e.g. `user.block` or `app2wxapp.exchange` (docs/admin-api.md \
     lists every action)."
);

spelled_schema!(
    /// Whether an audited action succeeded.
    AuditOutcome(Outcome),
    "Whether an audited action succeeded: `success` or `failure` (the event's `reason` says why)."
);
