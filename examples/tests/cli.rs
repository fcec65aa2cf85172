//! The examples' flags: each example's defaults, the comparison mode, and clean errors for
//! bad arguments, data folders and output folders.

use std::path::PathBuf;

use clap::error::ErrorKind;
use pc_examples::cli::{
    Architecture, DataArgs, DigitsArgs, Example, MacroModel, MacrosArgs, MethodArg, MnistArgs,
    RnnArgs, prepare_out_dir,
};
use pc_runtime::Method;

#[test]
fn each_example_has_its_own_defaults() {
    let digits = DigitsArgs::try_parse_with_defaults(["digits"]).expect("no flags parse");
    assert_eq!(digits.train.epochs, 30);
    assert_eq!(digits.train.out, PathBuf::from("out/digits"));
    assert_eq!(digits.train.methods(), vec![Method::Zil]);

    let mnist = MnistArgs::try_parse_with_defaults(["mnist"]).expect("no flags parse");
    assert_eq!(mnist.model, Architecture::Mlp);
    assert_eq!(mnist.train.batch_size, 128);
    assert_eq!(mnist.train.out, PathBuf::from("out/mnist"));

    let macros = MacrosArgs::try_parse_with_defaults(["macros"]).expect("no flags parse");
    assert_eq!(macros.model, MacroModel::Residual);
    assert_eq!(macros.train.epochs, 20);
    assert_eq!(macros.train.out, PathBuf::from("out/macros"));
    let linear = MacrosArgs::try_parse_with_defaults(["macros", "--model", "linear"])
        .expect("the inline model is a choice");
    assert_eq!(linear.model, MacroModel::Linear);

    let rnn = RnnArgs::try_parse_with_defaults(["rnn"]).expect("no flags parse");
    assert_eq!(rnn.train.out, PathBuf::from("out/rnn"));
}

#[test]
fn flags_override_the_defaults() {
    let args = MnistArgs::try_parse_with_defaults([
        "mnist",
        "--model",
        "cnn",
        "--method",
        "zil-full",
        "--epochs",
        "2",
        "--batch-size",
        "64",
        "--data",
        "/data",
        "--limit",
        "500",
        "--out",
        "/tmp/plots",
        "--seed",
        "9",
    ])
    .expect("valid flags parse");
    assert_eq!(args.model, Architecture::Cnn);
    assert_eq!(args.train.method, MethodArg::ZilFull);
    assert_eq!((args.train.epochs, args.train.batch_size), (2, 64));
    assert_eq!(args.train.seed, 9);
    assert_eq!(args.data.limit, Some(500));
    assert_eq!(args.data.dir(), Ok(PathBuf::from("/data")));
}

#[test]
fn compare_trains_backprop_first_then_the_chosen_method() {
    let methods = |args: &[&str]| {
        let mut all = vec!["digits", "--compare"];
        all.extend_from_slice(args);
        DigitsArgs::try_parse_with_defaults(all)
            .expect("valid flags parse")
            .train
            .methods()
    };
    assert_eq!(methods(&[]), vec![Method::Backprop, Method::Zil]);
    assert_eq!(
        methods(&["--method", "zil-full"]),
        vec![Method::Backprop, Method::ZilFull]
    );
    assert_eq!(
        methods(&["--method", "backprop"]),
        vec![Method::Backprop, Method::Zil]
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let cases: [(&[&str], ErrorKind); 8] = [
        (&["--epochs", "0"], ErrorKind::ValueValidation),
        (&["--epochs", "many"], ErrorKind::ValueValidation),
        (&["--batch-size", "0"], ErrorKind::ValueValidation),
        (&["--learning-rate", "0"], ErrorKind::ValueValidation),
        (&["--learning-rate=-1"], ErrorKind::ValueValidation),
        (&["--method", "sgd"], ErrorKind::InvalidValue),
        (&["--model", "transformer"], ErrorKind::InvalidValue),
        (&["--no-such-flag"], ErrorKind::UnknownArgument),
    ];
    for (flags, kind) in cases {
        let mut args = vec!["mnist"];
        args.extend_from_slice(flags);
        let error = MnistArgs::try_parse_with_defaults(args).expect_err("bad flags are refused");
        assert_eq!(error.kind(), kind, "for {flags:?}: {error}");
    }
}

#[test]
fn an_unwritable_output_folder_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("a temporary folder can be made");
    let file = dir.path().join("a file");
    std::fs::write(&file, "not a folder").expect("the file is written");

    let error = prepare_out_dir(&file.join("plots")).expect_err("a file is not a folder");
    assert!(
        error.contains("a file"),
        "the error does not name the folder: {error}"
    );

    let fresh = dir.path().join("new").join("plots");
    prepare_out_dir(&fresh).expect("a missing folder is created");
    assert!(fresh.is_dir());
    assert_eq!(std::fs::read_dir(&fresh).expect("readable").count(), 0);
}

#[test]
fn an_explicit_data_folder_wins() {
    let args = DataArgs {
        data: Some(PathBuf::from("/somewhere")),
        limit: None,
    };
    assert_eq!(args.dir(), Ok(PathBuf::from("/somewhere")));
}
