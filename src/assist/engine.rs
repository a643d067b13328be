//! The OCR engine behind a small interface: [`Tesseract`] runs Debian's `tesseract` command (and
//! `pdftoppm` for the first page of a PDF) with a time limit; tests put fixed text in its place.
//! The recognised text is personal data: it goes back to the caller and nowhere else (no log,
//! no temporary file left behind).

use std::future::Future;
use std::pin::Pin;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::domain::document::MediaType;
use crate::domain::id_card::TextLine;

/// What the engine saw on the image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecognisedPage {
    pub lines: Vec<TextLine>,
    /// The image's width and height in pixels, when known (for the crops' frame).
    pub size: Option<[u32; 2]>,
}

/// Why a file was not read. Codes, stored and shown; never the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFailure {
    /// Over the time limit: the engine was stopped.
    Timeout,
    /// `tesseract` (or `pdftoppm`) is not installed here.
    EngineMissing,
    /// The engine ran and failed on this file.
    EngineError,
}

impl ReadFailure {
    pub fn code(self) -> &'static str {
        match self {
            ReadFailure::Timeout => "timeout",
            ReadFailure::EngineMissing => "engine_missing",
            ReadFailure::EngineError => "engine_error",
        }
    }

    /// Worth another attempt later (a busy machine may finish in time; a missing engine may be
    /// installed; a file the engine fails on fails again).
    pub fn is_transient(self) -> bool {
        !matches!(self, ReadFailure::EngineError)
    }
}

pub type Recognition<'a> =
    Pin<Box<dyn Future<Output = Result<RecognisedPage, ReadFailure>> + Send + 'a>>;

/// Something that reads text from an identity-card image (or a PDF's first page).
pub trait TextEngine: Send + Sync {
    fn recognise<'a>(
        &'a self,
        bytes: &'a [u8],
        media: MediaType,
        limit: Duration,
    ) -> Recognition<'a>;
}

/// Debian's Tesseract with the Indonesian and English data, one process per file.
#[derive(Debug, Clone)]
pub struct Tesseract {
    /// `-l` argument, e.g. `ind+eng`.
    pub languages: String,
}

impl Default for Tesseract {
    fn default() -> Self {
        Tesseract {
            languages: "ind+eng".into(),
        }
    }
}

impl TextEngine for Tesseract {
    fn recognise<'a>(
        &'a self,
        bytes: &'a [u8],
        media: MediaType,
        limit: Duration,
    ) -> Recognition<'a> {
        Box::pin(async move {
            let work = async {
                let image = match media {
                    MediaType::Pdf => first_page_of(bytes).await?,
                    MediaType::Jpeg | MediaType::Png => bytes.to_vec(),
                };
                let tsv = run(
                    Command::new("tesseract")
                        // Page segmentation 4 (one column of lines of varying size): the default
                        // (3) takes a card's labels and values for two columns and splits every
                        // field from its label once the photo is a little blurred or noisy
                        // (docs/assisted-review.md).
                        .args([
                            "stdin",
                            "stdout",
                            "-l",
                            &self.languages,
                            "--psm",
                            "4",
                            "tsv",
                        ])
                        // One thread: two cores serve requests too, and files are read one by one.
                        .env("OMP_THREAD_LIMIT", "1"),
                    &image,
                )
                .await?;
                Ok(parse_tsv(&String::from_utf8_lossy(&tsv)))
            };
            tokio::time::timeout(limit, work)
                .await
                .unwrap_or(Err(ReadFailure::Timeout))
        })
    }
}

/// Runs a command with `input` on its standard input; its standard output. Killed when dropped
/// (the time limit), so a stuck engine never outlives its job.
async fn run(command: &mut Command, input: &[u8]) -> Result<Vec<u8>, ReadFailure> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ReadFailure::EngineMissing,
            _ => ReadFailure::EngineError,
        })?;
    let mut stdin = child.stdin.take().ok_or(ReadFailure::EngineError)?;
    let input = input.to_vec();
    let feed = tokio::spawn(async move {
        let _ = stdin.write_all(&input).await;
    });
    let output = child
        .wait_with_output()
        .await
        .map_err(|_| ReadFailure::EngineError)?;
    let _ = feed.await;
    if !output.status.success() {
        return Err(ReadFailure::EngineError);
    }
    Ok(output.stdout)
}

/// The first page of a PDF as a PNG at 200 dpi (`pdftoppm` from `poppler-utils`).
async fn first_page_of(pdf: &[u8]) -> Result<Vec<u8>, ReadFailure> {
    run(
        Command::new("pdftoppm").args([
            "-f",
            "1",
            "-l",
            "1",
            "-r",
            "200",
            "-png",
            "-singlefile",
            "-",
        ]),
        pdf,
    )
    .await
}

/// Tesseract's TSV: one row per page, block, paragraph, line and word (`level` 1 to 5). Words
/// are joined into their lines; a line's box is the union of its words' boxes.
pub fn parse_tsv(tsv: &str) -> RecognisedPage {
    let mut page = RecognisedPage::default();
    let mut current: Option<((u32, u32, u32), TextLine)> = None;
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 12 {
            continue;
        }
        let number = |i: usize| cols[i].trim().parse::<u32>().ok();
        let (Some(level), Some(left), Some(top), Some(width), Some(height)) =
            (number(0), number(6), number(7), number(8), number(9))
        else {
            continue;
        };
        if level == 1 {
            page.size = Some([width, height]);
            continue;
        }
        let word = cols[11].trim();
        if level != 5 || word.is_empty() {
            continue;
        }
        let key = (
            number(2).unwrap_or(0),
            number(3).unwrap_or(0),
            number(4).unwrap_or(0),
        );
        let bbox = [left, top, width, height];
        match &mut current {
            Some((k, line)) if *k == key => {
                line.text.push(' ');
                line.text.push_str(word);
                line.bbox = line.bbox.map(|b| union(b, bbox));
            }
            _ => {
                if let Some((_, line)) = current.take() {
                    page.lines.push(line);
                }
                current = Some((
                    key,
                    TextLine {
                        text: word.to_owned(),
                        bbox: Some(bbox),
                    },
                ));
            }
        }
    }
    if let Some((_, line)) = current {
        page.lines.push(line);
    }
    page
}

fn union(a: [u32; 4], b: [u32; 4]) -> [u32; 4] {
    let left = a[0].min(b[0]);
    let top = a[1].min(b[1]);
    let right = (a[0] + a[2]).max(b[0] + b[2]);
    let bottom = (a[1] + a[3]).max(b[1] + b[3]);
    [left, top, right - left, bottom - top]
}

/// Fixed text instead of an engine: for tests of everything around recognition, and for a
/// machine where the engine is switched off.
pub struct FixedText(pub Result<RecognisedPage, ReadFailure>);

impl TextEngine for FixedText {
    fn recognise<'a>(&'a self, _: &'a [u8], _: MediaType, _: Duration) -> Recognition<'a> {
        Box::pin(async move { self.0.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSV: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t1000\t630\t-1\t
4\t1\t3\t1\t1\t0\t42\t147\t575\t23\t-1\t
5\t1\t3\t1\t1\t1\t42\t154\t36\t16\t95.2\tNIK
5\t1\t3\t1\t1\t2\t288\t158\t2\t12\t76.6\t:
5\t1\t3\t1\t1\t3\t305\t147\t312\t23\t91.0\t3174015203850001
5\t1\t3\t1\t2\t1\t42\t210\t60\t16\t95.0\tNama
5\t1\t3\t1\t2\t2\t305\t205\t80\t22\t93.0\tSITI
5\t1\t3\t1\t2\t3\t395\t205\t120\t22\t93.0\tRAHAYU
";

    #[test]
    fn words_join_into_lines_with_their_boxes() {
        let page = parse_tsv(TSV);
        assert_eq!(page.size, Some([1000, 630]));
        assert_eq!(page.lines.len(), 2);
        assert_eq!(page.lines[0].text, "NIK : 3174015203850001");
        assert_eq!(page.lines[0].bbox, Some([42, 147, 575, 23]));
        assert_eq!(page.lines[1].text, "Nama SITI RAHAYU");
        let (reading, boxes) = crate::domain::id_card::CardReading::from_lines(&page.lines);
        assert_eq!(reading.nik.as_deref(), Some("3174015203850001"));
        assert_eq!(reading.name.as_deref(), Some("SITI RAHAYU"));
        assert_eq!(boxes.name, Some([42, 205, 473, 22]));
    }

    #[test]
    fn garbage_rows_are_skipped() {
        assert_eq!(
            parse_tsv("header\nnot\ta\trow\n"),
            RecognisedPage::default()
        );
    }

    #[actix_web::test]
    async fn the_real_engine_reads_a_rendered_card_within_its_limit() {
        let Some(font) = crate::seed::card::load_font() else {
            eprintln!("fonts-dejavu-core missing: the real engine is not exercised here");
            return;
        };
        let card = crate::seed::card::CardText {
            province: "PROVINSI JAWA BARAT".into(),
            regency: "KOTA BANDUNG".into(),
            nik: "3273014506900002".into(),
            name: "DEWI LESTARI".into(),
            birth: "BANDUNG, 05-06-1990".into(),
            sex: "PEREMPUAN".into(),
            address: "JL. DAGO NO. 12".into(),
        };
        let png = crate::seed::card::render(&font, &card).png().unwrap();
        let engine = Tesseract::default();
        match engine
            .recognise(&png, MediaType::Png, Duration::from_secs(60))
            .await
        {
            Err(ReadFailure::EngineMissing) => {
                eprintln!("tesseract is not installed: the real engine is not exercised here");
            }
            Err(other) => panic!("the engine failed: {other:?}"),
            Ok(page) => {
                let (reading, boxes) = crate::domain::id_card::CardReading::from_lines(&page.lines);
                assert_eq!(reading.nik.as_deref(), Some("3273014506900002"));
                assert_eq!(reading.name.as_deref(), Some("DEWI LESTARI"));
                assert!(boxes.nik.is_some());
                assert_eq!(page.size, Some([1000, 630]));
                // A limit that cannot be met stops the engine.
                let late = engine
                    .recognise(&png, MediaType::Png, Duration::from_millis(1))
                    .await;
                assert_eq!(late, Err(ReadFailure::Timeout));
            }
        }
    }
}
