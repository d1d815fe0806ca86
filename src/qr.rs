//! QR codes for printouts: every article's absolute address as an SVG, made at build time.
//!
//! A teacher scans the code on a handout or on the wall sheet beside the classroom display and
//! lands on the how-to. The code is drawn here by the `qrcode` crate: nothing is fetched, and
//! nothing runs in the browser. It needs `base_url` as a full web address (`https://…`), because
//! a phone's camera knows no relative links.

use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

/// The file name of an article's QR code, beside its `index.html`.
pub const FILE: &str = "qr.svg";

/// The white border scanners need around a code, in modules (ISO/IEC 18004 asks for four).
const QUIET_ZONE: usize = 4;

/// The address a QR code leads to: `base_url` (normalised, ending in `/`) joined with a page's
/// `url`; `None` unless `base_url` is a full `http(s)://` address.
pub fn address(base_url: Option<&str>, url: &str) -> Option<String> {
    let base = base_url?;
    (base.starts_with("https://") || base.starts_with("http://")).then(|| format!("{base}{url}"))
}

/// `address` as a QR code in SVG, black on white with its quiet zone. Error correction level M
/// survives a creased or slightly dirty printout. Each row's dark runs are one path segment, which
/// keeps the file near 2 kB (the offline cache holds one per article).
pub fn svg(address: &str) -> String {
    // Only an address of several kilobytes is too long for a QR code; a build never makes one.
    let Ok(code) = QrCode::with_error_correction_level(address.as_bytes(), EcLevel::M) else {
        return String::new();
    };
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let mut path = String::new();
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Light {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            let _ = write!(path, "M{} {}h{}v1h-{}z", start + QUIET_ZONE, y + QUIET_ZONE, x - start, x - start);
        }
    }
    let pixels = size * 4;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{pixels}\" height=\"{pixels}\" viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_full_web_address_gets_qr_codes() {
        assert_eq!(
            address(Some("https://hilfe.schule.example/"), "ipad/wlan/").as_deref(),
            Some("https://hilfe.schule.example/ipad/wlan/")
        );
        assert_eq!(address(Some("/hilfe/"), "ipad/wlan/"), None);
        assert_eq!(address(None, "ipad/wlan/"), None);
    }

    #[test]
    fn the_svg_is_a_self_contained_image_that_depends_on_the_address() {
        let image = svg("https://hilfe.schule.example/ipad/wlan/");
        assert!(image.contains("<svg") && image.contains("viewBox"), "{image}");
        assert!(!image.contains("href") && !image.contains("<script"), "{image}");
        assert_eq!(image, svg("https://hilfe.schule.example/ipad/wlan/"), "reproducible builds");
        assert_ne!(image, svg("https://hilfe.schule.example/ipad/wlam/"));
    }
}
