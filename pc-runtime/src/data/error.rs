//! Why loading or reshaping a data set failed, naming the file and what was wrong with it.

use std::fmt;
use std::path::PathBuf;

/// Why loading or reshaping a data set failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataError {
    /// No file at any of these paths: the names a file may have, the preferred first.
    Missing {
        /// Every path tried.
        paths: Vec<PathBuf>,
    },
    /// The file exists but could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The system's reason.
        message: String,
    },
    /// The file starts like gzip but does not decompress.
    Gzip {
        /// The file.
        path: PathBuf,
        /// The decoder's reason.
        message: String,
    },
    /// The file's length disagrees with the counts in its header.
    Length {
        /// The file, decompressed.
        path: PathBuf,
        /// The length the header implies, in bytes.
        expected: usize,
        /// The length found, in bytes.
        found: usize,
    },
    /// An IDX file starts with the wrong magic number: it is not the kind of file expected.
    Magic {
        /// The file.
        path: PathBuf,
        /// 2051 for images, 2049 for labels.
        expected: u32,
        /// The number found.
        found: u32,
    },
    /// The images file and the labels file hold different numbers of items.
    CountMismatch {
        /// The images file.
        images: PathBuf,
        /// How many images it holds.
        image_count: usize,
        /// The labels file.
        labels: PathBuf,
        /// How many labels it holds.
        label_count: usize,
    },
    /// A label is not a class of the data set.
    Label {
        /// The file, or a description of embedded data.
        path: PathBuf,
        /// The item's position, from 0.
        index: usize,
        /// The label found.
        label: usize,
        /// The largest label allowed.
        max: usize,
    },
    /// A line of a text file is malformed.
    Parse {
        /// The file, or a description of embedded data.
        path: PathBuf,
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// Features and labels do not fit together, or a reshape does not fit the features.
    Shape(String),
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Missing { paths } => {
                let paths: Vec<String> = paths
                    .iter()
                    .map(|path| format!("`{}`", path.display()))
                    .collect();
                write!(f, "missing file: none of {} exists", paths.join(", "))
            }
            DataError::Io { path, message } => {
                write!(f, "cannot read `{}`: {message}", path.display())
            }
            DataError::Gzip { path, message } => {
                write!(f, "`{}` is corrupt gzip: {message}", path.display())
            }
            DataError::Length {
                path,
                expected,
                found,
            } if found < expected => write!(
                f,
                "`{}` is truncated: its header implies {expected} bytes, found {found}",
                path.display()
            ),
            DataError::Length {
                path,
                expected,
                found,
            } => write!(
                f,
                "`{}` is too long: its header implies {expected} bytes, found {found}",
                path.display()
            ),
            DataError::Magic {
                path,
                expected,
                found,
            } => write!(
                f,
                "`{}` has the wrong magic number {found}, expected {expected}",
                path.display()
            ),
            DataError::CountMismatch {
                images,
                image_count,
                labels,
                label_count,
            } => write!(
                f,
                "`{}` holds {image_count} images but `{}` holds {label_count} labels",
                images.display(),
                labels.display()
            ),
            DataError::Label {
                path,
                index,
                label,
                max,
            } => write!(
                f,
                "`{}`: label {label} of item {index} is greater than {max}",
                path.display()
            ),
            DataError::Parse {
                path,
                line,
                message,
            } => write!(f, "`{}`, line {line}: {message}", path.display()),
            DataError::Shape(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for DataError {}
