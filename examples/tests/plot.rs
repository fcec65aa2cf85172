//! Plots written to a temporary folder are whole SVG files naming every series.

use pc_examples::plot::{Panel, Series, render_svg, write_svg};

fn panels() -> Vec<Panel> {
    let series = |name: &str, values: Vec<f64>, dashed| Series {
        name: name.to_string(),
        values,
        dashed,
    };
    vec![
        Panel {
            title: "loss".to_string(),
            y_label: "cross-entropy".to_string(),
            series: vec![
                series("backprop train loss", vec![0.9, 0.5, 0.3], false),
                series("zil train loss", vec![0.9, 0.5, 0.3], true),
            ],
        },
        Panel {
            title: "test accuracy".to_string(),
            y_label: "accuracy (%)".to_string(),
            series: vec![series(
                "zil test accuracy",
                vec![80.0, f64::NAN, 95.0],
                false,
            )],
        },
    ]
}

#[test]
fn a_written_plot_is_an_svg_naming_both_series() {
    let dir = tempfile::tempdir().expect("a temporary folder can be made");
    let path = dir.path().join("curves.svg");

    write_svg(&path, "digits: backprop vs zil", &panels()).expect("the plot is written");

    let svg = std::fs::read_to_string(&path).expect("the plot is readable");
    assert!(
        svg.trim_start().starts_with("<svg"),
        "not an SVG: {svg:.80}"
    );
    assert!(svg.trim_end().ends_with("</svg>"), "the SVG is not closed");
    for name in ["backprop train loss", "zil train loss", "zil test accuracy"] {
        assert!(svg.contains(name), "the SVG does not name `{name}`");
    }
    assert!(
        svg.contains("digits: backprop vs zil"),
        "the caption is missing"
    );
    assert!(svg.contains("<text"), "the text is not SVG text");
}

#[test]
fn empty_and_single_epoch_series_still_render() {
    let mut panels = panels();
    panels[0].series[0].values = vec![0.7];
    panels[0].series[1].values.clear();
    panels[1].series[0].values = vec![f64::NAN];

    let svg = render_svg("one epoch", &panels).expect("the plot renders");
    assert!(svg.contains("backprop train loss"));
}

#[test]
fn writing_into_a_missing_folder_names_the_file() {
    let dir = tempfile::tempdir().expect("a temporary folder can be made");
    let path = dir.path().join("no such folder").join("curves.svg");

    let error = write_svg(&path, "curves", &panels()).expect_err("the folder does not exist");
    assert!(
        error.contains("curves.svg"),
        "the error does not name the file: {error}"
    );
}
