//! Form and query parameters of the OAuth endpoints and the hosted pages: read once, strictly.
//! A parameter given twice is refused (RFC 6749 §3.1), as is a control character in a value or
//! more parameters than any request of ours has.

use poem::{
    Body, Request,
    http::{Method, header},
};

/// The most parameters a request may hold.
const MAX_PARAMS: usize = 32;

/// The parameters of one request, taken one by one.
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// The form body (`application/x-www-form-urlencoded`, whatever the method).
    pub(crate) async fn form(req: &Request, body: Body) -> Result<Self, String> {
        let content_type = req.header(header::CONTENT_TYPE).unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err("the body must be application/x-www-form-urlencoded".into());
        }
        let bytes = body.into_vec().await.map_err(|_| "the body could not be read".to_owned())?;
        Self::parse(&bytes)
    }

    /// The form body of a `POST`, the query string otherwise.
    pub(crate) async fn of(req: &Request, body: Body) -> Result<Self, String> {
        if req.method() == Method::POST {
            Self::form(req, body).await
        } else {
            Self::parse(req.uri().query().unwrap_or_default().as_bytes())
        }
    }

    fn parse(bytes: &[u8]) -> Result<Self, String> {
        let shown = |name: &str| name.chars().take(64).collect::<String>();
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (name, value) in url::form_urlencoded::parse(bytes) {
            if pairs.iter().any(|(n, _)| *n == name) {
                return Err(format!("{} is given more than once", shown(&name)));
            }
            if value.chars().any(char::is_control) {
                return Err(format!("{} holds a control character", shown(&name)));
            }
            if pairs.len() == MAX_PARAMS {
                return Err("too many parameters".into());
            }
            pairs.push((name.into_owned(), value.into_owned()));
        }
        Ok(Self(pairs))
    }

    /// Takes the parameter `name` out, if given.
    pub(crate) fn take(&mut self, name: &str) -> Option<String> {
        let at = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.swap_remove(at).1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_read_strictly() {
        let mut p = Params::parse(b"a=1&b=x+y&c=%41").unwrap();
        assert_eq!(p.take("b").as_deref(), Some("x y"));
        assert_eq!(p.take("c").as_deref(), Some("A"));
        assert_eq!(p.take("b"), None);
        // (No Debug for Params: it holds secrets; `.err()` looks at the error alone.)
        let twice = Params::parse(b"a=1&a=2").err().unwrap_or_default();
        assert!(twice.contains("more than once"), "{twice}");
        let control = Params::parse(b"a=%0A").err().unwrap_or_default();
        assert!(control.contains("control character"), "{control}");
        let many: String = (0..40).map(|i| format!("p{i}=1&")).collect();
        assert_eq!(Params::parse(many.as_bytes()).err().as_deref(), Some("too many parameters"));
    }
}
