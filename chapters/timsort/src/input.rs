//! Reading integers from text, with errors that say exactly where the input went wrong.

use std::fmt;

/// A token that is not a 64-bit integer, located for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadToken {
    /// The token (first 40 characters).
    pub token: String,
    /// 1-based position among the tokens.
    pub index: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl fmt::Display for BadToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "token {} at line {}, column {} is not a 64-bit integer: {:?}",
            self.index, self.line, self.column, self.token
        )
    }
}

impl std::error::Error for BadToken {}

/// Parse whitespace-separated `i64`s; the first bad token is an error naming its position.
///
/// ```
/// use timsort::input::parse_integers;
/// assert_eq!(parse_integers("3 -1\n2"), Ok(vec![3, -1, 2]));
/// let err = parse_integers("1 2\n  3 x4").unwrap_err();
/// assert_eq!((err.index, err.line, err.column), (4, 2, 5));
/// ```
pub fn parse_integers(text: &str) -> Result<Vec<i64>, BadToken> {
    let mut out = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let mut column = 1;
        let mut rest = line;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
            column += rest[..start].chars().count();
            let tail = &rest[start..];
            let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
            let token = &tail[..end];
            match token.parse::<i64>() {
                Ok(x) => out.push(x),
                Err(_) => {
                    return Err(BadToken {
                        token: token.chars().take(40).collect(),
                        index: out.len() + 1,
                        line: line_no + 1,
                        column,
                    });
                }
            }
            column += token.chars().count();
            rest = &tail[end..];
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_locates_bad_tokens() {
        assert_eq!(parse_integers(" 3 -1\n\n 2 "), Ok(vec![3, -1, 2]));
        assert_eq!(parse_integers(""), Ok(vec![]));
        let e = parse_integers("1 2\n  3 x4 5").expect_err("bad token");
        assert_eq!(
            (e.token.as_str(), e.index, e.line, e.column),
            ("x4", 4, 2, 5)
        );
        let e = parse_integers("é 1").expect_err("non-ascii");
        assert_eq!((e.index, e.column), (1, 1));
        let e = parse_integers("1  é2").expect_err("column counts characters");
        assert_eq!(e.column, 4);
        assert!(
            parse_integers("99999999999999999999").is_err(),
            "overflow is an error, not a wrap"
        );
        assert!(parse_integers("1.5").is_err());
    }
}
