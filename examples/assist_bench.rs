//! Assisted review, measured (issue 18): builds a labelled set of generated identity cards (real
//! text in DejaVu Sans, then noise, blur, rotation and JPEG artefacts at five levels; some cards
//! print another name or another NIK on purpose), reads each with the real engine (Debian's
//! Tesseract, as the desk does), and prints precision and recall of "match" and "mismatch" per
//! field, the share of suggestions that agree with the label, and OCR time per image (as a ratio
//! to the clean level's, measured in the same run).
//!
//!     cargo run --release --example assist_bench -- [cards (default 300)] [in parallel (2)]
//!
//! Needs `tesseract-ocr`, `tesseract-ocr-ind`, `tesseract-ocr-eng` and `fonts-dejavu-core`.

use std::time::{Duration, Instant};

use canceldesk::assist::engine::{Tesseract, TextEngine};
use canceldesk::assist::{compare, fields_of};
use canceldesk::domain::document::MediaType;
use canceldesk::domain::id_card::FieldCheck;
use canceldesk::domain::nik::Nik;
use canceldesk::domain::precheck::{BillingMatch, CardEvidence, Facts, Suggestion, assess};
use canceldesk::seed::card::{self, CardText, Raster};
use futures_util::StreamExt;

const LEVELS: usize = 5;
const FIRST: [&str; 12] = [
    "SITI", "BUDI", "DEWI", "AGUS", "RINA", "ANDI", "PUTRI", "HENDRA", "WULAN", "RIZKY", "NUR",
    "YOGA",
];
const LAST: [&str; 12] = [
    "RAHAYU",
    "SANTOSO",
    "LESTARI",
    "HIDAYAT",
    "PRATAMA",
    "WIJAYA",
    "KURNIAWAN",
    "SAPUTRA",
    "HASANAH",
    "SETIAWAN",
    "MAULANA",
    "PURNAMA",
];
const REGIONS: [&str; 6] = ["317401", "327301", "357801", "517101", "737101", "127101"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Label {
    Match,
    OtherName,
    OtherNik,
}

struct Sample {
    label: Label,
    level: usize,
    typed_nik: String,
    typed_name: String,
    image: Vec<u8>,
}

/// A small deterministic generator (the set is the same in every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn nik(rng: &mut Lcg) -> (String, String) {
    let region = REGIONS[rng.below(REGIONS.len() as u64) as usize];
    let woman = rng.below(2) == 0;
    let day = 1 + rng.below(28);
    let month = 1 + rng.below(12);
    let year = 60 + rng.below(40);
    let serial = 1 + rng.below(9999);
    let nik = format!(
        "{region}{:02}{month:02}{year:02}{serial:04}",
        day + if woman { 40 } else { 0 }
    );
    let birth = format!("{day:02}-{month:02}-19{year:02}");
    (nik, birth)
}

fn name(rng: &mut Lcg) -> String {
    format!(
        "{} {}",
        FIRST[rng.below(12) as usize],
        LAST[rng.below(12) as usize]
    )
}

// Distortions of a rendered card.

fn rotate(r: &Raster, degrees: f32) -> Raster {
    let (w, h) = (r.width as i32, r.height as i32);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let mut out = vec![235u8; r.pixels.len()];
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let sx = cos * dx + sin * dy + cx;
            let sy = -sin * dx + cos * dy + cy;
            let (x0, y0) = (sx.floor() as i32, sy.floor() as i32);
            if x0 < 0 || y0 < 0 || x0 + 1 >= w || y0 + 1 >= h {
                continue;
            }
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            for c in 0..3 {
                let at = |xx: i32, yy: i32| f32::from(r.pixels[((yy * w + xx) * 3) as usize + c]);
                let v = at(x0, y0) * (1.0 - fx) * (1.0 - fy)
                    + at(x0 + 1, y0) * fx * (1.0 - fy)
                    + at(x0, y0 + 1) * (1.0 - fx) * fy
                    + at(x0 + 1, y0 + 1) * fx * fy;
                out[((y * w + x) * 3) as usize + c] = v.round() as u8;
            }
        }
    }
    Raster {
        width: r.width,
        height: r.height,
        pixels: out,
    }
}

/// A box blur of `radius`, once across and once down.
fn blur(r: &mut Raster, radius: i32) {
    if radius == 0 {
        return;
    }
    let (w, h) = (r.width as i32, r.height as i32);
    for pass in 0..2 {
        let src = r.pixels.clone();
        for y in 0..h {
            for x in 0..w {
                for c in 0..3 {
                    let mut sum = 0u32;
                    let mut n = 0u32;
                    for d in -radius..=radius {
                        let (xx, yy) = if pass == 0 { (x + d, y) } else { (x, y + d) };
                        if xx >= 0 && yy >= 0 && xx < w && yy < h {
                            sum += u32::from(src[((yy * w + xx) * 3) as usize + c]);
                            n += 1;
                        }
                    }
                    r.pixels[((y * w + x) * 3) as usize + c] = (sum / n) as u8;
                }
            }
        }
    }
}

fn noise(r: &mut Raster, amplitude: i32, rng: &mut Lcg) {
    if amplitude == 0 {
        return;
    }
    for p in r.pixels.iter_mut() {
        let delta = rng.below((2 * amplitude + 1) as u64) as i32 - amplitude;
        *p = (i32::from(*p) + delta).clamp(0, 255) as u8;
    }
}

fn jpeg(r: &Raster, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, quality)
        .encode(
            &r.pixels,
            r.width as u16,
            r.height as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("encoding a card");
    out
}

/// Level 0 is a clean scan; 4 a poor phone photo.
fn distort(r: &Raster, level: usize, rng: &mut Lcg) -> Vec<u8> {
    let degrees = [0.0, 0.7, 1.5, 2.5, 3.5][level] * if rng.below(2) == 0 { 1.0 } else { -1.0 };
    let mut img = if degrees == 0.0 {
        Raster {
            width: r.width,
            height: r.height,
            pixels: r.pixels.clone(),
        }
    } else {
        rotate(r, degrees)
    };
    blur(&mut img, [0, 0, 1, 1, 2][level]);
    noise(&mut img, [0, 8, 16, 28, 40][level], rng);
    jpeg(&img, [92, 80, 60, 40, 25][level])
}

fn build(count: usize) -> Vec<Sample> {
    let font = card::load_font().expect("fonts-dejavu-core is needed");
    let mut rng = Lcg(20261204);
    (0..count)
        .map(|i| {
            let (typed_nik, birth) = nik(&mut rng);
            let typed_name = name(&mut rng);
            let label = match rng.below(10) {
                0 | 1 => Label::OtherName,
                2 | 3 => Label::OtherNik,
                _ => Label::Match,
            };
            let printed_name = match label {
                Label::OtherName => loop {
                    let other = name(&mut rng);
                    if other != typed_name {
                        break other;
                    }
                },
                _ => typed_name.clone(),
            };
            // Another person's NIK from the same region and birthday: the serial differs.
            let printed_nik = match label {
                Label::OtherNik => {
                    let serial: u64 = typed_nik[12..].parse().unwrap_or(1);
                    format!("{}{:04}", &typed_nik[..12], (serial + 1234) % 9999 + 1)
                }
                _ => typed_nik.clone(),
            };
            let text = CardText {
                province: "PROVINSI DKI JAKARTA".into(),
                regency: "JAKARTA SELATAN".into(),
                nik: printed_nik,
                name: printed_name,
                birth: format!("JAKARTA, {birth}"),
                sex: "PEREMPUAN".into(),
                address: format!("JL. MELATI NO. {}", 1 + i % 90),
            };
            let level = i % LEVELS;
            let raster = card::render(&font, &text);
            Sample {
                label,
                level,
                typed_nik,
                typed_name,
                image: distort(&raster, level, &mut rng),
            }
        })
        .collect()
}

struct Outcome {
    label: Label,
    level: usize,
    checks: [FieldCheck; 3],
    suggestion: Suggestion,
    ms: f64,
}

/// Precision and recall of one predicted class against one true class.
#[derive(Default)]
struct Tally {
    true_positive: u32,
    predicted: u32,
    actual: u32,
}
impl Tally {
    fn add(&mut self, predicted: bool, actual: bool) {
        self.predicted += u32::from(predicted);
        self.actual += u32::from(actual);
        self.true_positive += u32::from(predicted && actual);
    }
    fn say(&self) -> String {
        let pct = |a: u32, b: u32| {
            if b == 0 {
                "  n/a ".to_owned()
            } else {
                format!("{:5.1}%", 100.0 * f64::from(a) / f64::from(b))
            }
        };
        format!(
            "precision {} ({}/{})  recall {} ({}/{})",
            pct(self.true_positive, self.predicted),
            self.true_positive,
            self.predicted,
            pct(self.true_positive, self.actual),
            self.true_positive,
            self.actual
        )
    }
}

fn expected(label: Label) -> Suggestion {
    match label {
        Label::Match => Suggestion::Approve,
        Label::OtherName | Label::OtherNik => Suggestion::RequestAuthorisation,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);
    let parallel: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let started = Instant::now();
    let samples = build(count);
    if let Ok(dir) = std::env::var("ASSIST_BENCH_DUMP") {
        for (i, s) in samples.iter().enumerate() {
            let _ = std::fs::write(format!("{dir}/card-{i}-level{}.jpg", s.level), &s.image);
        }
    }
    println!(
        "built {} cards in {:.1} s ({} levels of distortion)",
        samples.len(),
        started.elapsed().as_secs_f64(),
        LEVELS
    );
    let today = chrono::Utc::now().date_naive();
    let engine = Tesseract::default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(parallel.max(1))
        .enable_all()
        .build()
        .expect("a runtime");
    let reading = Instant::now();
    let outcomes: Vec<Outcome> = runtime.block_on(
        futures_util::stream::iter(samples.iter())
            .map(|s| {
                let engine = &engine;
                async move {
                    let t = Instant::now();
                    let page = engine
                        .recognise(&s.image, MediaType::Jpeg, Duration::from_secs(60))
                        .await
                        .unwrap_or_default();
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    // Exactly what the desk's job keeps of a page.
                    let fields = fields_of(&page);
                    let nik = Nik::parse(&s.typed_nik).ok();
                    let c = compare(&fields, nik.as_ref(), &s.typed_name, today);
                    let facts = Facts {
                        nik,
                        msisdn_in_ranges: true,
                        billing: BillingMatch::Matched,
                        older_open_case: None,
                        newer_open_case: false,
                        shared_document_cases: 0,
                        card: CardEvidence::Read {
                            nik: c.nik,
                            name: c.name,
                            birth_date: c.birth_date,
                        },
                        has_authorisation_letter: false,
                        fee_applies: false,
                        fee_minor: 0,
                        balance_minor: 0,
                    };
                    Outcome {
                        label: s.label,
                        level: s.level,
                        checks: [c.nik, c.name, c.birth_date],
                        suggestion: assess(&facts).suggestion,
                        ms,
                    }
                }
            })
            .buffer_unordered(parallel.max(1))
            .collect(),
    );
    let wall = reading.elapsed().as_secs_f64();
    if std::env::var_os("ASSIST_BENCH_DUMP").is_some() {
        for o in outcomes
            .iter()
            .filter(|o| o.suggestion != expected(o.label))
        {
            eprintln!(
                "level {} {:?}: nik {:?} name {:?} birth {:?} -> {:?}",
                o.level, o.label, o.checks[0], o.checks[1], o.checks[2], o.suggestion
            );
        }
    }

    println!("\nper field (near match counted as match; not readable is neither):");
    for (i, field) in ["NIK", "name", "birth date"].iter().enumerate() {
        let (mut matched, mut mismatched) = (Tally::default(), Tally::default());
        let mut unreadable = 0;
        for o in &outcomes {
            let truly_matches =
                !matches!((i, o.label), (0, Label::OtherNik) | (1, Label::OtherName));
            let said = o.checks[i];
            matched.add(
                matches!(said, FieldCheck::Match | FieldCheck::NearMatch),
                truly_matches,
            );
            mismatched.add(said == FieldCheck::Mismatch, !truly_matches);
            unreadable += u32::from(said == FieldCheck::NotReadable);
        }
        println!("  {field:<10} match:    {}", matched.say());
        println!("  {:<10} mismatch: {}", "", mismatched.say());
        println!(
            "  {:<10} not readable: {:.1}%",
            "",
            100.0 * f64::from(unreadable) / outcomes.len() as f64
        );
    }

    let agree = |set: &[&Outcome]| {
        let n = set
            .iter()
            .filter(|o| o.suggestion == expected(o.label))
            .count();
        100.0 * n as f64 / set.len().max(1) as f64
    };
    let all: Vec<&Outcome> = outcomes.iter().collect();
    let wrong_approvals = outcomes
        .iter()
        .filter(|o| o.label != Label::Match && o.suggestion == Suggestion::Approve)
        .count();
    println!(
        "\nsuggestions agreeing with the label: {:.1}% of {}; a mismatching card suggested for approval: {}",
        agree(&all),
        all.len(),
        wrong_approvals
    );
    let mean = |set: &[&Outcome]| set.iter().map(|o| o.ms).sum::<f64>() / set.len().max(1) as f64;
    let clean: Vec<&Outcome> = outcomes.iter().filter(|o| o.level == 0).collect();
    let clean_ms = mean(&clean);
    println!("\nby level of distortion (0 clean scan … 4 poor phone photo):");
    for level in 0..LEVELS {
        let set: Vec<&Outcome> = outcomes.iter().filter(|o| o.level == level).collect();
        let mut times: Vec<f64> = set.iter().map(|o| o.ms).collect();
        times.sort_by(f64::total_cmp);
        let p95 = times
            .get(((times.len() as f64 * 0.95) as usize).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0);
        println!(
            "  level {level}: suggestions agree {:5.1}%  OCR mean {:6.0} ms ({:.2}× clean), p95 {:6.0} ms  (n={})",
            agree(&set),
            mean(&set),
            mean(&set) / clean_ms,
            p95,
            set.len()
        );
    }
    println!(
        "\nOCR per image: mean {:.0} ms; {} images in {:.1} s with {} at once ({:.2} images/s)",
        mean(&all),
        all.len(),
        wall,
        parallel,
        all.len() as f64 / wall
    );
}
