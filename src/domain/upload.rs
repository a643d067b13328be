//! What a customer's uploaded file really is, decided from its bytes alone.
//!
//! A file is kept only when it is a plain JPEG, PNG or PDF from its first byte to its last: the
//! declared type and the name are ignored. Anything a browser could be talked into running (HTML,
//! SVG, script) is refused even when it hides inside an image or a PDF, and so are archives glued
//! to the end of an image (polyglots) and PDFs that carry scripts, launch actions or attachments.

use super::document::MediaType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UploadRefusal {
    #[error("the file is empty")]
    Empty,
    #[error("only JPEG, PNG or PDF files are accepted (this file is none of them)")]
    NotAllowedKind,
    #[error("the file contains web page or script content, which is not accepted")]
    ActiveContent,
    #[error("the file has something else attached to it (for example an archive)")]
    TrailingData,
    #[error("the PDF contains scripts, actions or attached files, which are not accepted")]
    ActivePdf,
    #[error("the file is damaged or incomplete")]
    Truncated,
}

/// Inspects a complete upload and names its media type, or says why it is refused.
pub fn inspect(bytes: &[u8]) -> Result<MediaType, UploadRefusal> {
    if bytes.is_empty() {
        return Err(UploadRefusal::Empty);
    }
    let media_type = MediaType::sniff(bytes).ok_or(UploadRefusal::NotAllowedKind)?;
    if contains_markup(bytes) {
        return Err(UploadRefusal::ActiveContent);
    }
    if contains(bytes, b"PK\x03\x04") || contains(bytes, b"PK\x05\x06") {
        return Err(UploadRefusal::TrailingData);
    }
    match media_type {
        MediaType::Jpeg => check_jpeg_end(bytes)?,
        MediaType::Png => check_png_end(bytes)?,
        MediaType::Pdf => check_pdf(bytes)?,
    }
    Ok(media_type)
}

/// Markup a browser would render or run, in any letter case.
fn contains_markup(bytes: &[u8]) -> bool {
    const MARKERS: [&[u8]; 8] = [
        b"<script",
        b"<html",
        b"<svg",
        b"<!doctype",
        b"<iframe",
        b"<body",
        b"<object",
        b"javascript:",
    ];
    // One pass over lower-cased windows would allocate; the markers all start with '<' or 'j',
    // so only those positions are compared.
    bytes.iter().enumerate().any(|(i, &b)| {
        (b == b'<' || b == b'j' || b == b'J')
            && MARKERS.iter().any(|m| {
                bytes
                    .get(i..i + m.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(m))
            })
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A JPEG ends with its end-of-image marker; encoders may pad with zero bytes, nothing else.
fn check_jpeg_end(bytes: &[u8]) -> Result<(), UploadRefusal> {
    let end = bytes
        .windows(2)
        .rposition(|w| w == [0xFF, 0xD9])
        .ok_or(UploadRefusal::Truncated)?;
    if bytes[end + 2..]
        .iter()
        .all(|&b| b == 0 || b == b'\n' || b == b'\r')
    {
        Ok(())
    } else {
        Err(UploadRefusal::TrailingData)
    }
}

/// A PNG ends with its IEND chunk (type and CRC).
fn check_png_end(bytes: &[u8]) -> Result<(), UploadRefusal> {
    const IEND: &[u8] = b"IEND\xAE\x42\x60\x82";
    let end = bytes
        .windows(IEND.len())
        .rposition(|w| w == IEND)
        .ok_or(UploadRefusal::Truncated)?;
    if end + IEND.len() == bytes.len() {
        Ok(())
    } else {
        Err(UploadRefusal::TrailingData)
    }
}

/// A PDF ends with `%%EOF` (plus line ends) and must not carry active content.
fn check_pdf(bytes: &[u8]) -> Result<(), UploadRefusal> {
    const ACTIVE: [&[u8]; 6] = [
        b"/JavaScript",
        b"/JS",
        b"/Launch",
        b"/EmbeddedFile",
        b"/OpenAction",
        b"/RichMedia",
    ];
    if ACTIVE.iter().any(|m| contains(bytes, m)) {
        return Err(UploadRefusal::ActivePdf);
    }
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let trimmed = tail
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map(|i| &tail[..=i])
        .unwrap_or_default();
    if trimmed.ends_with(b"%%EOF") {
        Ok(())
    } else if contains(bytes, b"%%EOF") {
        Err(UploadRefusal::TrailingData)
    } else {
        Err(UploadRefusal::Truncated)
    }
}

/// The name the customer's computer gave the file, made safe to show: no path, no control
/// characters, nothing but letters, digits and a few separators, at most 80 characters. It is
/// display text only; nothing is ever decided from it.
pub fn display_name(original: &str, media_type: MediaType) -> String {
    let base = original.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let cleaned = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if cleaned.is_empty() || cleaned.chars().all(|c| c == '_') {
        format!("document.{}", media_type.extension())
    } else {
        cleaned.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(body: &[u8]) -> Vec<u8> {
        [
            b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00".as_slice(),
            body,
            b"\xFF\xD9",
        ]
        .concat()
    }

    fn pdf(body: &[u8]) -> Vec<u8> {
        [b"%PDF-1.4\n".as_slice(), body, b"\n%%EOF\n"].concat()
    }

    #[test]
    fn plain_files_pass() {
        assert_eq!(inspect(&jpeg(b"pixels")), Ok(MediaType::Jpeg));
        assert_eq!(inspect(&pdf(b"1 0 obj << >> endobj")), Ok(MediaType::Pdf));
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\0IEND\xAE\x42\x60\x82";
        assert_eq!(inspect(png), Ok(MediaType::Png));
    }

    #[test]
    fn names_and_declared_types_do_not_matter_only_bytes() {
        assert_eq!(inspect(b""), Err(UploadRefusal::Empty));
        assert_eq!(
            inspect(b"<html><script>alert(1)</script></html>"),
            Err(UploadRefusal::NotAllowedKind)
        );
        assert_eq!(
            inspect(b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>"),
            Err(UploadRefusal::NotAllowedKind)
        );
        assert_eq!(
            inspect(b"PK\x03\x04zip"),
            Err(UploadRefusal::NotAllowedKind)
        );
        assert_eq!(
            inspect(b"MZ\x90\x00exe"),
            Err(UploadRefusal::NotAllowedKind)
        );
    }

    #[test]
    fn polyglots_are_refused() {
        assert_eq!(
            inspect(&jpeg(b"comment <ScRiPt>alert(1)</script>")),
            Err(UploadRefusal::ActiveContent)
        );
        let with_zip = [jpeg(b"x"), b"PK\x03\x04payload".to_vec()].concat();
        assert_eq!(inspect(&with_zip), Err(UploadRefusal::TrailingData));
        let with_tail = [jpeg(b"x"), b"more stuff".to_vec()].concat();
        assert_eq!(inspect(&with_tail), Err(UploadRefusal::TrailingData));
        assert_eq!(
            inspect(&pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")),
            Err(UploadRefusal::ActivePdf)
        );
        assert_eq!(
            inspect(b"\xFF\xD8\xFF\xE0 cut off"),
            Err(UploadRefusal::Truncated)
        );
    }

    #[test]
    fn display_names_are_tamed() {
        assert_eq!(
            display_name("C:\\Users\\x\\ktp scan (1).jpg", MediaType::Jpeg),
            "ktp scan (1).jpg"
        );
        assert_eq!(
            display_name("../../etc/<img src=x onerror=alert(1)>.png", MediaType::Png),
            "_img src_x onerror_alert(1)_.png"
        );
        assert_eq!(display_name("\u{202e}gpj.exe", MediaType::Jpeg), "_gpj.exe");
        assert_eq!(display_name("", MediaType::Pdf), "document.pdf");
        assert_eq!(display_name("...", MediaType::Pdf), "document.pdf");
        assert!(
            display_name(&"a".repeat(500), MediaType::Pdf)
                .chars()
                .count()
                <= 80
        );
    }
}
