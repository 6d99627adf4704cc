//! The simulator's mini program codes: a real PNG holding a QR code of the scene, with the scene,
//! the page and the AppID also in `tEXt` chunks so that a test (or a browser) can read what a
//! user scanning it would open without decoding the QR code.
//!
//! The PNG is written here in full (signature, `IHDR`, `tEXt`, `IDAT` as uncompressed deflate
//! blocks in a zlib stream, `IEND`, every chunk with its CRC): a 1-bit grayscale image of the
//! requested width is a few tens of KiB, like WeChat's own codes.

use qrcodegen::{QrCode, QrCodeEcc};

/// A mini program code the simulator drew, as a test playing the user reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedWxaCode {
    /// The mini program's AppID.
    pub app_id: String,
    /// What the opened page receives as `options.scene` (before WeChat URL-encodes it).
    pub scene: String,
    /// The page the code opens (empty: the home page).
    pub page: String,
    /// The version it opens (`release`, `trial`, `develop`).
    pub env_version: String,
    /// Whether WeChat was asked to check the page.
    pub check_path: bool,
    /// The width it was drawn at.
    pub width: u32,
}

/// The blank border around the QR code, in modules (the QR standard asks for four).
const QUIET_ZONE: u32 = 4;

/// Draws `code` as a PNG `width` pixels square: the QR code of its scene, scaled to fit, with
/// its scene, page and AppID as `tEXt` chunks (keywords `scene`, `page`, `appid`).
pub fn png(code: &IssuedWxaCode) -> Vec<u8> {
    let width = code.width.max(1);
    let pixels = qr_pixels(&code.scene, width);
    let mut out = Vec::with_capacity(pixels.len() + 1024);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&width.to_be_bytes());
    // Bit depth 1, grayscale, deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[1, 0, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    for (keyword, text) in [("scene", &code.scene), ("page", &code.page), ("appid", &code.app_id)] {
        let mut data = Vec::with_capacity(keyword.len() + 1 + text.len());
        data.extend_from_slice(keyword.as_bytes());
        data.push(0);
        data.extend_from_slice(text.as_bytes());
        chunk(&mut out, b"tEXt", &data);
    }
    chunk(&mut out, b"IDAT", &zlib_stored(&pixels));
    chunk(&mut out, b"IEND", &[]);
    out
}

/// The image's scanlines: each a filter byte (0, none) and `width` 1-bit pixels, 1 white and
/// 0 black, the QR code scaled by a whole number and centred.
fn qr_pixels(scene: &str, width: u32) -> Vec<u8> {
    // A scene is at most 32 characters: it always fits. Should it not, the code is blank.
    let qr = QrCode::encode_text(scene, QrCodeEcc::Medium).ok();
    let modules = qr.as_ref().map_or(0, |qr| u32::try_from(qr.size()).unwrap_or(0));
    let span = modules + 2 * QUIET_ZONE;
    let scale = (width / span).max(1);
    let offset = width.saturating_sub(modules * scale) / 2;
    let row_bytes = width.div_ceil(8) as usize;
    let mut pixels = Vec::with_capacity((row_bytes + 1) * width as usize);
    for y in 0..width {
        pixels.push(0);
        let mut row = vec![0xffu8; row_bytes];
        for x in 0..width {
            let dark = qr.as_ref().is_some_and(|qr| {
                let (mx, my) = (x.wrapping_sub(offset) / scale, y.wrapping_sub(offset) / scale);
                x >= offset
                    && y >= offset
                    && mx < modules
                    && my < modules
                    && qr.get_module(mx as i32, my as i32)
            });
            if dark {
                row[(x / 8) as usize] &= !(0x80 >> (x % 8));
            }
        }
        pixels.extend_from_slice(&row);
    }
    pixels
}

/// Appends a PNG chunk: length, type, data, CRC-32 of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = Crc32::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finish().to_be_bytes());
}

/// A zlib stream of `data` in uncompressed (stored) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    const BLOCK: usize = 65_535;
    let mut out = Vec::with_capacity(data.len() + data.len() / BLOCK * 5 + 16);
    // CMF: deflate, 32 KiB window; FLG: no dictionary, check bits making CMF·256+FLG a multiple
    // of 31.
    out.extend_from_slice(&[0x78, 0x01]);
    let mut blocks = data.chunks(BLOCK).peekable();
    if blocks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        let last = u8::from(blocks.peek().is_none());
        let len = block.len() as u16;
        out.push(last);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

/// CRC-32 (ISO 3309, as PNG uses it), bit by bit: the simulator's images are small.
struct Crc32(u32);

impl Crc32 {
    fn new() -> Self {
        Self(0xffff_ffff)
    }

    fn update(&mut self, data: &[u8]) {
        for &byte in data {
            self.0 ^= u32::from(byte);
            for _ in 0..8 {
                self.0 = if self.0 & 1 == 1 { (self.0 >> 1) ^ 0xedb8_8320 } else { self.0 >> 1 };
            }
        }
    }

    fn finish(&self) -> u32 {
        !self.0
    }
}

/// Reads the `tEXt` chunk `keyword` of a PNG, checking the signature and every chunk's CRC on
/// the way: what a test does to learn the scene of a code from its image.
pub fn png_text(png: &[u8], keyword: &str) -> Option<String> {
    let mut rest = png.strip_prefix(b"\x89PNG\r\n\x1a\n")?;
    while rest.len() >= 12 {
        let len = u32::from_be_bytes(rest[..4].try_into().ok()?) as usize;
        let kind = rest.get(4..8)?;
        let data = rest.get(8..8 + len)?;
        let crc = u32::from_be_bytes(rest.get(8 + len..12 + len)?.try_into().ok()?);
        let mut expected = Crc32::new();
        expected.update(kind);
        expected.update(data);
        if expected.finish() != crc {
            return None;
        }
        if kind == b"tEXt"
            && let Some((key, text)) = data.split_at_checked(keyword.len())
            && key == keyword.as_bytes()
            && let Some(text) = text.strip_prefix(&[0])
        {
            return String::from_utf8(text.to_vec()).ok();
        }
        rest = &rest[12 + len..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(scene: &str, width: u32) -> IssuedWxaCode {
        IssuedWxaCode {
            app_id: "wx4f4bc4dec97d474b".into(),
            scene: scene.into(),
            page: "pages/qrlogin/index".into(),
            env_version: "release".into(),
            check_path: true,
            width,
        }
    }

    #[test]
    fn the_crc_and_adler_checksums_are_the_standard_ones() {
        let mut crc = Crc32::new();
        crc.update(b"123456789");
        assert_eq!(crc.finish(), 0xcbf4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        assert_eq!(adler32(b""), 1);
    }

    #[test]
    fn the_image_carries_its_scene_page_and_appid() {
        let png = png(&code("q=Ab3-_~!", 430));
        assert_eq!(png_text(&png, "scene").as_deref(), Some("q=Ab3-_~!"));
        assert_eq!(png_text(&png, "page").as_deref(), Some("pages/qrlogin/index"));
        assert_eq!(png_text(&png, "appid").as_deref(), Some("wx4f4bc4dec97d474b"));
        assert_eq!(png_text(&png, "other"), None);
        // Tens of KiB, like WeChat's codes.
        assert!((10_000..64_000).contains(&png.len()), "{} bytes", png.len());
        let mut corrupt = png.clone();
        let at = png.windows(6).position(|w| w == b"scene\0").expect("scene chunk") + 6;
        corrupt[at] = b'x';
        assert_eq!(png_text(&corrupt, "scene"), None, "a corrupt chunk fails its CRC");
    }

    #[test]
    fn the_header_and_pixels_are_those_of_the_requested_width() {
        let png = png(&code("abc", 280));
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(&png[16..20], &280u32.to_be_bytes());
        assert_eq!(&png[20..24], &280u32.to_be_bytes());
        let pixels = qr_pixels("abc", 280);
        assert_eq!(pixels.len(), (35 + 1) * 280);
        // Every scanline starts with filter 0; the corners are quiet (white), the finder pattern
        // at the top left is dark.
        assert!(pixels.chunks(36).all(|row| row[0] == 0));
        assert_eq!(pixels[1], 0xff);
        let qr = QrCode::encode_text("abc", QrCodeEcc::Medium).expect("fits");
        let span = u32::try_from(qr.size()).expect("size") + 2 * QUIET_ZONE;
        let scale = 280 / span;
        let offset = (280 - u32::try_from(qr.size()).expect("size") * scale) / 2;
        let (x, y) = (offset + scale / 2, offset + scale / 2);
        let byte = pixels[(y * 36 + 1 + x / 8) as usize];
        assert_eq!(byte & (0x80 >> (x % 8)), 0, "the finder's corner module is black");
    }

    #[test]
    fn long_data_is_split_into_stored_blocks() {
        let data = vec![7u8; 200_000];
        let stream = zlib_stored(&data);
        assert_eq!(stream.len(), 2 + 4 * 5 + 200_000 + 4);
        assert_eq!(stream[2], 0, "first block not final");
        let last = 2 + 3 * (5 + 65_535);
        assert_eq!(stream[last], 1, "last block final");
        assert_eq!(u16::from_le_bytes([stream[last + 1], stream[last + 2]]), 3395);
        assert_eq!(zlib_stored(&[]), vec![0x78, 0x01, 1, 0, 0, 0xff, 0xff, 0, 0, 0, 1]);
    }
}
