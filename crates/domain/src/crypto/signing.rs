//! JWT signing keys: generation (aws-lc), the public JWK, and signing. Private keys are kept as
//! PKCS#8 DER, sealed at rest; an opened key is parsed once into aws-lc's key pair and signs
//! every token with it (jsonwebtoken's `encode` would parse the DER again for each signature,
//! which was the largest part of signing).

use aws_lc_rs::{
    encoding::AsDer,
    rand::SystemRandom,
    rsa::{KeyPair as RsaKeyPair, KeySize},
    signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, RSA_PKCS1_SHA256},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use jsonwebtoken::{
    Algorithm, DecodingKey, EncodingKey, Header, Validation,
    jwk::{Jwk, PublicKeyUse, ThumbprintHash},
};
use serde::Serialize;

use super::CryptoError;
use crate::model::TokenAlgorithm;

/// A new key pair.
pub struct GeneratedKey {
    /// RFC 7638 SHA-256 thumbprint of the public key.
    pub kid: String,
    /// The private key, PKCS#8 DER (to be sealed before storing).
    pub pkcs8: Vec<u8>,
    /// The public JWK as JSON text, with `kid`, `alg` and `use: sig`.
    pub public_jwk: String,
}

/// Generates a key pair for `algorithm` (RSA keys are 2048 bits).
pub fn generate_key(algorithm: TokenAlgorithm) -> Result<GeneratedKey, CryptoError> {
    let pkcs8 = match algorithm {
        TokenAlgorithm::Es256 => EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .and_then(|k| k.to_pkcs8v1())
            .map(|doc| doc.as_ref().to_vec()),
        TokenAlgorithm::EdDsa => {
            Ed25519KeyPair::generate().and_then(|k| k.to_pkcs8v1()).map(|d| d.as_ref().to_vec())
        }
        TokenAlgorithm::Rs256 => RsaKeyPair::generate(KeySize::Rsa2048)
            .and_then(|k| k.as_der())
            .map(|der| der.as_ref().to_vec()),
    }
    .map_err(|_| CryptoError("key generation failed"))?;
    let material = KeyMaterial::from_pkcs8(algorithm, String::new(), &pkcs8)?;
    let mut jwk = Jwk::from_encoding_key(&material.key, material.alg)
        .map_err(|_| CryptoError("public key extraction failed"))?;
    let kid =
        jwk.thumbprint(ThumbprintHash::SHA256).map_err(|_| CryptoError("thumbprint failed"))?;
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    let public_jwk = serde_json::to_string(&jwk).map_err(|_| CryptoError("jwk encoding"))?;
    Ok(GeneratedKey { kid, pkcs8, public_jwk })
}

/// An opened private key, ready to sign.
pub struct KeyMaterial {
    kid: String,
    alg: Algorithm,
    /// The DER for jsonwebtoken (the public JWK of a new key).
    key: EncodingKey,
    /// The key pair, parsed once.
    signer: Signer,
}

/// A parsed private key of one of the three algorithms.
enum Signer {
    Es256(EcdsaKeyPair),
    EdDsa(Ed25519KeyPair),
    Rs256(RsaKeyPair),
}

impl Signer {
    fn parse(algorithm: TokenAlgorithm, pkcs8: &[u8]) -> Result<Self, CryptoError> {
        let unreadable = |_| CryptoError("the private key is not a PKCS#8 key of its algorithm");
        Ok(match algorithm {
            TokenAlgorithm::Es256 => Self::Es256(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
                    .map_err(unreadable)?,
            ),
            TokenAlgorithm::EdDsa => {
                Self::EdDsa(Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(unreadable)?)
            }
            TokenAlgorithm::Rs256 => {
                Self::Rs256(RsaKeyPair::from_pkcs8(pkcs8).map_err(unreadable)?)
            }
        })
    }

    /// The signature of `message` (JWS: ES256's is the fixed-size `r || s`).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let failed = |_| CryptoError("jwt signing");
        match self {
            Self::Es256(key) => {
                Ok(key.sign(&SystemRandom::new(), message).map_err(failed)?.as_ref().to_vec())
            }
            Self::EdDsa(key) => Ok(key.sign(message).as_ref().to_vec()),
            Self::Rs256(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature)
                    .map_err(failed)?;
                Ok(signature)
            }
        }
    }
}

impl KeyMaterial {
    /// Loads a PKCS#8 private key of `algorithm` with key id `kid`.
    pub fn from_pkcs8(
        algorithm: TokenAlgorithm,
        kid: String,
        pkcs8: &[u8],
    ) -> Result<Self, CryptoError> {
        let (alg, key) = match algorithm {
            TokenAlgorithm::Es256 => (Algorithm::ES256, EncodingKey::from_ec_der(pkcs8)),
            TokenAlgorithm::EdDsa => (Algorithm::EdDSA, EncodingKey::from_ed_der(pkcs8)),
            // jsonwebtoken's RSA key is the PKCS#1 key inside the PKCS#8 wrapper.
            TokenAlgorithm::Rs256 => {
                (Algorithm::RS256, EncodingKey::from_rsa_der(pkcs1_of(pkcs8)?))
            }
        };
        let signer = Signer::parse(algorithm, pkcs8)?;
        Ok(Self { kid, alg, key, signer })
    }

    /// Signs `claims` as a compact JWT with `kid` in the header.
    pub fn sign(&self, claims: &impl Serialize) -> Result<String, CryptoError> {
        self.sign_typed("JWT", claims)
    }

    /// Whether it signs with EdDSA (whose `at_hash` uses SHA-512).
    pub fn is_eddsa(&self) -> bool {
        self.alg == Algorithm::EdDSA
    }

    /// Signs `claims` with `typ` in the header (`at+jwt` for access tokens, RFC 9068 §2.1).
    pub fn sign_typed(&self, typ: &str, claims: &impl Serialize) -> Result<String, CryptoError> {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        header.typ = Some(typ.to_owned());
        let encoding = |_| CryptoError("jwt encoding");
        let header = serde_json::to_vec(&header).map_err(encoding)?;
        let claims = serde_json::to_vec(claims).map_err(encoding)?;
        let mut jwt = String::with_capacity((header.len() + claims.len()) * 4 / 3 + 96);
        URL_SAFE_NO_PAD.encode_string(&header, &mut jwt);
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(&claims, &mut jwt);
        let signature = self.signer.sign(jwt.as_bytes())?;
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(&signature, &mut jwt);
        Ok(jwt)
    }
}

/// Checks JWTs against a pool's published keys (its JWKS).
pub struct JwtVerifier {
    keys: Vec<(String, Algorithm, DecodingKey)>,
}

/// A JWT whose signature checked out: the key that signed it, its header's `typ` and its claims
/// (expiry not checked).
#[derive(Debug, Clone)]
pub struct VerifiedJwt<C> {
    /// The `kid` of the key that signed it.
    pub kid: String,
    /// The header's `typ`, if any.
    pub typ: Option<String>,
    /// The claims.
    pub claims: C,
}

impl JwtVerifier {
    /// A verifier of the given public JWKs (JSON objects); keys it cannot read are left out.
    pub fn new(jwks: &[serde_json::Value]) -> Self {
        let keys = jwks
            .iter()
            .filter_map(|value| {
                let jwk: Jwk = serde_json::from_value(value.clone()).ok()?;
                let kid = jwk.common.key_id.clone()?;
                let alg = jwk.common.key_algorithm.and_then(|a| a.to_string().parse().ok())?;
                Some((kid, alg, DecodingKey::from_jwk(&jwk).ok()?))
            })
            .collect();
        Self { keys }
    }

    /// Whether the key `kid` is one of the published keys.
    pub fn publishes(&self, kid: &str) -> bool {
        self.keys.iter().any(|(k, _, _)| k == kid)
    }

    /// The token's claims if it is signed by one of the keys (chosen by `kid`, with the
    /// algorithm the key was published for: a token cannot choose its algorithm). Time claims
    /// are left to the caller, which knows the clock.
    pub fn verify<C: serde::de::DeserializeOwned>(&self, token: &str) -> Option<VerifiedJwt<C>> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        let kid = header.kid.as_deref()?;
        let (_, alg, key) = self.keys.iter().find(|(k, _, _)| k == kid)?;
        if header.alg != *alg {
            return None;
        }
        let mut validation = Validation::new(*alg);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<C>(token, key, &validation).ok()?;
        Some(VerifiedJwt { kid: kid.to_owned(), typ: header.typ, claims: data.claims })
    }
}

/// The `privateKey` OCTET STRING of a PKCS#8 `PrivateKeyInfo` (RFC 5208): the PKCS#1 RSA key.
fn pkcs1_of(pkcs8: &[u8]) -> Result<&[u8], CryptoError> {
    const BAD: CryptoError = CryptoError("malformed PKCS#8 RSA key");
    let (tag, info, _) = der_tlv(pkcs8).ok_or(BAD)?;
    if tag != 0x30 {
        return Err(BAD);
    }
    let (tag, _version, rest) = der_tlv(info).ok_or(BAD)?;
    if tag != 0x02 {
        return Err(BAD);
    }
    let (tag, _algorithm, rest) = der_tlv(rest).ok_or(BAD)?;
    if tag != 0x30 {
        return Err(BAD);
    }
    let (tag, key, _) = der_tlv(rest).ok_or(BAD)?;
    if tag != 0x04 {
        return Err(BAD);
    }
    Ok(key)
}

/// Splits one DER TLV off `input`: (tag, value, rest).
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (len_bytes, after) = rest.split_at(n);
        rest = after;
        len_bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{DecodingKey, Validation, jwk::Jwk};
    use serde::Deserialize;

    use super::*;

    #[test]
    fn tokens_are_what_jsonwebtoken_itself_would_make() {
        let claims = serde_json::json!({"sub": "u1", "aud": "p", "exp": 4_000_000_000u64});
        // EdDSA and RS256 (PKCS#1 v1.5) signatures are deterministic: the whole token must match.
        for algorithm in [TokenAlgorithm::EdDsa, TokenAlgorithm::Rs256] {
            let key = generate_key(algorithm).unwrap();
            let material = KeyMaterial::from_pkcs8(algorithm, key.kid.clone(), &key.pkcs8).unwrap();
            let mut header = Header::new(material.alg);
            header.kid = Some(key.kid.clone());
            header.typ = Some("at+jwt".into());
            let theirs = jsonwebtoken::encode(&header, &claims, &material.key).unwrap();
            assert_eq!(material.sign_typed("at+jwt", &claims).unwrap(), theirs, "{algorithm:?}");
        }
        // ES256 is randomized: jsonwebtoken must verify ours with the published key.
        let key = generate_key(TokenAlgorithm::Es256).unwrap();
        let material = KeyMaterial::from_pkcs8(TokenAlgorithm::Es256, key.kid, &key.pkcs8).unwrap();
        let token = material.sign(&claims).unwrap();
        let jwk: Jwk = serde_json::from_str(&key.public_jwk).unwrap();
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_audience(&["p"]);
        let decoded = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &DecodingKey::from_jwk(&jwk).unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(decoded.claims, claims);
        assert_eq!(token.split('.').nth(2).map(str::len), Some(86), "r || s, 64 bytes");
    }

    #[test]
    fn a_key_of_another_algorithm_does_not_open() {
        let es = generate_key(TokenAlgorithm::Es256).unwrap();
        assert!(KeyMaterial::from_pkcs8(TokenAlgorithm::Rs256, es.kid.clone(), &es.pkcs8).is_err());
        assert!(KeyMaterial::from_pkcs8(TokenAlgorithm::EdDsa, es.kid, &es.pkcs8).is_err());
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Claims {
        sub: String,
        exp: u64,
    }

    #[test]
    fn every_algorithm_signs_tokens_its_jwk_verifies() {
        for &algorithm in TokenAlgorithm::ALL {
            let key = generate_key(algorithm).unwrap();
            let jwk: Jwk = serde_json::from_str(&key.public_jwk).unwrap();
            assert_eq!(jwk.common.key_id.as_deref(), Some(key.kid.as_str()));
            assert!(!key.public_jwk.contains("\"d\""), "{algorithm}: private part in JWK");

            let material = KeyMaterial::from_pkcs8(algorithm, key.kid.clone(), &key.pkcs8).unwrap();
            let claims = Claims { sub: "u1".into(), exp: 4_000_000_000 };
            let token = material.sign(&claims).unwrap();

            let header = jsonwebtoken::decode_header(&token).unwrap();
            assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
            assert_eq!(format!("{:?}", header.alg), algorithm.as_str());
            let decoding = DecodingKey::from_jwk(&jwk).unwrap();
            let decoded =
                jsonwebtoken::decode::<Claims>(&token, &decoding, &Validation::new(header.alg))
                    .unwrap();
            assert_eq!(decoded.claims, claims);

            let other = generate_key(algorithm).unwrap();
            let other_jwk: Jwk = serde_json::from_str(&other.public_jwk).unwrap();
            let wrong = DecodingKey::from_jwk(&other_jwk).unwrap();
            assert!(
                jsonwebtoken::decode::<Claims>(&token, &wrong, &Validation::new(header.alg))
                    .is_err(),
                "{algorithm}: verified with another key"
            );
        }
    }

    #[test]
    fn the_verifier_checks_kid_algorithm_and_signature() {
        let a = generate_key(TokenAlgorithm::Es256).unwrap();
        let b = generate_key(TokenAlgorithm::EdDsa).unwrap();
        let jwks: Vec<serde_json::Value> =
            [&a, &b].iter().map(|k| serde_json::from_str(&k.public_jwk).unwrap()).collect();
        let verifier = JwtVerifier::new(&jwks);
        let material =
            KeyMaterial::from_pkcs8(TokenAlgorithm::Es256, a.kid.clone(), &a.pkcs8).unwrap();
        let claims = Claims { sub: "u1".into(), exp: 1 };
        let token = material.sign_typed("at+jwt", &claims).unwrap();
        let verified = verifier.verify::<Claims>(&token).unwrap();
        assert_eq!(verified.typ.as_deref(), Some("at+jwt"));
        assert_eq!(verified.kid, a.kid);
        assert!(verifier.publishes(&a.kid) && verifier.publishes(&b.kid));
        assert!(!JwtVerifier::new(&jwks[1..]).publishes(&a.kid));
        assert_eq!(
            verified.claims, claims,
            "an expired token still verifies: time is the caller's"
        );

        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert!(verifier.verify::<Claims>(&tampered).is_none());
        // Signed by a's key but naming b's kid: refused.
        let liar = KeyMaterial::from_pkcs8(TokenAlgorithm::Es256, b.kid.clone(), &a.pkcs8).unwrap();
        assert!(verifier.verify::<Claims>(&liar.sign(&claims).unwrap()).is_none());
        let stranger = generate_key(TokenAlgorithm::Es256).unwrap();
        let stranger =
            KeyMaterial::from_pkcs8(TokenAlgorithm::Es256, stranger.kid, &stranger.pkcs8).unwrap();
        assert!(verifier.verify::<Claims>(&stranger.sign(&claims).unwrap()).is_none());
        assert!(verifier.verify::<Claims>("not.a.jwt").is_none());
    }

    #[test]
    fn der_reader_rejects_garbage() {
        assert!(pkcs1_of(&[]).is_err());
        assert!(pkcs1_of(&[0x30, 0x85, 1, 2, 3, 4, 5]).is_err());
        assert!(pkcs1_of(&[0x30, 0x03, 0x02, 0x01, 0x00]).is_err());
        assert!(der_tlv(&[0x04, 0x05, 1]).is_none());
    }
}
