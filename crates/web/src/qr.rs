//! QR codes for certificate verification links, as inline SVG (no image files to serve).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::security::PublicUrl;

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

/// The absolute URL of a certificate's public verification page, on the configured public
/// address: never on the address a request names in its `Host` header, which the client
/// writes (a printed certificate would carry the attacker's link for good). It carries the
/// certificate's verification token (URL-safe already), which shows the holder's details
/// there (issue 13); the number alone shows the status only.
pub fn verify_url(public: &PublicUrl, number: &str, token: &str) -> String {
    public.join(&format!("/verify/{number}?t={token}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verification_links_use_the_public_address() {
        let public = PublicUrl::parse("https://anpei.example.cn/").unwrap();
        assert_eq!(
            verify_url(&public, "T230100-2026-000001", "AbC-_9"),
            "https://anpei.example.cn/verify/T230100-2026-000001?t=AbC-_9"
        );
    }

    #[test]
    fn a_qr_code_is_an_svg_document() {
        let svg = svg("http://127.0.0.1:8080/verify/T230100-2026-000001");
        assert!(svg.contains("<svg"));
        assert!(svg.contains("</svg>"));
    }
}
