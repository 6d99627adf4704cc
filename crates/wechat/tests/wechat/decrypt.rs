//! Legacy decryption: WeChat's published vector, and hostile inputs (never a panic).

use base64::{Engine, engine::general_purpose::STANDARD};
use proptest::prelude::*;
use serde_json::json;
use tessera_domain::wechat::{SessionKey, WeChatError};
use tessera_wechat::decrypt::{decrypt, phone_of};
use tessera_wechat_sim::encrypt;

const APP_ID: &str = "wx4f4bc4dec97d474b";
const SESSION_KEY: &str = "tiihtNczf5v6AKRyjwEUhQ==";
const IV: &str = "r7BXXKkLb8qrSNn05n0qiA==";
/// From WeChat's documentation of encrypted data (signature and decryption of user data).
const ENCRYPTED: &str = "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==";

fn key(text: &str) -> SessionKey {
    SessionKey::new(text.to_owned())
}

#[test]
fn wechats_published_vector_decrypts() {
    let value = decrypt(&key(SESSION_KEY), ENCRYPTED, IV, APP_ID).expect("decrypts");
    assert_eq!(value["watermark"]["appid"], APP_ID);
    assert_eq!(value["openId"], "oGZUI0egBJY1zhBYw2KhdUfwVJJE");
    assert_eq!(value["nickName"], "Band");
    assert_eq!(value["unionId"], "ocMvos6NjeKLIBqg5Mr9QjxrP1FA");
}

#[test]
fn phone_payloads_give_a_typed_number() {
    let numeric_country = json!({"phoneNumber": "+85291234567", "purePhoneNumber": "91234567",
        "countryCode": 852, "watermark": {"appid": APP_ID}});
    let phone = phone_of(&numeric_country).expect("a number");
    assert_eq!(
        (
            phone.phone_number.as_str(),
            phone.pure_phone_number.as_str(),
            phone.country_code.as_str()
        ),
        ("+85291234567", "91234567", "852")
    );
    assert_eq!(phone.preferred(), "+85291234567");
    let user_info = decrypt(&key(SESSION_KEY), ENCRYPTED, IV, APP_ID).expect("decrypts");
    assert_eq!(phone_of(&user_info), None, "a getUserInfo payload holds no phone number");
}

#[test]
fn the_watermark_must_name_this_mini_program() {
    let err = decrypt(&key(SESSION_KEY), ENCRYPTED, IV, "wx0000000000000000").expect_err("foreign");
    assert!(matches!(err, WeChatError::DecryptFailed(m) if m.contains("watermark")));
    let no_watermark = encrypt(&[7; 16], &[9; 16], br#"{"phoneNumber":"1"}"#).expect("encrypt");
    let err = decrypt(
        &key(&STANDARD.encode([7u8; 16])),
        &no_watermark,
        &STANDARD.encode([9u8; 16]),
        APP_ID,
    );
    assert!(err.is_err());
}

#[test]
fn tampered_short_and_garbage_inputs_fail_cleanly() {
    let other_key = STANDARD.encode([1u8; 16]);
    let mut flipped = STANDARD.decode(ENCRYPTED).expect("b64");
    let last = flipped.len() - 1;
    flipped[last] ^= 0x01;
    let flipped = STANDARD.encode(flipped);
    let truncated = &ENCRYPTED[..ENCRYPTED.len() - 24];
    for (session_key, data, iv) in [
        (other_key.as_str(), ENCRYPTED, IV),
        (SESSION_KEY, flipped.as_str(), IV),
        (SESSION_KEY, truncated, IV),
        (SESSION_KEY, ENCRYPTED, "AAAAAAAAAAAAAAAAAAAAAA=="),
        (SESSION_KEY, ENCRYPTED, "c2hvcnQ="),
        (SESSION_KEY, "", IV),
        (SESSION_KEY, "not base64 at all!", IV),
        (SESSION_KEY, "AAAA", IV),
        ("c2hvcnQ=", ENCRYPTED, IV),
        ("", ENCRYPTED, IV),
    ] {
        let result = decrypt(&key(session_key), data, iv, APP_ID);
        assert!(
            matches!(result, Err(WeChatError::DecryptFailed(_))),
            "{session_key} / {data:.16} / {iv}: {result:?}"
        );
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(k in ".{0,40}", data in ".{0,200}", iv in ".{0,40}") {
        let _ = decrypt(&key(&k), &data, &iv, APP_ID);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        k in proptest::collection::vec(any::<u8>(), 0..40),
        data in proptest::collection::vec(any::<u8>(), 0..300),
        iv in proptest::collection::vec(any::<u8>(), 0..40),
    ) {
        let result =
            decrypt(&key(&STANDARD.encode(&k)), &STANDARD.encode(&data), &STANDARD.encode(&iv), APP_ID);
        prop_assert!(result.is_err());
    }

    #[test]
    fn what_wechat_encrypts_decrypts(k in any::<[u8; 16]>(), iv in any::<[u8; 16]>(), phone in "[0-9]{5,15}") {
        let payload = json!({"purePhoneNumber": phone, "watermark": {"appid": APP_ID, "timestamp": 1}});
        let data = encrypt(&k, &iv, payload.to_string().as_bytes()).expect("encrypt");
        let opened = decrypt(&key(&STANDARD.encode(k)), &data, &STANDARD.encode(iv), APP_ID);
        prop_assert_eq!(opened.ok(), Some(payload));
    }
}
