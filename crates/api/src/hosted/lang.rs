//! The page's language: `ui_locales` (OpenID Connect Core §3.1.2.1) first, then the browser's
//! `Accept-Language` (RFC 9110 §12.5.4, q-values honoured), else Simplified Chinese.

/// The languages the hosted pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Simplified Chinese (`zh-CN`), the default.
    ZhCn,
    /// English (`en`).
    En,
}

impl Lang {
    /// Every language, for tests and for anything that lists them.
    pub const ALL: [Self; 2] = [Self::ZhCn, Self::En];

    /// The BCP 47 tag of the pages written in this language (`lang`, `Content-Language`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    /// The language a BCP 47 tag asks for, if the pages are written in it. Any Chinese tag
    /// (`zh`, `zh-Hans`, `zh-CN`, and also `zh-TW` or `zh-Hant`, whose readers are better served
    /// by Simplified Chinese than by English) is [`Lang::ZhCn`]; any English one is [`Lang::En`].
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("zh") {
            Some(Self::ZhCn)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Self::En)
        } else {
            None
        }
    }
}

/// Most language ranges read from one header or parameter: a longer list is a client's mistake
/// or an attack, and its tail never decides anything.
const MAX_RANGES: usize = 32;

/// The language of a hosted page: the first supported tag of `ui_locales` (space-separated, in
/// order of preference), else the supported range of `Accept-Language` with the highest q-value
/// (the first listed among equals; `q=0` means "not this one"), else [`Lang::ZhCn`].
pub fn negotiate(ui_locales: Option<&str>, accept_language: Option<&str>) -> Lang {
    ui_locales
        .and_then(|locales| {
            locales.split_ascii_whitespace().take(MAX_RANGES).find_map(Lang::from_tag)
        })
        .or_else(|| accept_language.and_then(from_accept_language))
        .unwrap_or(Lang::ZhCn)
}

/// The best supported language of an `Accept-Language` value, if any.
fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(u16, Lang)> = None;
    for range in header.split(',').take(MAX_RANGES) {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or_default();
        let Some(lang) = Lang::from_tag(tag) else { continue };
        let Some(weight) = weight(parts) else { continue };
        if weight > 0 && best.is_none_or(|(top, _)| weight > top) {
            best = Some((weight, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// A range's q-value in thousandths (1000 when absent); `None` when it is malformed, and the
/// range is then ignored rather than guessed at.
fn weight<'a>(params: impl Iterator<Item = &'a str>) -> Option<u16> {
    let mut weight = 1000;
    for param in params {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("q") {
            continue;
        }
        weight = qvalue(value.trim())?;
    }
    Some(weight)
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )` (RFC 9110 §12.4.2), in
/// thousandths.
fn qvalue(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{Lang, negotiate, qvalue};

    #[test]
    fn the_default_is_simplified_chinese() {
        assert_eq!(negotiate(None, None), Lang::ZhCn);
        assert_eq!(negotiate(Some(""), Some("")), Lang::ZhCn);
        assert_eq!(negotiate(Some("fr de"), Some("fr-FR, de;q=0.9")), Lang::ZhCn);
        assert_eq!(negotiate(None, Some("*")), Lang::ZhCn);
    }

    #[test]
    fn the_documented_tags_are_recognised() {
        for tag in ["zh", "zh-Hans", "zh-CN", "ZH-cn", "zh_CN", "zh-Hans-CN"] {
            assert_eq!(negotiate(Some(tag), None), Lang::ZhCn, "{tag}");
            assert_eq!(negotiate(None, Some(tag)), Lang::ZhCn, "{tag}");
        }
        for tag in ["en", "en-US", "EN-gb", "en-Latn-US"] {
            assert_eq!(negotiate(Some(tag), None), Lang::En, "{tag}");
            assert_eq!(negotiate(None, Some(tag)), Lang::En, "{tag}");
        }
        // Not a prefix match on letters: "eng" and "zhx" are other languages.
        assert_eq!(negotiate(Some("eng"), None), Lang::ZhCn);
        assert_eq!(negotiate(Some("zhx en"), None), Lang::En);
    }

    #[test]
    fn ui_locales_come_before_accept_language_and_the_first_supported_wins() {
        assert_eq!(negotiate(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(negotiate(Some("zh-CN"), Some("en")), Lang::ZhCn);
        assert_eq!(negotiate(Some("fr-CA en-US zh"), Some("zh")), Lang::En);
        assert_eq!(negotiate(Some("  fr\tzh-Hans  en "), None), Lang::ZhCn);
        // Nothing supported in ui_locales: Accept-Language decides.
        assert_eq!(negotiate(Some("fr ja"), Some("en-US,en;q=0.9")), Lang::En);
    }

    #[test]
    fn accept_language_honours_q_values() {
        assert_eq!(negotiate(None, Some("zh-CN;q=0.5, en;q=0.8")), Lang::En);
        assert_eq!(negotiate(None, Some("en;q=0.5, zh;q=0.8")), Lang::ZhCn);
        assert_eq!(negotiate(None, Some("fr, en;q=0.1")), Lang::En);
        // Equal weights: the first listed.
        assert_eq!(negotiate(None, Some("en-US, zh-CN")), Lang::En);
        assert_eq!(negotiate(None, Some("zh;q=0.7, en;q=0.7")), Lang::ZhCn);
        // q=0 refuses a language.
        assert_eq!(negotiate(None, Some("en;q=0, fr")), Lang::ZhCn);
        assert_eq!(negotiate(None, Some("zh;q=0, en;q=0.001")), Lang::En);
        // Whitespace and parameter case as browsers send them.
        assert_eq!(negotiate(None, Some("zh-CN ; Q=0.2 ,en-GB;q=0.3")), Lang::En);
    }

    #[test]
    fn malformed_ranges_are_ignored_not_guessed() {
        assert_eq!(negotiate(None, Some("en;q=2, zh;q=0.1")), Lang::ZhCn);
        assert_eq!(negotiate(None, Some("zh;q=abc, en;q=0.1")), Lang::En);
        assert_eq!(negotiate(None, Some("zh;q, en;q=0.1")), Lang::En);
        assert_eq!(negotiate(None, Some("zh;q=0.1234, en;q=0.1")), Lang::En);
        assert_eq!(negotiate(None, Some(",,;;,=")), Lang::ZhCn);
        assert_eq!(qvalue("1.000"), Some(1000));
        assert_eq!(qvalue("1.001"), None);
        assert_eq!(qvalue("0.25"), Some(250));
        assert_eq!(qvalue("0."), Some(0));
        assert_eq!(qvalue("-0.5"), None);
    }

    #[test]
    fn only_the_head_of_a_long_list_is_read() {
        let long = format!("{}en", "fr,".repeat(100));
        assert_eq!(negotiate(None, Some(&long)), Lang::ZhCn);
        assert_eq!(negotiate(Some(&long.replace(',', " ")), None), Lang::ZhCn);
    }
}
