//! `ferromd plot`: images decode, have one panel per series, and each panel holds its
//! series' line; every input format is read; bad input names the file and line.

use std::path::{Path, PathBuf};
use std::process::Command;

use ferromd::plot::render::{PANEL_HEIGHT, TITLE_HEIGHT, image_size, series_color};
use ferromd::plot::{PlotError, plot_file, read_table};

fn reference(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference/lammps")
        .join(name)
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ferromd-plot-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Decodes a PNG: (width, height, RGB bytes).
fn decode_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Pixels of colour `c` in each panel band.
fn color_per_panel(width: u32, rgb: &[u8], panels: usize, c: (u8, u8, u8)) -> Vec<usize> {
    let mut counts = vec![0; panels];
    for (i, p) in rgb.chunks(3).enumerate() {
        if (p[0], p[1], p[2]) == c {
            let y = (i as u32 / width).saturating_sub(TITLE_HEIGHT);
            counts[((y / PANEL_HEIGHT) as usize).min(panels - 1)] += 1;
        }
    }
    counts
}

/// Series polylines in an SVG: those stroked in a series colour (axes are black).
fn svg_series(text: &str) -> usize {
    text.matches("<polyline").count().saturating_sub(
        text.matches("<polyline fill=\"none\" opacity=\"1\" stroke=\"#000000\"")
            .count(),
    )
}

#[test]
fn multi_run_lammps_log_to_png_has_one_panel_per_column() {
    let dir = scratch("png");
    let out = dir.join("thermo.png");
    let s = plot_file(&reference("log.nvt-runs"), &out, None, None).unwrap();
    assert_eq!(s.x, "Step");
    assert_eq!(s.series, ["Temp", "PotEng", "TotEng", "Press"]);
    // rows of both runs (the boundary step appears in each)
    assert_eq!(s.rows, 10);
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h, rgb) = decode_png(&out);
    assert_eq!((w, h), image_size(4));
    for k in 0..4 {
        let counts = color_per_panel(w, &rgb, 4, series_color(k));
        assert!(counts[k] > 300, "series {k} barely drawn: {counts:?}");
        for (j, c) in counts.iter().enumerate() {
            if j != k {
                assert_eq!(*c, 0, "series {k} colour in panel {j}: {counts:?}");
            }
        }
    }
    // labels were rendered: dark text pixels in the title band
    let title_dark = rgb[..(w * TITLE_HEIGHT * 3) as usize]
        .chunks(3)
        .filter(|p| p[0] < 80 && p[1] < 80 && p[2] < 80)
        .count();
    assert!(title_dark > 100, "{title_dark}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn ave_time_vector_file_to_svg_from_the_command_line() {
    let dir = scratch("svg");
    let out = dir.join("rdf.svg");
    let status = Command::new(env!("CARGO_BIN_EXE_ferromd"))
        .arg("plot")
        .arg(reference("rdf.dat.observables"))
        .args([
            "-o",
            out.to_str().unwrap(),
            "--columns",
            "c_myrdf[2],c_myrdf[4],c_myrdf[6]",
        ])
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("<svg"), "{}", &text[..60]);
    assert_eq!(svg_series(&text), 3);
    assert!(text.contains("c_myrdf[4]"), "axis label missing");
    // the last block (step 300) is plotted: 50 rows of r from 0.035 to 3.465
    let t = read_table(&reference("rdf.dat.observables")).unwrap();
    assert_eq!(t.rows.len(), 50);
    assert!(t.kind.contains("step 300"), "{}", t.kind);
    assert!((t.rows[49][0] - 3.465).abs() < 1e-12);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn csv_jsonl_scalar_ave_time_and_tables_are_read() {
    let dir = scratch("formats");
    let csv = dir.join("thermo.csv");
    std::fs::write(
        &csv,
        "step,temp,pe\n0,1.5,-6.7\n50,0.73,-5.6\n100,0.78,-5.7\n",
    )
    .unwrap();
    let jsonl = dir.join("thermo.jsonl");
    std::fs::write(
        &jsonl,
        "{\"step\":0,\"temp\":1.5,\"pe\":-6.7}\n{\"step\":50,\"temp\":0.73,\"pe\":null}\n",
    )
    .unwrap();
    let table = dir.join("msd.dat");
    std::fs::write(
        &table,
        "# msd\n# lag_steps lag_time msd_x msd_y msd_z msd origins\n0 0.0 0 0 0 0 5\n10 0.05 1 1 1 3 4\n",
    )
    .unwrap();
    let c = read_table(&csv).unwrap();
    assert_eq!(c.columns, ["step", "temp", "pe"]);
    assert_eq!(c.rows[2], [100.0, 0.78, -5.7]);
    let j = read_table(&jsonl).unwrap();
    assert_eq!(j.columns[j.default_x], "step");
    assert!(j.rows[1][j.column("pe").unwrap()].is_nan());
    let m = read_table(&reference("msd.dat.observables")).unwrap();
    assert_eq!(m.columns[0], "TimeStep");
    assert_eq!(m.rows.len(), 16);
    let out = dir.join("msd.svg");
    let s = plot_file(&table, &out, None, None).unwrap();
    assert_eq!(s.x, "lag_time");
    assert_eq!(s.series, ["msd_x", "msd_y", "msd_z", "msd"]);
    assert_eq!(svg_series(&std::fs::read_to_string(&out).unwrap()), 4);
    let s = plot_file(&csv, &dir.join("t.svg"), Some(&["PE".to_string()]), None).unwrap();
    assert_eq!(s.series, ["pe"]);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn bad_input_names_file_and_line() {
    let dir = scratch("bad");
    let csv = dir.join("bad.csv");
    std::fs::write(&csv, "step,temp\n0,1.5\n50,oops\n").unwrap();
    let e = read_table(&csv).unwrap_err();
    assert!(matches!(e, PlotError::Parse { line: 3, .. }), "{e}");
    assert!(
        e.to_string().contains("bad.csv:3: `oops` is not a number"),
        "{e}"
    );
    let cut = dir.join("cut.dat");
    let full = std::fs::read_to_string(reference("rdf.dat.observables")).unwrap();
    std::fs::write(&cut, &full[..full.len() / 2]).unwrap();
    let e = read_table(&cut).unwrap_err();
    assert!(e.to_string().contains("cut short"), "{e}");
    let good = dir.join("good.csv");
    std::fs::write(&good, "step,temp\n0,1.5\n").unwrap();
    let e = plot_file(&good, &dir.join("x.svg"), Some(&["nope".to_string()]), None).unwrap_err();
    assert!(
        e.to_string()
            .contains("no column `nope`; the columns are: step, temp"),
        "{e}"
    );
    let e = plot_file(&reference("log.nvt-runs"), &dir.join("x.gif"), None, None).unwrap_err();
    assert!(e.to_string().contains(".png or .svg"), "{e}");
    let e = read_table(&dir.join("missing.log")).unwrap_err();
    assert!(e.to_string().starts_with("cannot read"), "{e}");
    std::fs::remove_dir_all(dir).ok();
}
