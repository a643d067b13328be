//! Reading a PDF's objects closely enough to find every stream, with the dictionary a reader
//! would use for it, and to decode each stream whose contents a reader parses as PDF syntax
//! (content streams, object streams, cross-reference streams) completely before it is scanned.
//!
//! Fail-closed: a stream whose encoding cannot be decoded here (ASCIIHex, ASCII85, LZW,
//! RunLength, Crypt, chains of filters, parameters given by reference, data kept in another
//! file) is refused, never scanned half-decoded. Image data (DCT, JPX, CCITT fax, JBIG2, or
//! Flate on an image) is pixels that no reader parses as PDF syntax, so an image XObject may use
//! those filters and its data is left undecoded; a stream that could double as an object stream
//! (`/Type /ObjStm`, `/N`, `/First`, `/Extends`) never counts as an image.

use std::collections::HashMap;

use super::decode::{self, Predictor};
use super::{Meter, UploadRefusal, contains_markup, has_active_name};

/// Nesting deeper than this in a stream's dictionary is not something a real PDF does.
const MAX_DEPTH: usize = 32;

/// Checks every stream of the file (the file's own bytes were already scanned by the caller).
pub fn check_streams(bytes: &[u8], meter: &mut Meter) -> Result<(), UploadRefusal> {
    let mut lexer = Lexer { bytes, at: 0 };
    let mut index = None;
    // Where the dictionary of the current object starts: just after its `obj` keyword.
    let mut object_start: Option<usize> = None;
    let mut last_clock = 0;
    while let Some(token) = lexer.next()? {
        if lexer.at - last_clock > 64 * 1024 {
            meter.check_clock()?;
            last_clock = lexer.at;
        }
        match token {
            Token::Keyword(b"obj") => object_start = Some(lexer.at),
            Token::Keyword(b"endobj") => object_start = None,
            Token::Keyword(b"stream") => {
                let keyword_end = lexer.at;
                let start = object_start.ok_or(UploadRefusal::Truncated)?;
                let dict_text = &bytes[start..keyword_end - b"stream".len()];
                let data_start = match bytes.get(keyword_end..keyword_end + 2) {
                    Some(b"\r\n") => keyword_end + 2,
                    Some([b'\n' | b'\r', ..]) => keyword_end + 1,
                    _ => return Err(UploadRefusal::Truncated),
                };
                let data_end = find(&bytes[data_start..], b"endstream")
                    .map(|e| e + data_start)
                    .ok_or(UploadRefusal::Truncated)?;
                let dict = Dict::parse(dict_text)?;
                let data = &bytes[data_start..data_end];
                check_length(bytes, &mut index, &dict, data)?;
                check_stream(&dict, data, meter)?;
                lexer.at = data_end + b"endstream".len();
                object_start = None;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Each `N G obj <integer>` of the file, by object number and generation.
type LengthIndex = HashMap<(i64, i64), Vec<i64>>;

/// A reader finds a stream's end by its `/Length`; this checker by its `endstream`. Both must
/// agree (give or take the line end before `endstream`), or the two would see different
/// objects in the same bytes. An indirect length is looked up; every definition must agree.
fn check_length(
    file: &[u8],
    index: &mut Option<LengthIndex>,
    dict: &Dict,
    data: &[u8],
) -> Result<(), UploadRefusal> {
    let trimmed = data.len()
        - data
            .iter()
            .rev()
            .take(2)
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
    let agrees = |length: &i64| *length == data.len() as i64 || *length == trimmed as i64;
    match dict.get("Length")? {
        Some(Value::Integer(n)) if agrees(n) => Ok(()),
        Some(Value::Reference(number, generation)) => {
            // Built once, on the first indirect length: one pass over the file, not one per stream.
            let index = index.get_or_insert_with(|| integer_objects(file));
            match index.get(&(*number, *generation)) {
                Some(definitions) if definitions.iter().all(agrees) => Ok(()),
                _ => Err(UploadRefusal::Truncated),
            }
        }
        _ => Err(UploadRefusal::Truncated),
    }
}

/// Every `N G obj` of the file with the integer that follows it (-1 when something else does:
/// no length anyone can trust).
fn integer_objects(file: &[u8]) -> LengthIndex {
    let mut index = LengthIndex::new();
    let mut at = 0;
    while let Some(i) = find(&file[at..], b"obj") {
        let keyword = at + i;
        at = keyword + 3;
        // Two numbers fit in a few dozen bytes; looking further back would cost a pass each.
        let before = &file[keyword.saturating_sub(48)..keyword];
        let mut words = before
            .rsplit(|&b| is_space(b))
            .filter(|w| !w.is_empty())
            .take(2)
            .map(integer);
        let (Some(Some(generation)), Some(Some(number))) = (words.next(), words.next()) else {
            continue;
        };
        if !before.last().copied().is_some_and(is_space) {
            continue;
        }
        let mut lexer = Lexer { bytes: file, at };
        let value = match lexer.next() {
            Ok(Some(Token::Keyword(word))) => integer(word).unwrap_or(-1),
            _ => -1,
        };
        index.entry((number, generation)).or_default().push(value);
    }
    index
}

/// The filters a stream may use, by what a reader does with their output.
fn check_stream(dict: &Dict, data: &[u8], meter: &mut Meter) -> Result<(), UploadRefusal> {
    // Stream data kept in another file is out of reach.
    for key in ["F", "FFilter", "FDecodeParms"] {
        if dict.get(key)?.is_some() {
            return Err(UploadRefusal::UncheckablePdf);
        }
    }
    let filters: Vec<&[u8]> = match dict.get("Filter")? {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Name(name)) => vec![name.as_slice()],
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Name(name) => Ok(name.as_slice()),
                _ => Err(UploadRefusal::UncheckablePdf),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(UploadRefusal::UncheckablePdf),
    };
    let filters: Vec<Filter> = filters.into_iter().map(Filter::of).collect();
    if is_image(dict)? {
        // Pixels: never parsed as PDF syntax, so left as they are (the raw bytes were scanned).
        return if filters
            .iter()
            .all(|f| matches!(f, Filter::Flate | Filter::Image))
        {
            Ok(())
        } else {
            Err(UploadRefusal::UncheckablePdf)
        };
    }
    match filters.as_slice() {
        // Plain: its bytes were scanned with the file's.
        [] => Ok(()),
        [Filter::Flate] => {
            let predictor = predictor(dict)?;
            let plain = predictor.undo(decode::inflate_all(data, meter)?)?;
            if has_active_name(&plain) || contains_markup(&plain) {
                Err(UploadRefusal::ActivePdf)
            } else {
                Ok(())
            }
        }
        _ => Err(UploadRefusal::UncheckablePdf),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Flate,
    /// Decodes to pixels only.
    Image,
    /// Anything else: ASCIIHex, ASCII85, LZW, RunLength, Crypt, unknown names.
    Other,
}

impl Filter {
    fn of(name: &[u8]) -> Filter {
        match name {
            b"FlateDecode" | b"Fl" => Filter::Flate,
            b"DCTDecode" | b"DCT" | b"JPXDecode" | b"CCITTFaxDecode" | b"CCF" | b"JBIG2Decode" => {
                Filter::Image
            }
            _ => Filter::Other,
        }
    }
}

/// An image XObject (or a thumbnail, which has no type) that cannot double as an object stream.
fn is_image(dict: &Dict) -> Result<bool, UploadRefusal> {
    for key in ["N", "First", "Extends"] {
        if dict.get(key)?.is_some() {
            return Ok(false);
        }
    }
    let name = |key| -> Result<Option<Vec<u8>>, UploadRefusal> {
        Ok(match dict.get(key)? {
            Some(Value::Name(n)) => Some(n.clone()),
            Some(_) => Some(Vec::new()),
            None => None,
        })
    };
    let kind = name("Type")?;
    let subtype = name("Subtype")?;
    if kind.as_deref().is_some_and(|t| t != b"XObject") {
        return Ok(false);
    }
    Ok(match subtype.as_deref() {
        Some(b"Image") => true,
        Some(_) => false,
        None => kind.is_none() && dict.get("Width")?.is_some() && dict.get("Height")?.is_some(),
    })
}

/// The Flate predictor of `/DecodeParms` (a dictionary, or an array with one for the filter).
fn predictor(dict: &Dict) -> Result<Predictor, UploadRefusal> {
    let parms = match dict.get("DecodeParms")? {
        None | Some(Value::Null) => return Ok(Predictor::default()),
        Some(Value::Dict(d)) => d,
        Some(Value::Array(items)) => match items.as_slice() {
            [Value::Dict(d)] => d,
            [Value::Null] | [] => return Ok(Predictor::default()),
            _ => return Err(UploadRefusal::UncheckablePdf),
        },
        Some(_) => return Err(UploadRefusal::UncheckablePdf),
    };
    let number = |key, default| match parms.get(key)? {
        None => Ok(default),
        Some(Value::Integer(n)) => Ok(*n),
        Some(_) => Err(UploadRefusal::UncheckablePdf),
    };
    Ok(Predictor {
        kind: number("Predictor", 1)?,
        colors: number("Colors", 1)?,
        bits_per_component: number("BitsPerComponent", 8)?,
        columns: number("Columns", 1)?,
    })
}

/// The parts of PDF syntax a dictionary is made of.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Integer(i64),
    /// Reals, booleans, strings and other keywords: present, but never needed here.
    Other,
    Name(Vec<u8>),
    Reference(i64, i64),
    Array(Vec<Value>),
    Dict(Dict),
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Dict(Vec<(Vec<u8>, Value)>);

impl Dict {
    /// The text between `obj` and `stream` must be exactly one dictionary.
    fn parse(text: &[u8]) -> Result<Dict, UploadRefusal> {
        let mut lexer = Lexer { bytes: text, at: 0 };
        let first = lexer.next()?;
        let value = Value::parse(first, &mut lexer, 0)?;
        match (value, lexer.next()?) {
            (Value::Dict(dict), None) => Ok(dict),
            _ => Err(UploadRefusal::Truncated),
        }
    }

    /// A key's value; a key given twice is ambiguous (readers differ on which wins).
    fn get(&self, key: &str) -> Result<Option<&Value>, UploadRefusal> {
        let mut found = self.0.iter().filter(|(k, _)| k == key.as_bytes());
        match (found.next(), found.next()) {
            (Some(_), Some(_)) => Err(UploadRefusal::UncheckablePdf),
            (first, _) => Ok(first.map(|(_, v)| v)),
        }
    }
}

impl Value {
    fn parse(
        token: Option<Token<'_>>,
        lexer: &mut Lexer<'_>,
        depth: usize,
    ) -> Result<Value, UploadRefusal> {
        if depth > MAX_DEPTH {
            return Err(UploadRefusal::UncheckablePdf);
        }
        let token = token.ok_or(UploadRefusal::Truncated)?;
        Ok(match token {
            Token::DictOpen => {
                let mut entries = Vec::new();
                loop {
                    match lexer.next()? {
                        Some(Token::DictClose) => break,
                        Some(Token::Name(key)) => {
                            let next = lexer.next()?;
                            entries.push((key, Value::parse(next, lexer, depth + 1)?));
                        }
                        _ => return Err(UploadRefusal::Truncated),
                    }
                }
                Value::Dict(Dict(entries))
            }
            Token::ArrayOpen => {
                let mut items = Vec::new();
                loop {
                    match lexer.next()? {
                        Some(Token::ArrayClose) => break,
                        next => items.push(Value::parse(next, lexer, depth + 1)?),
                    }
                }
                Value::Array(items)
            }
            Token::Name(name) => Value::Name(name),
            Token::Keyword(b"null") => Value::Null,
            Token::Keyword(word) => match integer(word) {
                // `N G R` is a reference; look ahead without consuming anything else.
                Some(n) => {
                    let saved = lexer.at;
                    match (lexer.next()?, lexer.next()?) {
                        (Some(Token::Keyword(g)), Some(Token::Keyword(b"R")))
                            if integer(g).is_some() =>
                        {
                            Value::Reference(n, integer(g).unwrap_or_default())
                        }
                        _ => {
                            lexer.at = saved;
                            Value::Integer(n)
                        }
                    }
                }
                None => Value::Other,
            },
            Token::String => Value::Other,
            Token::DictClose | Token::ArrayClose => return Err(UploadRefusal::Truncated),
        })
    }
}

fn integer(word: &[u8]) -> Option<i64> {
    std::str::from_utf8(word).ok()?.parse().ok()
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    DictOpen,
    DictClose,
    ArrayOpen,
    ArrayClose,
    /// With `#xx` escapes decoded.
    Name(Vec<u8>),
    /// Literal or hexadecimal: its contents are never needed.
    String,
    /// Numbers, `obj`, `R`, `stream`, `true`…
    Keyword(&'a [u8]),
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(b: u8) -> bool {
    b"()<>[]{}/%".contains(&b)
}

/// PDF's tokens, skipping comments and the contents of strings as a reader does, so that
/// a `stream` keyword inside a string or comment is not mistaken for one.
struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Result<Option<Token<'a>>, UploadRefusal> {
        let bytes = self.bytes;
        loop {
            while self.at < bytes.len() && is_space(bytes[self.at]) {
                self.at += 1;
            }
            let Some(&b) = bytes.get(self.at) else {
                return Ok(None);
            };
            if b == b'%' {
                while self.at < bytes.len() && !matches!(bytes[self.at], b'\r' | b'\n') {
                    self.at += 1;
                }
                continue;
            }
            self.at += 1;
            return Ok(Some(match b {
                b'<' if bytes.get(self.at) == Some(&b'<') => {
                    self.at += 1;
                    Token::DictOpen
                }
                b'>' if bytes.get(self.at) == Some(&b'>') => {
                    self.at += 1;
                    Token::DictClose
                }
                b'<' => {
                    let end = bytes[self.at..]
                        .iter()
                        .position(|&c| c == b'>')
                        .ok_or(UploadRefusal::Truncated)?;
                    self.at += end + 1;
                    Token::String
                }
                b'(' => {
                    self.skip_literal()?;
                    Token::String
                }
                b'[' => Token::ArrayOpen,
                b']' => Token::ArrayClose,
                b'/' => Token::Name(self.name()),
                // A stray `>`, `)`, `{` or `}`: not meaningful, skipped like readers do.
                b'>' | b')' | b'{' | b'}' => continue,
                _ => {
                    let start = self.at - 1;
                    while self.at < bytes.len()
                        && !is_space(bytes[self.at])
                        && !is_delimiter(bytes[self.at])
                    {
                        self.at += 1;
                    }
                    Token::Keyword(&bytes[start..self.at])
                }
            }));
        }
    }

    /// A literal string: balanced parentheses, backslash escapes. Unterminated is damaged.
    fn skip_literal(&mut self) -> Result<(), UploadRefusal> {
        let mut depth = 1usize;
        while let Some(&b) = self.bytes.get(self.at) {
            self.at += 1;
            match b {
                b'\\' => self.at += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        Err(UploadRefusal::Truncated)
    }

    fn name(&mut self) -> Vec<u8> {
        let mut name = Vec::new();
        while let Some(&b) = self.bytes.get(self.at) {
            if is_space(b) || is_delimiter(b) {
                break;
            }
            if b == b'#'
                && let Some(decoded) = self
                    .bytes
                    .get(self.at + 1..self.at + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                name.push(decoded);
                self.at += 3;
                continue;
            }
            name.push(b);
            self.at += 1;
        }
        name
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
