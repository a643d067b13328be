//! What a customer's uploaded file really is, decided from its bytes alone.
//!
//! A file is kept only when it is a plain JPEG, PNG or PDF from its first byte to its last: the
//! declared type and the name are ignored. Anything a browser could be talked into running (HTML,
//! SVG, script) is refused even when it hides inside an image or a PDF, and so are archives glued
//! to the end of an image (polyglots) and PDFs that carry scripts, launch actions or attachments.
//!
//! Inspection is bounded: every byte a PDF's streams decode to is charged to a [`Budget`]
//! (whether the stream turns out whole or broken), and the work stops at the budget's deadline,
//! so a hostile file costs a known, small amount of time and memory.

mod decode;
mod pdf;

use std::time::{Duration, Instant};

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
    #[error(
        "the PDF is encrypted or uses an encoding that cannot be checked; print it to a new PDF \
         or send a photo instead"
    )]
    UncheckablePdf,
    #[error("the PDF expands to too much data to be checked; send a smaller file or a photo")]
    Overlarge,
    #[error("the file took too long to check; send a simpler file or a photo")]
    TooSlow,
}

impl UploadRefusal {
    /// The message saying it (`locales/*/errors.ftl`).
    pub fn message_id(self) -> &'static str {
        match self {
            UploadRefusal::Empty => "refusal-empty",
            UploadRefusal::NotAllowedKind => "refusal-not-allowed-kind",
            UploadRefusal::ActiveContent => "refusal-active-content",
            UploadRefusal::TrailingData => "refusal-trailing-data",
            UploadRefusal::ActivePdf => "refusal-active-pdf",
            UploadRefusal::Truncated => "refusal-truncated",
            UploadRefusal::UncheckablePdf => "refusal-uncheckable-pdf",
            UploadRefusal::Overlarge => "refusal-overlarge",
            UploadRefusal::TooSlow => "refusal-too-slow",
        }
    }
}

/// What inspecting one file may spend.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Bytes all of a PDF's streams may decode to, together.
    pub decoded_bytes: usize,
    /// When the inspection gives up (and refuses the file).
    pub deadline: Instant,
}

impl Budget {
    /// Streams are decoded to look inside (object streams can hold any dictionary); this much
    /// in all at most, so a small "zip bomb" cannot take the server's memory.
    pub const DECODED_BYTES: usize = 64 * 1024 * 1024;

    /// The default budget, with `time` from now. (Reading the clock is the one thing here that
    /// is not pure: the deadline is what stops a blocking thread that no timeout can stop.)
    pub fn for_time(time: Duration) -> Budget {
        Budget {
            decoded_bytes: Budget::DECODED_BYTES,
            deadline: Instant::now() + time,
        }
    }
}

/// The budget as it is spent.
pub struct Meter {
    left: usize,
    spent: usize,
    deadline: Instant,
}

impl Meter {
    fn new(bytes: usize, deadline: Instant) -> Meter {
        Meter {
            left: bytes,
            spent: 0,
            deadline,
        }
    }

    /// Pays for bytes produced; refuses once the budget is passed.
    fn charge(&mut self, bytes: usize) -> Result<(), UploadRefusal> {
        self.spent += bytes;
        self.left = self
            .left
            .checked_sub(bytes)
            .ok_or(UploadRefusal::Overlarge)?;
        Ok(())
    }

    fn check_clock(&self) -> Result<(), UploadRefusal> {
        if Instant::now() >= self.deadline {
            Err(UploadRefusal::TooSlow)
        } else {
            Ok(())
        }
    }

    #[cfg(test)]
    fn spent(&self) -> usize {
        self.spent
    }
}

/// Inspects a complete upload and names its media type, or says why it is refused. CPU-bound:
/// callers run it off the async workers.
pub fn inspect(bytes: &[u8], budget: Budget) -> Result<MediaType, UploadRefusal> {
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
        MediaType::Pdf => check_pdf(
            bytes,
            &mut Meter::new(budget.decoded_bytes, budget.deadline),
        )?,
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

/// Names that mean a PDF's content cannot be decoded here: encryption and the filters that
/// are neither Flate nor image-only. Looked for in the file's own bytes as well as in each
/// stream's dictionary, so that no way of hiding a dictionary from the stream walk helps.
const UNCHECKABLE_PDF_NAMES: [&[u8]; 6] = [
    b"Encrypt",
    b"Crypt",
    b"ASCIIHexDecode",
    b"ASCII85Decode",
    b"LZWDecode",
    b"RunLengthDecode",
];

/// A PDF ends with `%%EOF` (plus line ends) and carries no active content, neither in its
/// objects nor inside its streams, each decoded completely (see `pdf`).
fn check_pdf(bytes: &[u8], meter: &mut Meter) -> Result<(), UploadRefusal> {
    if has_name(bytes, &ACTIVE_PDF_NAMES) {
        return Err(UploadRefusal::ActivePdf);
    }
    if has_name(bytes, &UNCHECKABLE_PDF_NAMES) {
        return Err(UploadRefusal::UncheckablePdf);
    }
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let trimmed = tail
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map(|i| &tail[..=i])
        .unwrap_or_default();
    if !trimmed.ends_with(b"%%EOF") {
        return Err(if contains(bytes, b"%%EOF") {
            UploadRefusal::TrailingData
        } else {
            UploadRefusal::Truncated
        });
    }
    pdf::check_streams(bytes, meter)
}

/// Whether any PDF name (`/Name`, with `#xx` escapes decoded) is one of the active ones.
fn has_active_name(bytes: &[u8]) -> bool {
    has_name(bytes, &ACTIVE_PDF_NAMES)
}

/// Whether any PDF name (`/Name`, with `#xx` escapes decoded) is one of `names`.
fn has_name(bytes: &[u8], names: &[&[u8]]) -> bool {
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
        if names.iter().any(|wanted| name == *wanted) {
            return true;
        }
    }
    false
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

    fn check(bytes: &[u8]) -> Result<MediaType, UploadRefusal> {
        inspect(bytes, Budget::for_time(Duration::from_secs(30)))
    }

    /// `n 0 obj << /Length … dict >> stream data endstream endobj`, its length exact.
    fn stream(n: u32, dict: &str, data: &[u8]) -> Vec<u8> {
        [
            format!("{n} 0 obj\n<< /Length {} {dict} >>\nstream\n", data.len()).as_bytes(),
            data,
            b"\nendstream\nendobj\n",
        ]
        .concat()
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
    }

    fn pdf(body: &[u8]) -> Vec<u8> {
        [b"%PDF-1.4\n".as_slice(), body, b"\n%%EOF\n"].concat()
    }

    #[test]
    fn plain_files_pass() {
        assert_eq!(check(&jpeg(b"pixels")), Ok(MediaType::Jpeg));
        assert_eq!(check(&pdf(b"1 0 obj << >> endobj")), Ok(MediaType::Pdf));
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\0IEND\xAE\x42\x60\x82";
        assert_eq!(check(png), Ok(MediaType::Png));
    }

    #[test]
    fn names_and_declared_types_do_not_matter_only_bytes() {
        assert_eq!(check(b""), Err(UploadRefusal::Empty));
        assert_eq!(
            check(b"<html><script>alert(1)</script></html>"),
            Err(UploadRefusal::NotAllowedKind)
        );
        assert_eq!(
            check(b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>"),
            Err(UploadRefusal::NotAllowedKind)
        );
        assert_eq!(check(b"PK\x03\x04zip"), Err(UploadRefusal::NotAllowedKind));
        assert_eq!(check(b"MZ\x90\x00exe"), Err(UploadRefusal::NotAllowedKind));
    }

    #[test]
    fn polyglots_are_refused() {
        assert_eq!(
            check(&jpeg(b"comment <ScRiPt>alert(1)</script>")),
            Err(UploadRefusal::ActiveContent)
        );
        let with_zip = [jpeg(b"x"), b"PK\x03\x04payload".to_vec()].concat();
        assert_eq!(check(&with_zip), Err(UploadRefusal::TrailingData));
        let with_tail = [jpeg(b"x"), b"more stuff".to_vec()].concat();
        assert_eq!(check(&with_tail), Err(UploadRefusal::TrailingData));
        assert_eq!(
            check(&pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")),
            Err(UploadRefusal::ActivePdf)
        );
        assert_eq!(
            check(b"\xFF\xD8\xFF\xE0 cut off"),
            Err(UploadRefusal::Truncated)
        );
    }

    #[test]
    fn structure_is_walked_not_guessed() {
        // Anything glued after the end of the image, even when it ends in FF D9 itself.
        let tail_with_eoi = [jpeg(b"x"), b"Rar!\x1a\x07 payload \xFF\xD9".to_vec()].concat();
        assert_eq!(check(&tail_with_eoi), Err(UploadRefusal::TrailingData));
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\0IEND\xAE\x42\x60\x82";
        let png_tail = [png.as_slice(), b"7z\xBC\xAF more", b"IEND\xAE\x42\x60\x82"].concat();
        assert_eq!(check(&png_tail), Err(UploadRefusal::TrailingData));
        // A segment length running past the end.
        assert_eq!(
            check(b"\xFF\xD8\xFF\xE0\x40\x00JFIF"),
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
                check(&pdf(hidden)),
                Err(UploadRefusal::ActivePdf),
                "{hidden:?}"
            );
        }
        // Inside a compressed object stream.
        let hidden = zlib(b"<< /S /JavaScript /JS (app.alert(1)) >>");
        let body = stream(
            1,
            "/Type /ObjStm /N 1 /First 0 /Filter /FlateDecode",
            &hidden,
        );
        assert_eq!(check(&pdf(&body)), Err(UploadRefusal::ActivePdf));
        // A plain compressed page is fine, and so are names that merely start alike.
        let page = zlib(b"BT /F1 12 Tf (Kartu) Tj ET");
        let body = [
            b"/JSomething 1 /AAA 2\n".as_slice(),
            &stream(4, "/Filter /FlateDecode", &page),
        ]
        .concat();
        assert_eq!(check(&pdf(&body)), Ok(MediaType::Pdf));
    }

    /// What each PNG "Up" row of `data` would be encoded as (rows of `columns` bytes).
    fn png_up(data: &[u8], columns: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let mut previous = vec![0u8; columns];
        for row in data.chunks(columns) {
            out.push(2);
            out.extend(row.iter().zip(&previous).map(|(b, p)| b.wrapping_sub(*p)));
            previous[..row.len()].copy_from_slice(row);
        }
        out
    }

    /// RunLength literal runs of three bytes: the names never stand whole in the file.
    fn run_length(data: &[u8]) -> Vec<u8> {
        let mut out: Vec<u8> = data
            .chunks(3)
            .flat_map(|c| [&[c.len() as u8 - 1][..], c].concat())
            .collect();
        out.push(128);
        out
    }

    const JS: &[u8] = b"<< /S /JavaScript /JS (app.alert(1)) >>";

    #[test]
    fn encodings_that_cannot_be_decoded_here_are_refused_not_half_scanned() {
        let hex: String = JS.iter().map(|b| format!("{b:02x}")).collect();
        for (dict, data) in [
            ("/Filter /ASCIIHexDecode", hex.as_bytes().to_vec()),
            ("/Filter /AHx", hex.as_bytes().to_vec()),
            ("/Filter /ASCIIH#65xDecode", hex.as_bytes().to_vec()),
            ("/Filter /A85", b"87cURD]i,\"Ebo80~>".to_vec()),
            ("/Filter /ASCII85Decode", b"87cURD]i,\"Ebo80~>".to_vec()),
            ("/Filter /LZW", b"\x80\x0b\x60\x50".to_vec()),
            ("/Filter /LZWDecode", b"\x80\x0b\x60\x50".to_vec()),
            ("/Filter /RL", run_length(JS)),
            ("/Filter /RunLengthDecode", run_length(JS)),
            // Chains, even of Flate, and filters or parameters given by reference.
            (
                "/Filter [/FlateDecode /FlateDecode]",
                zlib(&zlib(&JS.repeat(20))),
            ),
            ("/Filter [/FlateDecode /AHx]", zlib(hex.as_bytes())),
            ("/Filter 9 0 R", zlib(&JS.repeat(20))),
            (
                "/Filter /FlateDecode /DecodeParms 9 0 R",
                zlib(&JS.repeat(20)),
            ),
            // Data in another file, an unknown filter, an image filter off an image.
            ("/F (payload.bin) /FFilter /FlateDecode", Vec::new()),
            ("/Filter /Made#55p", zlib(&JS.repeat(20))),
            ("/Filter /DCTDecode", jpeg(b"pixels")),
            // Looks like an image, but could be read as an object stream.
            (
                "/Type /XObject /Subtype /Image /N 1 /First 0 /Filter /DCTDecode",
                jpeg(b"pixels"),
            ),
            // An object stream in an encoding it cannot be read in.
            (
                "/Type /ObjStm /N 1 /First 0 /Filter /AHx",
                hex.as_bytes().to_vec(),
            ),
        ] {
            let file = pdf(&stream(1, dict, &data));
            assert_eq!(check(&file), Err(UploadRefusal::UncheckablePdf), "{dict}");
        }
        let encrypted = pdf(b"trailer << /Root 1 0 R /Encrypt 5 0 R >>");
        assert_eq!(check(&encrypted), Err(UploadRefusal::UncheckablePdf));
    }

    #[test]
    fn flate_streams_are_decoded_completely_before_they_are_scanned() {
        // A PNG predictor would otherwise hide the names; it is undone first.
        let predicted = zlib(&png_up(JS, 5));
        let dict = "/Type /ObjStm /N 1 /First 0 /Filter /FlateDecode \
                    /DecodeParms << /Predictor 12 /Columns 5 >>";
        assert_eq!(
            check(&pdf(&stream(1, dict, &predicted))),
            Err(UploadRefusal::ActivePdf)
        );
        // A one-element filter array with its parameters in an array is the same thing.
        let dict = "/Filter [/Fl] /DecodeParms [<< /Predictor 12 /Columns 5 >>]";
        assert_eq!(
            check(&pdf(&stream(1, dict, &predicted))),
            Err(UploadRefusal::ActivePdf)
        );
        // A stream that breaks off is damaged, whatever it held so far.
        let whole = zlib(b"BT (Kartu) Tj ET");
        let cut = &whole[..whole.len() - 6];
        assert_eq!(
            check(&pdf(&stream(1, "/Filter /FlateDecode", cut))),
            Err(UploadRefusal::Truncated)
        );
        // A length that disagrees with `endstream` would let a reader see other objects.
        let lying = pdf(b"1 0 obj << /Length 3 >>\nstream\nBT (x) Tj ET\nendstream\nendobj");
        assert_eq!(check(&lying), Err(UploadRefusal::Truncated));
        // `stream` inside a string or a comment is not a stream.
        let quoted = pdf(b"1 0 obj << /Title (x >> stream\n) >> endobj % >> stream\n");
        assert_eq!(check(&quoted), Ok(MediaType::Pdf));
    }

    #[test]
    fn ordinary_pdf_structures_pass() {
        // An object stream and a cross-reference stream with a PNG predictor and an indirect
        // length, as modern writers make them, and a JPEG image.
        let objects = zlib(b"2 0 3 40 << /Type /Pages /Kids [3 0 R] /Count 1 >> << /Type /Page >>");
        let xref = zlib(&png_up(&[1, 0, 15, 0, 2, 1, 0, 0, 2, 1, 1, 0], 4));
        let body = [
            stream(
                1,
                "/Type /ObjStm /N 2 /First 9 /Filter /FlateDecode",
                &objects,
            ),
            stream(
                4,
                "/Type /XObject /Subtype /Image /Width 1 /Height 1 /Filter /DCTDecode",
                &jpeg(b"pixels"),
            ),
            b"5 0 obj\n<< /Length 6 0 R /Filter /FlateDecode >>\nstream\n".to_vec(),
            zlib(b"BT (Kartu) Tj ET"),
            b"\nendstream\nendobj\n".to_vec(),
            format!("6 0 obj {} endobj\n", zlib(b"BT (Kartu) Tj ET").len()).into_bytes(),
            stream(
                7,
                "/Type /XRef /Size 8 /W [1 2 1] /Filter /FlateDecode \
                 /DecodeParms << /Columns 4 /Predictor 12 >>",
                &xref,
            ),
        ]
        .concat();
        assert_eq!(check(&pdf(&body)), Ok(MediaType::Pdf));
        let demo = crate::seed::pdf::proof_of_ownership(3);
        assert_eq!(check(&demo), Ok(MediaType::Pdf));
    }

    #[test]
    fn the_budget_bounds_bytes_and_time() {
        // Broken streams are paid for: a file of them does not decode for free.
        let bomb = zlib(&vec![0u8; 8 << 20]);
        let cut = &bomb[..bomb.len() - 4];
        let many: Vec<u8> = (1..=20)
            .flat_map(|n| stream(n, "/Filter /FlateDecode", cut))
            .collect();
        let small = Budget {
            decoded_bytes: 4 << 20,
            deadline: Instant::now() + Duration::from_secs(30),
        };
        assert_eq!(inspect(&pdf(&many), small), Err(UploadRefusal::Overlarge));
        let whole: Vec<u8> = (1..=20)
            .flat_map(|n| stream(n, "/Filter /FlateDecode", &bomb))
            .collect();
        let budget = Budget {
            decoded_bytes: 20 << 20,
            ..small
        };
        assert_eq!(inspect(&pdf(&whole), budget), Err(UploadRefusal::Overlarge));
        let past = Budget {
            deadline: Instant::now(),
            ..budget
        };
        assert_eq!(inspect(&pdf(&whole), past), Err(UploadRefusal::TooSlow));
    }

    #[test]
    fn markup_in_utf16_is_markup_too() {
        let utf16: Vec<u8> = "<script>"
            .encode_utf16()
            .flat_map(|c| c.to_le_bytes())
            .collect();
        assert_eq!(check(&jpeg(&utf16)), Err(UploadRefusal::ActiveContent));
        let utf16be: Vec<u8> = "<SVG onload"
            .encode_utf16()
            .flat_map(|c| c.to_be_bytes())
            .collect();
        assert_eq!(check(&jpeg(&utf16be)), Err(UploadRefusal::ActiveContent));
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
