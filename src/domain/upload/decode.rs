//! Decoding a PDF stream's Flate data (and its predictor) completely, under the inspection's
//! meter: every byte produced is charged, whether the stream ends well or not, so a file of
//! broken streams costs as much as a file of good ones and cannot run past the budget.

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};

use super::{Meter, UploadRefusal};

/// Output is produced (and charged, and the clock looked at) this much at a time.
const CHUNK: usize = 64 * 1024;

/// The whole of a zlib stream, or a refusal: a stream that does not decode to its end is
/// damaged (a reader would show part of it, so it cannot be judged by a part).
pub fn inflate_all(data: &[u8], meter: &mut Meter) -> Result<Vec<u8>, UploadRefusal> {
    let mut state = InflateState::new_boxed(DataFormat::Zlib);
    let mut out = Vec::new();
    let mut buffer = vec![0u8; CHUNK];
    let mut input = data;
    loop {
        meter.check_clock()?;
        let step = inflate(&mut state, input, &mut buffer, MZFlush::None);
        meter.charge(step.bytes_written)?;
        out.extend_from_slice(&buffer[..step.bytes_written]);
        input = &input[step.bytes_consumed..];
        match step.status {
            Ok(MZStatus::StreamEnd) => return Ok(out),
            Ok(_) if step.bytes_consumed > 0 || step.bytes_written > 0 => {}
            // No progress: the input ran out before the end of the stream.
            Ok(_) | Err(MZError::Buf) => return Err(UploadRefusal::Truncated),
            Err(_) => return Err(UploadRefusal::Truncated),
        }
    }
}

/// A stream's `/DecodeParms` as far as Flate uses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Predictor {
    /// 1 none, 2 TIFF, 10–15 PNG (each row names its own filter).
    pub kind: i64,
    pub colors: i64,
    pub bits_per_component: i64,
    pub columns: i64,
}

impl Default for Predictor {
    fn default() -> Self {
        Predictor {
            kind: 1,
            colors: 1,
            bits_per_component: 8,
            columns: 1,
        }
    }
}

impl Predictor {
    /// Undoes the predictor, or refuses parameters no reader could agree on.
    pub fn undo(self, data: Vec<u8>) -> Result<Vec<u8>, UploadRefusal> {
        if self.kind == 1 {
            return Ok(data);
        }
        let sane = (1..=32).contains(&self.colors)
            && matches!(self.bits_per_component, 1 | 2 | 4 | 8 | 16)
            && (1..=1 << 20).contains(&self.columns);
        if !sane {
            return Err(UploadRefusal::UncheckablePdf);
        }
        // Sizes are small after the checks above: at most 2^20 × 32 × 16 bits.
        let bits_per_pixel = (self.colors * self.bits_per_component) as usize;
        let row = (self.columns as usize * bits_per_pixel).div_ceil(8);
        let pixel = bits_per_pixel.div_ceil(8).max(1);
        match self.kind {
            2 if self.bits_per_component == 8 => Ok(undo_tiff(data, row, pixel)),
            10..=15 => undo_png(&data, row, pixel),
            _ => Err(UploadRefusal::UncheckablePdf),
        }
    }
}

/// TIFF predictor 2 at 8 bits per component: each byte is a difference from the same
/// component of the pixel before it in the row.
fn undo_tiff(mut data: Vec<u8>, row: usize, pixel: usize) -> Vec<u8> {
    for line in data.chunks_mut(row) {
        for i in pixel..line.len() {
            line[i] = line[i].wrapping_add(line[i - pixel]);
        }
    }
    data
}

/// PNG predictors: each row starts with its filter type (0–4). A last, short row is decoded
/// as far as it goes, as readers do; an unknown filter type means the data is damaged.
fn undo_png(data: &[u8], row: usize, pixel: usize) -> Result<Vec<u8>, UploadRefusal> {
    let mut out: Vec<u8> = Vec::with_capacity(data.len());
    let mut previous = vec![0u8; row];
    for line in data.chunks(row + 1) {
        let (&kind, raw) = line.split_first().ok_or(UploadRefusal::Truncated)?;
        let mut current = vec![0u8; raw.len()];
        for i in 0..raw.len() {
            let left = if i >= pixel { current[i - pixel] } else { 0 };
            let up = previous[i];
            let up_left = if i >= pixel { previous[i - pixel] } else { 0 };
            current[i] = raw[i].wrapping_add(match kind {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                _ => return Err(UploadRefusal::Truncated),
            });
        }
        out.extend_from_slice(&current);
        previous[..current.len()].copy_from_slice(&current);
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn meter(bytes: usize) -> Meter {
        Meter::new(bytes, Instant::now() + Duration::from_secs(30))
    }

    #[test]
    fn every_byte_inflated_is_charged_even_when_the_stream_breaks() {
        let whole = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 1 << 20], 9);
        let mut m = meter(4 << 20);
        assert_eq!(inflate_all(&whole, &mut m).unwrap().len(), 1 << 20);
        assert_eq!(m.spent(), 1 << 20);
        // Cut short: refused, and what it produced before breaking was paid for.
        let mut m = meter(4 << 20);
        let cut = &whole[..whole.len() / 2];
        assert_eq!(inflate_all(cut, &mut m), Err(UploadRefusal::Truncated));
        assert!(m.spent() > 0, "the broken stream was charged");
        // Over the budget: refused as soon as it is passed.
        let mut m = meter(100 * 1024);
        assert_eq!(inflate_all(&whole, &mut m), Err(UploadRefusal::Overlarge));
        assert_eq!(
            inflate_all(b"not zlib at all", &mut meter(1024)),
            Err(UploadRefusal::Truncated)
        );
    }

    #[test]
    fn png_predictors_are_undone_row_by_row() {
        // Two rows of three bytes: "Sub" then "Up".
        let data = vec![1, 10, 1, 1, 2, 5, 5, 5];
        let p = Predictor {
            kind: 12,
            columns: 3,
            ..Predictor::default()
        };
        assert_eq!(p.undo(data).unwrap(), vec![10, 11, 12, 15, 16, 17]);
        // Average and Paeth on a single row of two-byte pixels.
        let p = Predictor {
            kind: 15,
            columns: 2,
            colors: 2,
            ..Predictor::default()
        };
        assert_eq!(p.undo(vec![3, 4, 6, 2, 2]).unwrap(), vec![4, 6, 4, 5]);
        assert_eq!(p.undo(vec![4, 4, 6, 1, 1]).unwrap(), vec![4, 6, 5, 7]);
        assert_eq!(p.undo(vec![9, 1, 1]), Err(UploadRefusal::Truncated));
        let tiff = Predictor {
            kind: 2,
            columns: 3,
            ..Predictor::default()
        };
        assert_eq!(tiff.undo(vec![1, 1, 1]).unwrap(), vec![1, 2, 3]);
        let odd = Predictor {
            bits_per_component: 3,
            ..p
        };
        assert_eq!(odd.undo(vec![0]), Err(UploadRefusal::UncheckablePdf));
    }
}
