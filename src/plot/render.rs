//! Drawing selected columns of a [`Table`] as stacked panels (one series each, sharing x)
//! into a PNG or SVG file with plotters.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::PlotError;
use super::data::Table;

/// DejaVu Sans, reduced to ASCII and a few signs (assets/fonts/LICENSE): plots get labels
/// without any font installed.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-subset.ttf");

/// Image width, and height of one panel, in pixels.
const WIDTH: u32 = 1000;
/// Height of one panel.
pub const PANEL_HEIGHT: u32 = 220;
/// Height above the panels, for the title.
pub const TITLE_HEIGHT: u32 = 50;

/// Line colours, cycled over panels.
const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

/// The colour of panel `k`.
pub fn series_color(k: usize) -> (u8, u8, u8) {
    let c = COLORS[k % COLORS.len()];
    (c.0, c.1, c.2)
}

/// Image size for `panels` panels.
pub fn image_size(panels: usize) -> (u32, u32) {
    (WIDTH, TITLE_HEIGHT + PANEL_HEIGHT * panels as u32)
}

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // the font is compiled in and known to parse (tests render with it)
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Draws column `x` against each of `ys` of `table` into `out` (`.png` or `.svg`).
pub fn render(
    table: &Table,
    x: usize,
    ys: &[usize],
    title: &str,
    out: &Path,
) -> Result<(), PlotError> {
    register_font();
    let size = image_size(ys.len());
    let fail = |message: String| PlotError::Write {
        file: out.display().to_string(),
        message,
    };
    match out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg") => {
            let root = SVGBackend::new(out, size).into_drawing_area();
            draw(&root, table, x, ys, title).map_err(fail)?;
            root.present().map_err(|e| fail(e.to_string()))
        }
        Some("png") => {
            let mut pixels = vec![0u8; size.0 as usize * size.1 as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
                draw(&root, table, x, ys, title).map_err(fail)?;
                root.present().map_err(|e| fail(e.to_string()))?;
            }
            write_png(out, size, &pixels).map_err(fail)
        }
        _ => Err(fail(
            "the output must end in .png or .svg (the extension picks the format)".into(),
        )),
    }
}

fn write_png(out: &Path, (w, h): (u32, u32), rgb: &[u8]) -> Result<(), String> {
    let file = std::fs::File::create(out).map_err(|e| e.to_string())?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())
}

/// Finite range of `v`, widened by 5 % (or by 1 when flat).
fn range(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        lo.abs().max(1.0) * 0.05
    };
    (lo - pad, hi + pad)
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    table: &Table,
    x: usize,
    ys: &[usize],
    title: &str,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    root.fill(&WHITE).map_err(err)?;
    let (top, body) = root.split_vertically(TITLE_HEIGHT);
    top.draw(&Text::new(
        title.to_string(),
        (20, 15),
        ("sans-serif", 22).into_font(),
    ))
    .map_err(err)?;
    let panels = body.split_evenly((ys.len(), 1));
    let xs = table.values(x);
    let (x0, x1) = range(xs.iter().copied());
    for (k, (area, &col)) in panels.iter().zip(ys).enumerate() {
        let values = table.values(col);
        let (y0, y1) = range(values.iter().copied());
        let mut chart = ChartBuilder::on(area)
            .margin(8)
            .x_label_area_size(35)
            .y_label_area_size(90)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(table.columns[x].as_str())
            .y_desc(table.columns[col].as_str())
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(err)?;
        // one polyline per stretch of finite points (a column missing from a run breaks it)
        let color = COLORS[k % COLORS.len()];
        let mut points: Vec<(f64, f64)> = Vec::new();
        let mut segments = Vec::new();
        for (&a, &b) in xs.iter().zip(&values) {
            if a.is_finite() && b.is_finite() {
                points.push((a, b));
            } else if !points.is_empty() {
                segments.push(std::mem::take(&mut points));
            }
        }
        if !points.is_empty() {
            segments.push(points);
        }
        for s in segments {
            chart
                .draw_series(LineSeries::new(s, color.stroke_width(2)))
                .map_err(err)?;
        }
    }
    Ok(())
}
