//! Identity cards (KTP) that carry real text: the printed fields rendered with a real font from
//! Debian's `fonts-dejavu-core`, so that the demo's cards and the assisted-review benchmark give
//! the OCR engine something true to read. No real person's data: the caller chooses the text.

use ab_glyph::{Font, FontVec, PxScale, ScaleFont, point};

/// Where Debian puts the font (package `fonts-dejavu-core`).
pub const FONT_PATHS: [&str; 2] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
];

pub const WIDTH: u32 = 1000;
pub const HEIGHT: u32 = 630;

/// What a card prints, as the issuing office typed it.
#[derive(Clone)]
pub struct CardText {
    pub province: String,
    pub regency: String,
    pub nik: String,
    pub name: String,
    /// "JAKARTA, 12-03-1985".
    pub birth: String,
    pub sex: String,
    pub address: String,
}

/// An RGB picture, row by row.
pub struct Raster {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<u8>,
}

impl Raster {
    fn filled(width: u32, height: u32, rgb: [u8; 3]) -> Raster {
        Raster {
            width,
            height,
            pixels: rgb.repeat((width * height) as usize),
        }
    }

    fn paint(&mut self, x0: u32, y0: u32, x1: u32, y1: u32, rgb: [u8; 3]) {
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                let at = ((y * self.width + x) * 3) as usize;
                self.pixels[at..at + 3].copy_from_slice(&rgb);
            }
        }
    }

    /// Blends `rgb` into the pixel by `coverage` (0..1).
    fn blend(&mut self, x: i32, y: i32, rgb: [u8; 3], coverage: f32) {
        if x < 0 || y < 0 || x as u32 >= self.width || y as u32 >= self.height {
            return;
        }
        let at = ((y as u32 * self.width + x as u32) * 3) as usize;
        let c = coverage.clamp(0.0, 1.0);
        for (channel, ink) in self.pixels[at..at + 3].iter_mut().zip(rgb) {
            *channel = (f32::from(*channel) * (1.0 - c) + f32::from(ink) * c).round() as u8;
        }
    }

    pub fn png(&self) -> anyhow::Result<Vec<u8>> {
        let mut out = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
            encoder.set_color(png::ColorType::Rgb);
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder.write_header()?;
            writer.write_image_data(&self.pixels)?;
        }
        Ok(out)
    }
}

/// The font, read once per call site; `None` when the font package is not installed.
pub fn load_font() -> Option<FontVec> {
    FONT_PATHS
        .iter()
        .find_map(|path| std::fs::read(path).ok())
        .and_then(|bytes| FontVec::try_from_vec(bytes).ok())
}

fn text(raster: &mut Raster, font: &FontVec, size: f32, x: f32, baseline: f32, line: &str) {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut caret = x;
    let mut previous = None;
    for ch in line.chars() {
        let id = scaled.glyph_id(ch);
        if let Some(before) = previous {
            caret += scaled.kern(before, id);
        }
        let glyph = id.with_scale_and_position(size, point(caret, baseline));
        caret += scaled.h_advance(id);
        previous = Some(id);
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                raster.blend(
                    bounds.min.x as i32 + gx as i32,
                    bounds.min.y as i32 + gy as i32,
                    [25, 28, 36],
                    coverage,
                );
            });
        }
    }
}

/// Renders a card: header with province and regency, the labelled fields, a photo box.
pub fn render(font: &FontVec, card: &CardText) -> Raster {
    let mut raster = Raster::filled(WIDTH, HEIGHT, [214, 230, 242]);
    raster.paint(0, 0, WIDTH, 8, [24, 82, 150]);
    text(&mut raster, font, 34.0, 300.0, 52.0, &card.province);
    text(&mut raster, font, 30.0, 340.0, 92.0, &card.regency);
    // The photo: a silhouette on red, where the real card has it.
    raster.paint(760, 150, 950, 400, [196, 54, 48]);
    for y in 150..400u32 {
        for x in 760..950u32 {
            let (dx, dy) = (x as i64 - 855, y as i64 - 240);
            let (sx, sy) = (x as i64 - 855, y as i64 - 400);
            if dx * dx + dy * dy < 45 * 45 || sx * sx + sy * sy < 90 * 90 {
                raster.paint(x, y, x + 1, y + 1, [60, 60, 70]);
            }
        }
    }
    let fields = [
        ("NIK", card.nik.as_str(), 36.0),
        ("Nama", card.name.as_str(), 28.0),
        ("Tempat/Tgl Lahir", card.birth.as_str(), 28.0),
        ("Jenis Kelamin", card.sex.as_str(), 28.0),
        ("Alamat", card.address.as_str(), 28.0),
    ];
    let mut baseline = 170.0;
    for (label, value, size) in fields {
        text(&mut raster, font, 26.0, 40.0, baseline, label);
        text(&mut raster, font, 26.0, 285.0, baseline, ":");
        text(&mut raster, font, size, 305.0, baseline, value);
        baseline += 56.0;
    }
    raster
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_has_ink_where_its_text_is() {
        let Some(font) = load_font() else {
            eprintln!("fonts-dejavu-core is not installed: card rendering not checked");
            return;
        };
        let card = CardText {
            province: "PROVINSI DKI JAKARTA".into(),
            regency: "JAKARTA SELATAN".into(),
            nik: "3174015203850001".into(),
            name: "SITI RAHAYU".into(),
            birth: "JAKARTA, 12-03-1985".into(),
            sex: "PEREMPUAN".into(),
            address: "JL. MELATI NO. 5".into(),
        };
        let raster = render(&font, &card);
        let dark = |x0: u32, x1: u32, y0: u32, y1: u32| {
            (y0..y1)
                .flat_map(|y| (x0..x1).map(move |x| (x, y)))
                .filter(|(x, y)| raster.pixels[((y * WIDTH + x) * 3) as usize] < 100)
                .count()
        };
        // The NIK's line has ink; the gap under the last line has none.
        assert!(dark(305, 700, 140, 175) > 200);
        assert_eq!(dark(40, 700, 420, 440), 0);
        assert!(raster.png().unwrap().starts_with(b"\x89PNG"));
    }
}
