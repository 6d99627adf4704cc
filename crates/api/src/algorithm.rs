//! The `Algorithm` schema: a JWT signature algorithm as the OpenAPI document publishes it.

use std::borrow::Cow;

use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef, Registry},
    types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type},
};
use tessera_domain::model::TokenAlgorithm;

/// A JWT signature algorithm: the domain's [`TokenAlgorithm`], described to the OpenAPI
/// document with the values of `TokenAlgorithm::ALL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Algorithm(pub TokenAlgorithm);

impl Type for Algorithm {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "Algorithm".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(Self::name().into_owned())
    }

    fn register(registry: &mut Registry) {
        registry.create_schema::<Self, _>(Self::name().into_owned(), |_| MetaSchema {
            description: Some("A JWT signature algorithm."),
            enum_items: TokenAlgorithm::ALL.iter().map(|a| a.as_str().into()).collect(),
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

impl ParseFromJSON for Algorithm {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        let value = value.unwrap_or_default();
        match value.as_str().map(str::parse) {
            Some(Ok(algorithm)) => Ok(Self(algorithm)),
            _ => Err(ParseError::expected_type(value)),
        }
    }
}

impl ToJSON for Algorithm {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(self.0.as_str().into())
    }
}

impl<'de> serde::Deserialize<'de> for Algorithm {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map(Self).map_err(serde::de::Error::custom)
    }
}
