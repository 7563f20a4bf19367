//! QR codes for certificate verification links, as inline SVG (no image files to serve).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code for `url`, sized by CSS; empty if the URL is too long for a QR code.
pub fn svg(url: &str) -> String {
    match QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M) {
        Ok(code) => code
            .render::<svg::Color<'_>>()
            .min_dimensions(160, 160)
            .quiet_zone(true)
            .dark_color(svg::Color("#1d2733"))
            .light_color(svg::Color("#ffffff"))
            .build(),
        Err(_) => String::new(),
    }
}

/// The absolute URL of a certificate's public verification page. `base` is the configured
/// public address; without one, the address the request came to.
pub fn verify_url(base: Option<&str>, host: Option<&str>, number: &str) -> String {
    let base = match base {
        Some(base) => base.trim_end_matches('/').to_owned(),
        None => format!("http://{}", host.unwrap_or("127.0.0.1:8080")),
    };
    format!("{base}/verify/{number}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_links_use_the_public_address_when_configured() {
        assert_eq!(
            verify_url(
                Some("https://anpei.example.cn/"),
                Some("10.0.0.5:8080"),
                "T230100-2026-000001"
            ),
            "https://anpei.example.cn/verify/T230100-2026-000001"
        );
        assert_eq!(
            verify_url(None, Some("127.0.0.1:9000"), "X"),
            "http://127.0.0.1:9000/verify/X"
        );
    }

    #[test]
    fn a_qr_code_is_an_svg_document() {
        let svg = svg("http://127.0.0.1:8080/verify/T230100-2026-000001");
        assert!(svg.contains("<svg"));
        assert!(svg.contains("</svg>"));
    }
}
