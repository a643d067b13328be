//! Charts drawn on the server as SVG: readable without JavaScript, printable, and each one sits
//! beside a table with its numbers (the accessible alternative; the SVG is labelled as an image
//! with a title, and every bar or point carries its figure in a tooltip).

use std::fmt::Write;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// One coloured series of a chart; its position picks its colour in `app.css` (`.series-0` …).
pub struct Series {
    pub name: String,
    pub values: Vec<i64>,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A round upper bound for the axis and its step: 1, 2 or 5 times a power of ten, four steps.
fn axis(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (4.0, 1.0);
    }
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude)
        .max(1.0);
    (step * 4.0, step)
}

fn open(out: &mut String, id: &str, title: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title>"#,
        escape(title)
    );
}

/// Horizontal grid lines with their values on the left; `unit` follows each value.
fn grid(out: &mut String, top: f64, step: f64, unit: &str) {
    let plot = HEIGHT - TOP - BOTTOM;
    let mut value = 0.0;
    while value <= top + f64::EPSILON {
        let y = TOP + plot - value / top * plot;
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}{unit}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            value as i64
        );
        value += step;
    }
}

/// Labels under the x axis, thinned out so that they never overlap.
fn x_labels(out: &mut String, labels: &[String], slot: f64) {
    let every = ((labels.len() as f64 * 64.0) / (WIDTH - LEFT - RIGHT))
        .ceil()
        .max(1.0) as usize;
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let x = LEFT + slot * (i as f64 + 0.5);
        let _ = write!(
            out,
            r#"<text class="tick" x="{x:.1}" y="{}" text-anchor="middle">{}</text>"#,
            HEIGHT - 8.0,
            escape(label)
        );
    }
}

/// Stacked bars: one bar per label, one segment per series.
pub fn stacked_bars(id: &str, title: &str, labels: &[String], series: &[Series]) -> String {
    let totals: Vec<i64> = (0..labels.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let (top, step) = axis(totals.iter().copied().max().unwrap_or(0) as f64);
    let mut out = String::new();
    open(&mut out, id, title);
    grid(&mut out, top, step, "");
    let plot = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    let width = (slot * 0.7).max(1.0);
    for (i, label) in labels.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - width) / 2.0;
        let mut base = 0i64;
        for (k, s) in series.iter().enumerate() {
            let value = s.values.get(i).copied().unwrap_or(0);
            if value == 0 {
                continue;
            }
            let y = TOP + plot - (base + value) as f64 / top * plot;
            let h = value as f64 / top * plot;
            let _ = write!(
                out,
                r#"<rect class="series-{k}" x="{x:.1}" y="{y:.1}" width="{width:.1}" height="{h:.1}"><title>{}: {} {}</title></rect>"#,
                escape(label),
                escape(&s.name),
                value
            );
            base += value;
        }
    }
    x_labels(&mut out, labels, slot);
    out.push_str("</svg>");
    out
}

/// A line of percentages (0–100); a missing point (nothing to measure) breaks the line.
pub fn percent_line(id: &str, title: &str, labels: &[String], values: &[Option<i64>]) -> String {
    let mut out = String::new();
    open(&mut out, id, title);
    grid(&mut out, 100.0, 25.0, "%");
    let plot = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    let point = |i: usize, v: i64| {
        (
            LEFT + slot * (i as f64 + 0.5),
            TOP + plot - v as f64 / 100.0 * plot,
        )
    };
    let mut path = String::new();
    let mut pen_down = false;
    for (i, value) in values.iter().enumerate() {
        match value {
            Some(v) => {
                let (x, y) = point(i, *v);
                let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_down { "L" } else { "M" });
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !path.is_empty() {
        let _ = write!(
            out,
            r#"<path class="line series-0" d="{}"/>"#,
            path.trim_end()
        );
    }
    for (i, value) in values.iter().enumerate() {
        if let Some(v) = value {
            let (x, y) = point(i, *v);
            let _ = write!(
                out,
                r#"<circle class="series-0" cx="{x:.1}" cy="{y:.1}" r="3.5"><title>{}: {v}%</title></circle>"#,
                escape(&labels[i])
            );
        }
    }
    x_labels(&mut out, labels, slot);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(axis(0.0), (4.0, 1.0));
        assert_eq!(axis(3.0), (4.0, 1.0));
        assert_eq!(axis(37.0), (40.0, 10.0));
        assert_eq!(axis(1234.0), (2000.0, 500.0));
    }

    #[test]
    fn bars_carry_their_figures_and_escape_labels() {
        let svg = stacked_bars(
            "c",
            "Received <per> day",
            &["1 Dec".into(), "2 Dec".into()],
            &[
                Series {
                    name: "Web & app".into(),
                    values: vec![3, 0],
                },
                Series {
                    name: "Hotline".into(),
                    values: vec![1, 4],
                },
            ],
        );
        assert!(svg.contains("Received &lt;per&gt; day"));
        assert!(svg.contains("<title>1 Dec: Web &amp; app 3</title>"));
        assert!(svg.contains("<title>2 Dec: Hotline 4</title>"));
        assert_eq!(svg.matches("<rect").count(), 3, "a zero draws nothing");
    }

    #[test]
    fn a_line_breaks_where_nothing_was_measured() {
        let labels: Vec<String> = (1..=4).map(|w| format!("W{w}")).collect();
        let svg = percent_line(
            "s",
            "Within SLA",
            &labels,
            &[Some(80), None, Some(90), Some(100)],
        );
        assert_eq!(svg.matches('M').count(), 2, "two separate runs");
        assert!(svg.contains("<title>W4: 100%</title>"));
    }
}
