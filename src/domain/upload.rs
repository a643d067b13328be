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
        MediaType::Jpeg => check_jpeg(bytes)?,
        MediaType::Png => check_png(bytes)?,
        MediaType::Pdf => check_pdf(bytes)?,
    }
    Ok(media_type)
}

/// Markup a browser would render or run, in any letter case, in ASCII/UTF-8 or UTF-16 (either
/// byte order). Markers are long enough that compressed image data does not produce them by
/// chance.
fn contains_markup(bytes: &[u8]) -> bool {
    const MARKERS: [&[u8]; 11] = [
        b"<script",
        b"<html",
        b"<svg",
        b"<!doctype",
        b"<iframe",
        b"<body",
        b"<object",
        b"<embed",
        b"<meta",
        b"javascript:",
        b"onerror=",
    ];
    // Only positions holding a marker's first byte are compared, without allocating.
    let matches_at = |i: usize, marker: &[u8], stride: usize, offset: usize| {
        marker.iter().enumerate().all(|(k, m)| {
            let at = i + k * stride;
            let zero_ok = stride == 1
                || bytes.get(at + if offset == 0 { 1 } else { 0 }).copied() == Some(0)
                    && at >= offset;
            bytes.get(at).is_some_and(|b| b.eq_ignore_ascii_case(m)) && zero_ok
        })
    };
    (0..bytes.len()).any(|i| {
        let b = bytes[i];
        if b != b'<' && b != b'j' && b != b'J' && b != b'o' && b != b'O' {
            return false;
        }
        MARKERS.iter().any(|m| {
            m[0].eq_ignore_ascii_case(&b)
                && (matches_at(i, m, 1, 0)
                    // UTF-16LE: the character, then a zero byte.
                    || matches_at(i, m, 2, 0)
                    // UTF-16BE: a zero byte, then the character.
                    || (i > 0 && matches_at(i, m, 2, 1)))
        })
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A JPEG walked segment by segment from its start-of-image marker to its end-of-image marker;
/// after that, encoders may pad with zero bytes or line ends, nothing else. (Looking for the last
/// end marker instead would let anything ending in FF D9 ride along.)
fn check_jpeg(bytes: &[u8]) -> Result<(), UploadRefusal> {
    let mut at = 2;
    loop {
        if bytes.get(at) != Some(&0xFF) {
            return Err(UploadRefusal::Truncated);
        }
        while bytes.get(at) == Some(&0xFF) {
            at += 1;
        }
        let marker = *bytes.get(at).ok_or(UploadRefusal::Truncated)?;
        at += 1;
        match marker {
            0xD9 => break,
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let length = match bytes.get(at..at + 2) {
            Some(&[hi, lo]) => usize::from(hi) << 8 | usize::from(lo),
            _ => return Err(UploadRefusal::Truncated),
        };
        if length < 2 || at + length > bytes.len() {
            return Err(UploadRefusal::Truncated);
        }
        at += length;
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is neither a stuffed FF 00 nor a
            // restart marker.
            loop {
                match (bytes.get(at), bytes.get(at + 1)) {
                    (Some(0xFF), Some(0x00 | 0xD0..=0xD7)) => at += 2,
                    (Some(0xFF), Some(_)) => break,
                    (Some(_), _) => at += 1,
                    (None, _) => return Err(UploadRefusal::Truncated),
                }
            }
        }
    }
    if bytes[at..]
        .iter()
        .all(|&b| b == 0 || b == b'\n' || b == b'\r')
    {
        Ok(())
    } else {
        Err(UploadRefusal::TrailingData)
    }
}

/// A PNG walked chunk by chunk to its IEND chunk, which must be the end of the file.
fn check_png(bytes: &[u8]) -> Result<(), UploadRefusal> {
    let mut at = 8;
    loop {
        let header = bytes.get(at..at + 8).ok_or(UploadRefusal::Truncated)?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = &header[4..8];
        let end = at
            .checked_add(12)
            .and_then(|n| n.checked_add(length))
            .filter(|&n| n <= bytes.len())
            .ok_or(UploadRefusal::Truncated)?;
        at = end;
        if kind == b"IEND" {
            break;
        }
    }
    if at == bytes.len() {
        Ok(())
    } else {
        Err(UploadRefusal::TrailingData)
    }
}

/// PDF names that run code, open other things or carry files. Compared after decoding `#xx`
/// escapes, so `/J#61vaScript` is `/JavaScript`.
const ACTIVE_PDF_NAMES: [&[u8]; 13] = [
    b"JavaScript",
    b"JS",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"OpenAction",
    b"AA",
    b"RichMedia",
    b"SubmitForm",
    b"ImportData",
    b"XFA",
    b"GoToR",
    b"GoToE",
];

/// Streams are inflated to look inside (object streams can hold any dictionary); this much in
/// all at most, so a small "zip bomb" cannot take the server's memory.
const PDF_INFLATE_LIMIT: usize = 64 * 1024 * 1024;

/// A PDF ends with `%%EOF` (plus line ends) and carries no active content, neither in its
/// objects nor inside compressed streams.
fn check_pdf(bytes: &[u8]) -> Result<(), UploadRefusal> {
    if has_active_name(bytes) {
        return Err(UploadRefusal::ActivePdf);
    }
    let mut budget = PDF_INFLATE_LIMIT;
    for data in pdf_streams(bytes) {
        // Not every stream is compressed with Flate (images are often DCT); those that are not
        // stay as they are and were scanned above.
        let inflated = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(data, budget);
        match inflated {
            Ok(plain) => {
                budget -= plain.len();
                if has_active_name(&plain) || contains_markup(&plain) {
                    return Err(UploadRefusal::ActivePdf);
                }
            }
            Err(e) if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                return Err(UploadRefusal::ActivePdf);
            }
            Err(_) => {}
        }
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

/// Whether any PDF name (`/Name`, with `#xx` escapes decoded) is one of the active ones.
fn has_active_name(bytes: &[u8]) -> bool {
    let is_delimiter = |b: u8| b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b);
    let mut i = 0;
    let mut name = Vec::with_capacity(32);
    while i < bytes.len() {
        if bytes[i] != b'/' {
            i += 1;
            continue;
        }
        i += 1;
        name.clear();
        while i < bytes.len() && !is_delimiter(bytes[i]) && name.len() < 64 {
            if bytes[i] == b'#'
                && let Some(decoded) = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                name.push(decoded);
                i += 3;
                continue;
            }
            name.push(bytes[i]);
            i += 1;
        }
        if ACTIVE_PDF_NAMES.iter().any(|active| name == *active) {
            return true;
        }
    }
    false
}

/// The raw data of each `stream … endstream` in the file.
fn pdf_streams(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = find(&bytes[at..], b"stream")? + at + b"stream".len();
        let start = match bytes.get(start..start + 2) {
            Some(b"\r\n") => start + 2,
            Some([b'\n', _]) | Some([b'\r', _]) => start + 1,
            _ => start,
        };
        let end = find(&bytes[start..], b"endstream").map(|e| e + start)?;
        at = end + b"endstream".len();
        Some(&bytes[start..end])
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
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

    /// A structurally sound JPEG: start, a JFIF header, a scan whose data is `body`, the end.
    fn jpeg(body: &[u8]) -> Vec<u8> {
        [
            b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00".as_slice(),
            b"\xFF\xDA\x00\x08\x01\x01\x00\x00\x3F\x00",
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
    fn structure_is_walked_not_guessed() {
        // Anything glued after the end of the image, even when it ends in FF D9 itself.
        let tail_with_eoi = [jpeg(b"x"), b"Rar!\x1a\x07 payload \xFF\xD9".to_vec()].concat();
        assert_eq!(inspect(&tail_with_eoi), Err(UploadRefusal::TrailingData));
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\0IEND\xAE\x42\x60\x82";
        let png_tail = [png.as_slice(), b"7z\xBC\xAF more", b"IEND\xAE\x42\x60\x82"].concat();
        assert_eq!(inspect(&png_tail), Err(UploadRefusal::TrailingData));
        // A segment length running past the end.
        assert_eq!(
            inspect(b"\xFF\xD8\xFF\xE0\x40\x00JFIF"),
            Err(UploadRefusal::Truncated)
        );
    }

    #[test]
    fn pdf_tricks_are_seen_through() {
        for hidden in [
            b"/OpenAction << /S /J#61vaScript /JS (x) >>".as_slice(),
            b"/AA << /O << /S /Launch >> >>",
            b"/AcroForm << /XFA 5 0 R >>",
            b"/Type /Action /S /SubmitForm",
        ] {
            assert_eq!(
                inspect(&pdf(hidden)),
                Err(UploadRefusal::ActivePdf),
                "{hidden:?}"
            );
        }
        // Inside a compressed object stream.
        let hidden = miniz_oxide::deflate::compress_to_vec_zlib(
            b"<< /S /JavaScript /JS (app.alert(1)) >>",
            6,
        );
        let body = [
            b"1 0 obj << /Type /ObjStm /Filter /FlateDecode >>\nstream\n".as_slice(),
            &hidden,
            b"\nendstream\nendobj",
        ]
        .concat();
        assert_eq!(inspect(&pdf(&body)), Err(UploadRefusal::ActivePdf));
        // A plain compressed page is fine, and so are names that merely start alike.
        let page = miniz_oxide::deflate::compress_to_vec_zlib(b"BT /F1 12 Tf (Kartu) Tj ET", 6);
        let body = [
            b"/JSomething 1 /AAA 2\n4 0 obj << /Filter /FlateDecode >>\nstream\n".as_slice(),
            &page,
            b"\nendstream\nendobj",
        ]
        .concat();
        assert_eq!(inspect(&pdf(&body)), Ok(MediaType::Pdf));
    }

    #[test]
    fn markup_in_utf16_is_markup_too() {
        let utf16: Vec<u8> = "<script>"
            .encode_utf16()
            .flat_map(|c| c.to_le_bytes())
            .collect();
        assert_eq!(inspect(&jpeg(&utf16)), Err(UploadRefusal::ActiveContent));
        let utf16be: Vec<u8> = "<SVG onload"
            .encode_utf16()
            .flat_map(|c| c.to_be_bytes())
            .collect();
        assert_eq!(inspect(&jpeg(&utf16be)), Err(UploadRefusal::ActiveContent));
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
