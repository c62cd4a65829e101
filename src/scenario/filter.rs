//! `run --filter PATTERN`: which scenarios of a suite to run, by name or path.
//!
//! A pattern with `*` (any run of characters, `/` included) or `?` (any one
//! character) is a glob that must match the whole name or the whole path; any
//! other pattern matches when it occurs anywhere in the name or the path.
//! Matching is case-sensitive; paths are compared with `/` separators.

/// A `--filter` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pattern: String,
}

impl Filter {
    /// A filter of `pattern`.
    pub fn new(pattern: impl Into<String>) -> Self {
        Filter {
            pattern: pattern.into(),
        }
    }

    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether the pattern is a glob (holds `*` or `?`).
    pub fn is_glob(&self) -> bool {
        self.pattern.contains(['*', '?'])
    }

    /// Whether a scenario of this name, found at this path, is selected.
    pub fn matches(&self, name: &str, path: &str) -> bool {
        let path = path.replace('\\', "/");
        [name, path.as_str()].iter().any(|text| {
            if self.is_glob() {
                glob(
                    &self.pattern.chars().collect::<Vec<_>>(),
                    &text.chars().collect::<Vec<_>>(),
                )
            } else {
                text.contains(&self.pattern)
            }
        })
    }
}

/// Whole-text glob match with `*` and `?`, iterative with one backtrack
/// point (linear in practice, never exponential).
fn glob(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substrings_match_anywhere_and_globs_match_the_whole() {
        let sub = Filter::new("coins");
        assert!(sub.matches("Selected coins pay", "x.yaml"));
        assert!(sub.matches("other", "scenarios/coins/a.yaml"));
        assert!(!sub.matches("other", "scenarios/b.yaml"));
        let glob = Filter::new("scenarios/coins/*.yaml");
        assert!(glob.matches("x", "scenarios/coins/a.yaml"));
        assert!(!glob.matches("x", "old/scenarios/coins/a.yaml"));
        assert!(Filter::new("Sel?cted*").matches("Selected coins pay", "x"));
        assert!(!Filter::new("coins*").matches("Selected coins", "x"));
        assert!(!Filter::new("*a*a*a*a*b").matches(&"a".repeat(50), "x"));
    }
}
