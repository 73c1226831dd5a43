//! Medians, ratios and targets: the arithmetic every figure goes through.

use serde::Serialize;

/// The median of the finite samples; `None` when there are none.
pub(crate) fn median(samples: &[f64]) -> Option<f64> {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    Some(if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    })
}

/// The first and third quartiles of the finite samples (nearest rank); `None` when there are
/// none.
pub(crate) fn quartiles(samples: &[f64]) -> Option<(f64, f64)> {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = |q: usize| sorted[(sorted.len() * q / 4).min(sorted.len() - 1)];
    Some((rank(1), rank(3)))
}

/// `numerator / denominator`, or `None` when either is unknown or the denominator is zero.
pub(crate) fn ratio(numerator: Option<f64>, denominator: Option<f64>) -> Option<f64> {
    let (n, d) = (numerator?, denominator?);
    (d != 0.0 && n.is_finite() && d.is_finite()).then(|| n / d)
}

/// `a - b` when both are known.
pub(crate) fn difference(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? - b?)
}

/// What a figure must reach.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Target {
    /// The value must be at least this.
    AtLeast(f64),
    /// The value must be at most this.
    AtMost(f64),
}

/// Whether a figure met its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// Within the target.
    Met,
    /// Outside the target.
    Missed,
    /// Reported for information: no target.
    Info,
    /// Could not be measured in this run.
    Unmeasured,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Missed => "MISSED",
            Status::Info => "",
            Status::Unmeasured => "unmeasured",
        }
    }
}

/// Judges `value` against `target`.
pub(crate) fn judge(value: Option<f64>, target: Option<Target>) -> Status {
    match (value, target) {
        (None, _) => Status::Unmeasured,
        (Some(_), None) => Status::Info,
        (Some(v), Some(Target::AtLeast(t))) if v >= t => Status::Met,
        (Some(v), Some(Target::AtMost(t))) if v <= t => Status::Met,
        (Some(_), Some(_)) => Status::Missed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts_ignores_non_finite_samples() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f64::NAN]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[5.0, f64::INFINITY, 1.0]), Some(3.0));
    }

    #[test]
    fn median_resists_one_outlier() {
        assert_eq!(median(&[10.0, 11.0, 1000.0]), Some(11.0));
    }

    #[test]
    fn quartiles_take_the_nearest_rank_of_the_finite_samples() {
        assert_eq!(quartiles(&[]), None);
        assert_eq!(quartiles(&[f64::NAN]), None);
        assert_eq!(quartiles(&[7.0]), Some((7.0, 7.0)));
        assert_eq!(
            quartiles(&[8.0, 1.0, 7.0, 2.0, 6.0, 3.0, 5.0, 4.0]),
            Some((3.0, 7.0))
        );
    }

    #[test]
    fn ratio_needs_both_sides_and_a_non_zero_denominator() {
        assert_eq!(ratio(Some(3.0), Some(4.0)), Some(0.75));
        assert_eq!(ratio(Some(3.0), Some(0.0)), None);
        assert_eq!(ratio(None, Some(4.0)), None);
        assert_eq!(ratio(Some(3.0), None), None);
        assert_eq!(difference(Some(3.0), Some(4.0)), Some(-1.0));
        assert_eq!(difference(None, Some(4.0)), None);
    }

    #[test]
    fn targets_are_inclusive() {
        assert_eq!(judge(Some(0.97), Some(Target::AtLeast(0.97))), Status::Met);
        assert_eq!(
            judge(Some(0.96), Some(Target::AtLeast(0.97))),
            Status::Missed
        );
        assert_eq!(judge(Some(1.15), Some(Target::AtMost(1.15))), Status::Met);
        assert_eq!(
            judge(Some(1.16), Some(Target::AtMost(1.15))),
            Status::Missed
        );
        assert_eq!(judge(Some(1.0), None), Status::Info);
        assert_eq!(judge(None, Some(Target::AtMost(1.0))), Status::Unmeasured);
    }
}
