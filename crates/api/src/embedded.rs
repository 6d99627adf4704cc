//! Files compiled into the binary and served under names that carry a hash of their content
//! (`login.3f9c….js`): such a URL can be cached for a year, and a new version gets a new URL, so
//! it is never served stale. The hosted pages and the admin console each serve theirs.

use poem::{
    Response,
    http::{HeaderValue, StatusCode, header},
};

/// How long a versioned asset may be cached: a year, never revalidated.
pub(crate) const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// One embedded file.
pub(crate) struct Asset {
    /// The name before the hash (`login`).
    stem: &'static str,
    /// The extension after it (`js`).
    extension: &'static str,
    content_type: &'static str,
    pub(crate) body: &'static str,
    /// A hash of `body` (64-bit FNV-1a, computed while compiling): enough to tell two versions
    /// apart, which is all it is for.
    pub(crate) hash: u64,
}

impl Asset {
    /// A script (`text/javascript`).
    pub(crate) const fn script(stem: &'static str, body: &'static str) -> Self {
        Self::new(stem, "js", "text/javascript; charset=utf-8", body)
    }

    /// A stylesheet (`text/css`).
    pub(crate) const fn stylesheet(stem: &'static str, body: &'static str) -> Self {
        Self::new(stem, "css", "text/css; charset=utf-8", body)
    }

    const fn new(
        stem: &'static str,
        extension: &'static str,
        content_type: &'static str,
        body: &'static str,
    ) -> Self {
        Self { stem, extension, content_type, body, hash: fnv1a(body.as_bytes()) }
    }

    /// The versioned file name (`login.0123456789abcdef.js`).
    pub(crate) fn file_name(&self) -> String {
        format!("{}.{:016x}.{}", self.stem, self.hash, self.extension)
    }
}

/// 64-bit FNV-1a.
pub(crate) const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// `GET /{name}` answering `assets` under their versioned names; any other name (an older
/// version included) is `404`.
pub(crate) fn routes(assets: &'static [&'static Asset]) -> poem::Route {
    poem::Route::new().at(
        "/:name",
        poem::get(poem::endpoint::make_sync(move |req| {
            let name = req.uri().path().rsplit('/').next().unwrap_or_default();
            serve(assets, name)
        })),
    )
}

fn serve(assets: &[&Asset], name: &str) -> poem::Result<Response> {
    let Some(asset) = assets.iter().find(|asset| asset.file_name() == name) else {
        return Err(poem::Error::from_status(StatusCode::NOT_FOUND));
    };
    Ok(Response::builder()
        .content_type(asset.content_type)
        .header(header::CACHE_CONTROL, CACHE_CONTROL)
        .header(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"))
        .header("cross-origin-resource-policy", "same-origin")
        .body(asset.body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_follows_the_content() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a(b"login.js v1"), fnv1a(b"login.js v2"));
        let asset = Asset::script("x", "let a = 1");
        assert_eq!(asset.file_name(), format!("x.{:016x}.js", fnv1a(b"let a = 1")));
    }
}
