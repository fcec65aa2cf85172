//! Suggestions for misspelt names: the closest known name by edit distance.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
///
/// Ties go to the first candidate, so callers pass candidates in a fixed order.
pub(super) fn closest<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    // Names longer than this are not typos of each other worth a quadratic comparison.
    const LONGEST: usize = 64;
    let length = name.chars().count();
    let limit = (length / 3).max(1);
    if length > LONGEST {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name || candidate.chars().count() > LONGEST {
            continue;
        }
        let distance = edit_distance(name, candidate);
        if distance <= limit && best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The number of single-character insertions, deletions, substitutions and transpositions of
/// neighbours from `a` to `b` (the optimal string alignment distance): `tahn` is 1 from `tanh`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = rows[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut distance = substitution.min(rows[i - 1][j] + 1).min(rows[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                distance = distance.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = distance;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("tanh", "tanh"), 0);
        assert_eq!(edit_distance("tahn", "tanh"), 1);
    }

    #[test]
    fn suggests_only_close_names() {
        let names = ["stride", "padding", "x", "w"];
        assert_eq!(closest("strid", names), Some("stride"));
        assert_eq!(closest("paddin", names), Some("padding"));
        assert_eq!(closest("kernel", names), None);
        let long = "w".repeat(100);
        assert_eq!(closest(&long, [long[1..].to_string().as_str()]), None);
    }
}
