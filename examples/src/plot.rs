//! Per-epoch curves drawn as SVG: one panel per quantity, one line per series.
//!
//! Only plotters' SVG backend is used. Text becomes SVG `<text>` elements that the viewer
//! renders, so drawing needs no font files and no system libraries.

use std::path::Path;

use plotters::prelude::*;

/// The size of one panel, in pixels.
const PANEL_SIZE: (u32, u32) = (640, 440);

/// Line colours, one per series of a panel in turn: well apart, and legible on white.
const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// One named curve: a value per epoch, epoch 1 first.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The name shown in the legend.
    pub name: String,
    /// The value after each epoch; non-finite values are left out of the curve.
    pub values: Vec<f64>,
    /// Whether the curve is dashed, to tell apart curves that lie on top of each other.
    pub dashed: bool,
}

/// One chart: a title, the quantity on the vertical axis, and its curves.
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// The chart's caption.
    pub title: String,
    /// The label of the vertical axis.
    pub y_label: String,
    /// The curves, drawn in order.
    pub series: Vec<Series>,
}

/// Draws `panels` side by side under `caption` and writes the SVG to `path`.
pub fn write_svg(path: &Path, caption: &str, panels: &[Panel]) -> Result<(), String> {
    let svg = render_svg(caption, panels)
        .map_err(|error| format!("cannot draw `{}`: {error}", path.display()))?;
    std::fs::write(path, svg).map_err(|error| format!("cannot write `{}`: {error}", path.display()))
}

/// The SVG text of `panels` side by side under `caption`.
pub fn render_svg(caption: &str, panels: &[Panel]) -> Result<String, String> {
    let columns = panels.len().max(1);
    let width = PANEL_SIZE.0 * u32::try_from(columns).unwrap_or(u32::MAX / PANEL_SIZE.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, PANEL_SIZE.1)).into_drawing_area();
        root.fill(&WHITE).map_err(|error| error.to_string())?;
        let root = root
            .titled(caption, ("sans-serif", 22))
            .map_err(|error| error.to_string())?;
        for (area, panel) in root.split_evenly((1, columns)).iter().zip(panels) {
            draw_panel(area, panel).map_err(|error| error.to_string())?;
        }
        root.present().map_err(|error| error.to_string())?;
    }
    Ok(svg)
}

/// Draws one panel with its axes, curves and legend.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    panel: &Panel,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let epochs = panel
        .series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0);
    let last_epoch = i32::try_from(epochs).unwrap_or(i32::MAX - 1);
    let (low, high) = value_range(&panel.series);

    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        // One epoch of room on each side keeps the first and last points off the axes.
        .build_cartesian_2d(0..last_epoch + 1, low..high)?;
    // Whole epochs only: the padding epochs at both ends get no label.
    let epoch_label = |epoch: &i32| match usize::try_from(*epoch) {
        Ok(epoch) if (1..=epochs).contains(&epoch) => epoch.to_string(),
        _ => String::new(),
    };
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(panel.y_label.as_str())
        .x_labels((epochs + 2).min(14))
        .x_label_formatter(&epoch_label)
        .light_line_style(TRANSPARENT)
        .draw()?;

    for (index, series) in panel.series.iter().enumerate() {
        let color = COLORS[index % COLORS.len()];
        let points: Vec<(i32, f64)> = (1..)
            .zip(&series.values)
            .filter(|(_, value)| value.is_finite())
            .map(|(epoch, &value)| (epoch, value))
            .collect();
        let style = color.stroke_width(2);
        let drawn = if series.dashed {
            chart.draw_series(DashedLineSeries::new(points.clone(), 8, 5, style))?
        } else {
            chart.draw_series(LineSeries::new(points.clone(), style))?
        };
        drawn
            .label(series.name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
        chart.draw_series(
            points
                .into_iter()
                .map(|point| Circle::new(point, 3, color.filled())),
        )?;
    }

    chart
        .configure_series_labels()
        .position(legend_position(&panel.series, low, high))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
}

/// The vertical range covering every finite value with a margin; `0..1` when there is none.
fn value_range(series: &[Series]) -> (f64, f64) {
    let values = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .filter(|value| value.is_finite());
    let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| {
        (low.min(value), high.max(value))
    });
    if low > high {
        return (0.0, 1.0);
    }
    let margin = ((high - low) * 0.08).max(high.abs() * 1e-3).max(1e-9);
    (low - margin, high + margin)
}

/// The right-hand corner the curves end furthest from, so that the legend hides none of
/// their last points: the lower corner for rising curves such as accuracy.
fn legend_position(series: &[Series], low: f64, high: f64) -> SeriesLabelPosition {
    let last: Vec<f64> = series
        .iter()
        .filter_map(|s| s.values.iter().rev().find(|v| v.is_finite()).copied())
        .collect();
    let middle = (low + high) / 2.0;
    if last.iter().any(|&value| value > middle) {
        SeriesLabelPosition::LowerRight
    } else {
        SeriesLabelPosition::UpperRight
    }
}
