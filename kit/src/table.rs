//! Plain-text tables for program output, drawn with `comfy-table`.
//!
//! Pages show program output inside a ```` ```text ```` fence, so tables are pure
//! text with a fixed layout (no terminal-width detection: the same build prints the
//! same bytes). Columns whose every cell looks numeric are right-aligned.

use comfy_table::{CellAlignment, ContentArrangement, Table, presets};

/// Render `rows` under `header` as a text table.
///
/// ```
/// let t = kit::table::render(&["pattern", "comparisons"], &[vec!["random".into(), "448870".into()]]);
/// assert!(t.contains("| random  |      448870 |"));
/// ```
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut table = Table::new();
    table
        .load_preset(presets::ASCII_MARKDOWN)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.iter().copied());
    for row in rows {
        table.add_row(row.iter().map(String::as_str));
    }
    for (i, column) in table.column_iter_mut().enumerate() {
        let numeric = !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.get(i).is_some_and(|c| looks_numeric(c)));
        if numeric {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table.to_string()
}

/// Digits with optional sign, separators, decimal point, unit suffix (`1.25×`, `-3`, `12 %`).
fn looks_numeric(cell: &str) -> bool {
    let t = cell.trim().trim_end_matches(['×', '%', 'x', ' ']);
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | '+' | '_' | ' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_columns_right_aligned_text_left() {
        let t = render(
            &["name", "n"],
            &[
                vec!["a".into(), "5".into()],
                vec!["long name".into(), "1.25×".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "| name      |     n |");
        assert_eq!(lines[2], "| a         |     5 |");
        assert_eq!(lines[3], "| long name | 1.25× |");
    }

    #[test]
    fn blank_cells_do_not_stop_right_alignment() {
        let t = render(
            &["k", "v"],
            &[vec!["a".into(), "".into()], vec!["b".into(), "10".into()]],
        );
        assert!(t.contains("| b | 10 |"), "{t}");
        assert!(t.contains("| a |    |"), "{t}");
    }

    #[test]
    fn mixed_column_stays_left() {
        let t = render(&["v"], &[vec!["12".into()], vec!["n/a".into()]]);
        assert!(t.contains("| 12  |"), "{t}");
    }
}
