//! Schemas of the domain's spelled enums ([`AppType`], [`GrantType`]): each published as a string
//! with the values of the domain type's `ALL`, parsed strictly (an unknown spelling is refused
//! with the list of the allowed ones).

use std::borrow::Cow;

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use tessera_domain::model::{AppType, GrantType};

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
