//! Generated identity-card pictures: a card layout (header band, photo, text lines, a code strip
//! unique to each picture) without any real person's data.

const WIDTH: u32 = 480;
const HEIGHT: u32 = 300;

pub fn identity_card(seed: u64) -> anyhow::Result<Vec<u8>> {
    let mut pixels = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    let mut paint = |x0: u32, y0: u32, x1: u32, y1: u32, rgb: [u8; 3]| {
        for y in y0..y1.min(HEIGHT) {
            for x in x0..x1.min(WIDTH) {
                let at = ((y * WIDTH + x) * 3) as usize;
                pixels[at..at + 3].copy_from_slice(&rgb);
            }
        }
    };
    // Card background with a soft tint that varies per card.
    let tint = (seed % 40) as u8;
    paint(0, 0, WIDTH, HEIGHT, [200 + tint / 2, 220, 235 - tint / 2]);
    // Header band, as on the national card.
    paint(0, 0, WIDTH, 44, [24, 82, 150]);
    paint(16, 14, 200, 30, [235, 240, 248]);
    // Photo: a silhouette on a red background.
    paint(340, 70, 450, 210, [196, 54, 48]);
    for y in 70..210u32 {
        for x in 340..450u32 {
            let (dx, dy) = (x as i64 - 395, y as i64 - 115);
            let head = dx * dx + dy * dy < 24 * 24;
            let (sx, sy) = (x as i64 - 395, y as i64 - 215);
            let shoulders = sx * sx + sy * sy < 52 * 52;
            if head || shoulders {
                paint(x, y, x + 1, y + 1, [60, 60, 70]);
            }
        }
    }
    // Label and value lines of varying length.
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for line in 0..9u32 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let y = 62 + line * 22;
        paint(16, y, 96, y + 8, [90, 100, 115]);
        let len = 80 + (state >> 33) as u32 % 140;
        paint(108, y, 108 + len, y + 10, [30, 34, 40]);
    }
    // A code strip: the seed's bits, so that every generated card is a different file.
    for bit in 0..48u32 {
        let on = (seed.wrapping_mul(0x9E3779B97F4A7C15) >> (bit % 64)) & 1 == 1;
        let x = 16 + bit * 9;
        paint(x, 262, x + if on { 6 } else { 3 }, 290, [20, 20, 20]);
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::document::MediaType;

    #[test]
    fn cards_are_pngs_and_differ() {
        let a = identity_card(1).unwrap();
        let b = identity_card(2).unwrap();
        assert_eq!(MediaType::sniff(&a), Some(MediaType::Png));
        assert_ne!(a, b);
    }
}
