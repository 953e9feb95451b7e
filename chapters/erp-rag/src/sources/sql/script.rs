//! An SQL script read into memory: the `CREATE TABLE` and `INSERT … VALUES` statements of
//! `corp-db.sql`, enough to answer the adapter's [`Select`]s without a database. Values
//! come back as SQLite hands them to the adapter: integers in decimal, text as written,
//! `NULL` as `None`; rows are sorted the way SQLite's `ORDER BY` sorts them (NULLs, then
//! integers by value, then text by bytes).

use std::cmp::Ordering;

use super::{Rows, Select};

/// A value of the script.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl Value {
    fn rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Int(_) => 1,
            Value::Text(_) => 2,
        }
    }

    fn cmp_sql(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (Value::Text(a), Value::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            _ => self.rank().cmp(&other.rank()),
        }
    }

    fn into_cell(self) -> Option<String> {
        match self {
            Value::Null => None,
            Value::Int(v) => Some(v.to_string()),
            Value::Text(t) => Some(t),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Int(i64),
    Text(String),
    Punct(char),
}

fn tokens(script: &str) -> Result<Vec<(usize, Token)>, String> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut it = script.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '-' if it.peek() == Some(&'-') => {
                for c in it.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            '\'' => {
                let start = line;
                let mut text = String::new();
                loop {
                    match it.next() {
                        Some('\'') if it.peek() == Some(&'\'') => {
                            it.next();
                            text.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => {
                            if c == '\n' {
                                line += 1;
                            }
                            text.push(c);
                        }
                        None => return Err(format!("line {start}: unterminated string")),
                    }
                }
                out.push((start, Token::Text(text)));
            }
            c if c.is_ascii_digit()
                || (c == '-' && it.peek().is_some_and(char::is_ascii_digit)) =>
            {
                let mut s = c.to_string();
                while let Some(d) = it.peek().copied().filter(char::is_ascii_digit) {
                    s.push(d);
                    it.next();
                }
                let v = s
                    .parse()
                    .map_err(|_| format!("line {line}: {s} is not a 64-bit integer"))?;
                out.push((line, Token::Int(v)));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut s = c.to_string();
                while let Some(d) = it
                    .peek()
                    .copied()
                    .filter(|d| d.is_ascii_alphanumeric() || *d == '_')
                {
                    s.push(d);
                    it.next();
                }
                out.push((line, Token::Word(s)));
            }
            c => out.push((line, Token::Punct(c))),
        }
    }
    Ok(out)
}

fn is_word(t: Option<&(usize, Token)>, w: &str) -> bool {
    matches!(t, Some((_, Token::Word(x))) if x.eq_ignore_ascii_case(w))
}

/// A table of the script.
#[derive(Debug)]
struct Table {
    name: String,
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

/// The tables an SQL script creates and fills.
#[derive(Debug, Default)]
pub struct Tables {
    tables: Vec<Table>,
}

impl Tables {
    /// Run `script`'s `CREATE TABLE` and `INSERT … VALUES` statements; anything else is an
    /// error naming its line.
    pub fn load(script: &str) -> Result<Tables, String> {
        let toks = tokens(script)?;
        let mut db = Tables::default();
        for stmt in toks.split(|(_, t)| *t == Token::Punct(';')) {
            let Some((line, _)) = stmt.first() else {
                continue;
            };
            if is_word(stmt.first(), "CREATE") && is_word(stmt.get(1), "TABLE") {
                db.create(*line, &stmt[2..])?;
            } else if is_word(stmt.first(), "INSERT") && is_word(stmt.get(1), "INTO") {
                db.insert(*line, &stmt[2..])?;
            } else {
                return Err(format!(
                    "line {line}: only CREATE TABLE and INSERT INTO … VALUES are read"
                ));
            }
        }
        Ok(db)
    }

    fn create(&mut self, line: usize, rest: &[(usize, Token)]) -> Result<(), String> {
        let Some((_, Token::Word(name))) = rest.first() else {
            return Err(format!("line {line}: CREATE TABLE without a table name"));
        };
        if rest.get(1).map(|t| &t.1) != Some(&Token::Punct('(')) {
            return Err(format!("line {line}: expected ( after CREATE TABLE {name}"));
        }
        // Column definitions are the items at depth 1 that start with a name that is not
        // a table constraint.
        let mut columns = Vec::new();
        let mut depth = 0;
        let mut item_start = true;
        for (l, t) in &rest[1..] {
            match t {
                Token::Punct('(') => {
                    depth += 1;
                    if depth == 1 {
                        item_start = true;
                    }
                    continue;
                }
                Token::Punct(')') => depth -= 1,
                Token::Punct(',') if depth == 1 => {
                    item_start = true;
                    continue;
                }
                Token::Word(w) if depth == 1 && item_start => {
                    let constraint = ["PRIMARY", "FOREIGN", "UNIQUE", "CONSTRAINT", "CHECK"]
                        .iter()
                        .any(|k| w.eq_ignore_ascii_case(k));
                    if !constraint {
                        columns.push(w.to_ascii_lowercase());
                    }
                }
                _ if depth == 1 && item_start => {
                    return Err(format!("line {l}: expected a column name in {name}"));
                }
                _ => {}
            }
            item_start = false;
        }
        if self.table(name).is_some() {
            return Err(format!("line {line}: table {name} already exists"));
        }
        self.tables.push(Table {
            name: name.to_ascii_lowercase(),
            columns,
            rows: Vec::new(),
        });
        Ok(())
    }

    fn insert(&mut self, line: usize, rest: &[(usize, Token)]) -> Result<(), String> {
        let Some((_, Token::Word(name))) = rest.first() else {
            return Err(format!("line {line}: INSERT INTO without a table name"));
        };
        let Some(i) = self
            .tables
            .iter()
            .position(|t| t.name.eq_ignore_ascii_case(name))
        else {
            return Err(format!("line {line}: no such table: {name}"));
        };
        if !is_word(rest.get(1), "VALUES") {
            return Err(format!(
                "line {line}: expected VALUES after INSERT INTO {name} (column lists are not read)"
            ));
        }
        let width = self.tables[i].columns.len();
        let mut row: Option<Vec<Value>> = None;
        let mut expect_value = false;
        for (l, t) in &rest[2..] {
            match (t, row.as_mut()) {
                (Token::Punct('('), None) => {
                    row = Some(Vec::new());
                    expect_value = true;
                }
                (Token::Punct(','), None) => {}
                (Token::Punct(')'), Some(r)) if !expect_value => {
                    if r.len() != width {
                        return Err(format!(
                            "line {l}: {} values for the {width} columns of {name}",
                            r.len()
                        ));
                    }
                    self.tables[i].rows.extend(row.take());
                }
                (Token::Punct(','), Some(_)) if !expect_value => expect_value = true,
                (Token::Int(v), Some(r)) if expect_value => {
                    r.push(Value::Int(*v));
                    expect_value = false;
                }
                (Token::Text(v), Some(r)) if expect_value => {
                    r.push(Value::Text(v.clone()));
                    expect_value = false;
                }
                (Token::Word(w), Some(r)) if expect_value && w.eq_ignore_ascii_case("NULL") => {
                    r.push(Value::Null);
                    expect_value = false;
                }
                (t, _) => return Err(format!("line {l}: unexpected {t:?} in INSERT INTO {name}")),
            }
        }
        if row.is_some() {
            return Err(format!("line {line}: unclosed ( in INSERT INTO {name}"));
        }
        Ok(())
    }

    fn table(&self, name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// The rows of `q`, as SQLite returns them to the adapter.
    pub fn select(&self, q: &Select) -> Result<Rows, String> {
        let t = self
            .table(q.table)
            .ok_or_else(|| format!("no such table: {}", q.table))?;
        let col = |c: &str| {
            t.columns
                .iter()
                .position(|x| x.eq_ignore_ascii_case(c))
                .ok_or_else(|| format!("no such column: {}.{c}", t.name))
        };
        let pick = q
            .columns
            .iter()
            .map(|c| col(c))
            .collect::<Result<Vec<_>, _>>()?;
        let order = q
            .order_by
            .iter()
            .map(|c| col(c))
            .collect::<Result<Vec<_>, _>>()?;
        let mut rows: Vec<&Vec<Value>> = t.rows.iter().collect();
        // stable, like SQLite on ties (insertion order)
        rows.sort_by(|a, b| {
            order
                .iter()
                .map(|&i| a[i].cmp_sql(&b[i]))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
        Ok(rows
            .into_iter()
            .map(|r| pick.iter().map(|&i| r[i].clone().into_cell()).collect())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::Tables;
    use crate::sources::sql::SELECTS;

    #[test]
    fn reads_the_fixture_script_and_sorts_like_order_by() {
        let script = crate::bundled::file("corp-db.sql").unwrap();
        let db = Tables::load(script).unwrap();
        let notes = db.select(&SELECTS[3]).unwrap();
        let ids: Vec<&str> = notes.iter().map(|r| r[0].as_deref().unwrap()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        // '' is a quote inside a string
        assert!(
            notes
                .iter()
                .any(|r| r[2].as_deref().unwrap().contains("plant's"))
        );
    }

    #[test]
    fn bad_scripts_name_the_line() {
        let cases = [
            (
                "CREATE TABLE t (a TEXT);\nINSERT INTO t VALUES ('x', 1);",
                "line 2: 2 values",
            ),
            (
                "CREATE TABLE t (a TEXT);\nINSERT INTO u VALUES (1);",
                "line 2: no such table: u",
            ),
            (
                "CREATE TABLE t (a TEXT);\n\nDROP TABLE t;",
                "line 3: only CREATE",
            ),
            ("INSERT INTO t VALUES ('open", "line 1: unterminated string"),
        ];
        for (script, want) in cases {
            let err = Tables::load(script).unwrap_err();
            assert!(err.contains(want), "{script:?}: {err}");
        }
    }
}
