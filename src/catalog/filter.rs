//! Filter expressions over runs, in MLflow's search syntax (a superset of it).
//!
//! ```text
//! metrics.rmse < 1 and params.model = "tree"
//! metrics.`val/auc` >= 0.8 or tags.stage = 'prod'
//! status = 'FINISHED' and name LIKE 'gbm%'
//! params.optimizer IN ('adam', 'sgd') and not (user = 'ci')
//! ```
//!
//! Keys: `metrics.<key>` (the run's final value), `params.<key>`, `tags.<key>`, and attributes,
//! optionally written `attributes.<name>`: `run_id`/`id`, `name`/`run_name`, `status`,
//! `lifecycle`, `user`, `source`, `experiment`, `project`, `start_time`, `end_time`. A key with
//! characters other than letters, digits, `_`, `.`, `/`, `-` is quoted with backticks or double
//! quotes after the dot (``metrics.`f1 score` ``).
//!
//! Operators: `=`, `!=`, `<`, `<=`, `>`, `>=`, `LIKE`, `ILIKE` (`%` any run, `_` one character),
//! `IN (...)`, `NOT IN (...)`; `and`, `or`, `not` and parentheses (MLflow itself has only `and`).
//! A run without the key never matches (except `!=` and `NOT IN`, which MLflow also fails).
//! Metrics compare as numbers; params and tags compare as numbers when both sides are numbers,
//! as strings otherwise. Keywords are case-insensitive.

use std::collections::BTreeMap;
use std::fmt;

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare { key: Key, op: Op, value: Value },
}

/// What a comparison looks at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Metric(String),
    Param(String),
    Tag(String),
    Attribute(Attribute),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Attribute {
    RunId,
    Name,
    Status,
    Lifecycle,
    User,
    Source,
    Experiment,
    Project,
    StartTime,
    EndTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    ILike,
    In,
    NotIn,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64),
    Text(String),
    List(Vec<Value>),
}

/// A run as the filter sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunView<'a> {
    pub run_id: &'a str,
    pub name: Option<&'a str>,
    pub status: Option<&'a str>,
    pub lifecycle: Option<&'a str>,
    pub user: Option<&'a str>,
    pub source: &'a str,
    pub experiment: Option<&'a str>,
    pub project: &'a str,
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    pub metrics: Option<&'a BTreeMap<String, f64>>,
    pub params: Option<&'a BTreeMap<String, String>>,
    pub tags: Option<&'a BTreeMap<String, String>>,
}

/// A filter that could not be parsed: where, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter at column {column}: {message}\n  {input}\n  {caret:>width$}", caret = "^", width = column)]
pub struct FilterError {
    /// 1-based column of the offending character.
    pub column: usize,
    pub message: String,
    pub input: String,
}

impl crate::error::Classify for FilterError {
    fn code(&self) -> crate::error::ErrorCode {
        crate::error::ErrorCode::BadFilter
    }
}

impl Filter {
    /// Parses a filter expression.
    pub fn parse(input: &str) -> Result<Filter, FilterError> {
        let tokens = lex(input)?;
        let mut p = Parser {
            input,
            tokens,
            pos: 0,
        };
        let filter = p.or_expr()?;
        if let Some(t) = p.tokens.get(p.pos) {
            return Err(p.error_at(
                t.start,
                format!("expected `and`, `or` or the end, found `{}`", t.text(input)),
            ));
        }
        Ok(filter)
    }

    /// Whether `run` matches.
    pub fn matches(&self, run: &RunView<'_>) -> bool {
        match self {
            Filter::And(a, b) => a.matches(run) && b.matches(run),
            Filter::Or(a, b) => a.matches(run) || b.matches(run),
            Filter::Not(f) => !f.matches(run),
            Filter::Compare { key, op, value } => compare(key, *op, value, run),
        }
    }
}

impl Key {
    /// Parses a key as written in filters and `--sort` (e.g. `metrics.val/auc`, `status`).
    pub fn parse(text: &str) -> Option<Key> {
        let (kind, rest) = match text.split_once('.') {
            Some((kind, rest)) => (kind.to_ascii_lowercase(), Some(unquote(rest))),
            None => (String::new(), None),
        };
        match (kind.as_str(), rest) {
            ("metrics" | "metric", Some(k)) if !k.is_empty() => Some(Key::Metric(k)),
            ("params" | "param" | "parameters", Some(k)) if !k.is_empty() => Some(Key::Param(k)),
            ("tags" | "tag", Some(k)) if !k.is_empty() => Some(Key::Tag(k)),
            ("attributes" | "attribute" | "attr" | "run", Some(k)) => {
                Attribute::parse(&k).map(Key::Attribute)
            }
            ("", None) => Attribute::parse(text).map(Key::Attribute),
            _ => None,
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Metric(k) => write!(f, "metrics.{k}"),
            Key::Param(k) => write!(f, "params.{k}"),
            Key::Tag(k) => write!(f, "tags.{k}"),
            Key::Attribute(a) => write!(f, "{}", a.name()),
        }
    }
}

impl Attribute {
    fn parse(name: &str) -> Option<Attribute> {
        Some(match name.to_ascii_lowercase().as_str() {
            "run_id" | "id" | "run" => Attribute::RunId,
            "name" | "run_name" => Attribute::Name,
            "status" => Attribute::Status,
            "lifecycle" | "lifecycle_stage" => Attribute::Lifecycle,
            "user" | "user_id" => Attribute::User,
            "source" => Attribute::Source,
            "experiment" | "experiment_id" | "experiment_name" => Attribute::Experiment,
            "project" => Attribute::Project,
            "start_time" | "start" => Attribute::StartTime,
            "end_time" | "end" => Attribute::EndTime,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Attribute::RunId => "run_id",
            Attribute::Name => "name",
            Attribute::Status => "status",
            Attribute::Lifecycle => "lifecycle",
            Attribute::User => "user",
            Attribute::Source => "source",
            Attribute::Experiment => "experiment",
            Attribute::Project => "project",
            Attribute::StartTime => "start_time",
            Attribute::EndTime => "end_time",
        }
    }
}

/// The value `key` has for `run`, if any.
pub enum Field<'a> {
    Number(f64),
    Text(&'a str),
}

/// Looks up `key` on `run` (used by filters and by sorting).
pub fn field<'a>(key: &Key, run: &RunView<'a>) -> Option<Field<'a>> {
    match key {
        Key::Metric(k) => run.metrics?.get(k).map(|v| Field::Number(*v)),
        Key::Param(k) => run.params?.get(k).map(|v| Field::Text(v.as_str())),
        Key::Tag(k) => run.tags?.get(k).map(|v| Field::Text(v.as_str())),
        Key::Attribute(a) => match a {
            Attribute::RunId => Some(Field::Text(run.run_id)),
            Attribute::Name => run.name.map(Field::Text),
            Attribute::Status => run.status.map(Field::Text),
            Attribute::Lifecycle => run.lifecycle.map(Field::Text),
            Attribute::User => run.user.map(Field::Text),
            Attribute::Source => Some(Field::Text(run.source)),
            Attribute::Experiment => run.experiment.map(Field::Text),
            Attribute::Project => Some(Field::Text(run.project)),
            Attribute::StartTime => run.start_ms.map(|v| Field::Number(v as f64)),
            Attribute::EndTime => run.end_ms.map(|v| Field::Number(v as f64)),
        },
    }
}

fn compare(key: &Key, op: Op, value: &Value, run: &RunView<'_>) -> bool {
    let Some(actual) = field(key, run) else {
        return false;
    };
    match op {
        Op::In | Op::NotIn => {
            let Value::List(items) = value else {
                return false;
            };
            let found = items.iter().any(|v| equal(&actual, v));
            found == (op == Op::In)
        }
        Op::Like | Op::ILike => {
            let text = match actual {
                Field::Text(t) => t.to_string(),
                Field::Number(n) => n.to_string(),
            };
            let Value::Text(pattern) = value else {
                return false;
            };
            if op == Op::ILike {
                like(&text.to_lowercase(), &pattern.to_lowercase())
            } else {
                like(&text, pattern)
            }
        }
        Op::Eq => equal(&actual, value),
        Op::Ne => !equal(&actual, value),
        Op::Lt | Op::Le | Op::Gt | Op::Ge => {
            let ordering = match (&actual, value) {
                (Field::Number(a), Value::Number(b)) => a.partial_cmp(b),
                (Field::Text(a), Value::Number(b)) => {
                    a.trim().parse::<f64>().ok().and_then(|a| a.partial_cmp(b))
                }
                (Field::Text(a), Value::Text(b)) => Some((*a).cmp(b.as_str())),
                (Field::Number(_), Value::Text(_)) | (_, Value::List(_)) => None,
            };
            let Some(o) = ordering else { return false };
            match op {
                Op::Lt => o.is_lt(),
                Op::Le => o.is_le(),
                Op::Gt => o.is_gt(),
                _ => o.is_ge(),
            }
        }
    }
}

fn equal(actual: &Field<'_>, value: &Value) -> bool {
    match (actual, value) {
        (Field::Number(a), Value::Number(b)) => a == b,
        (Field::Number(a), Value::Text(b)) => b.trim().parse::<f64>().is_ok_and(|b| *a == b),
        (Field::Text(a), Value::Text(b)) => a == b,
        (Field::Text(a), Value::Number(b)) => {
            a == &format_number(*b) || a.trim().parse::<f64>().is_ok_and(|a| a == *b)
        }
        (_, Value::List(_)) => false,
    }
}

fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

/// SQL LIKE: `%` matches any run of characters, `_` exactly one.
fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // Iterative matching with backtracking on the last `%` (linear in practice).
    let (mut ti, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '_' || p[pi] == t[ti]) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '%' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '%' {
        pi += 1;
    }
    pi == p.len()
}

fn unquote(text: &str) -> String {
    let t = text.trim();
    for q in ['`', '"'] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return t[1..t.len() - 1].to_string();
        }
    }
    t.to_string()
}

// ---- lexing and parsing ----

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(f64),
    Op(Op),
    LParen,
    RParen,
    Comma,
    And,
    Or,
    Not,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

impl Token {
    fn text<'a>(&self, input: &'a str) -> &'a str {
        &input[self.start..self.end]
    }
}

fn lex(input: &str) -> Result<Vec<Token>, FilterError> {
    let err = |at: usize, message: String| FilterError {
        column: input[..at].chars().count() + 1,
        message,
        input: input.to_string(),
    };
    let bytes = input.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => {
                i += 1;
                Tok::LParen
            }
            b')' => {
                i += 1;
                Tok::RParen
            }
            b',' => {
                i += 1;
                Tok::Comma
            }
            b'=' => {
                i += if bytes.get(i + 1) == Some(&b'=') {
                    2
                } else {
                    1
                };
                Tok::Op(Op::Eq)
            }
            b'!' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                Tok::Op(Op::Ne)
            }
            b'<' => match bytes.get(i + 1) {
                Some(b'=') => {
                    i += 2;
                    Tok::Op(Op::Le)
                }
                Some(b'>') => {
                    i += 2;
                    Tok::Op(Op::Ne)
                }
                _ => {
                    i += 1;
                    Tok::Op(Op::Lt)
                }
            },
            b'>' => {
                if bytes.get(i + 1) == Some(&b'=') {
                    i += 2;
                    Tok::Op(Op::Ge)
                } else {
                    i += 1;
                    Tok::Op(Op::Gt)
                }
            }
            b'\'' | b'"' => {
                let quote = c;
                let mut value = String::new();
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => return Err(err(start, "this string is not closed".into())),
                        Some(&b) if b == quote => {
                            // A doubled quote is a literal quote, as in SQL.
                            if bytes.get(i + 1) == Some(&quote) {
                                value.push(quote as char);
                                i += 2;
                            } else {
                                i += 1;
                                break;
                            }
                        }
                        Some(_) => {
                            let ch = input[i..].chars().next().unwrap_or('\u{fffd}');
                            value.push(ch);
                            i += ch.len_utf8();
                        }
                    }
                }
                Tok::Str(value)
            }
            b'0'..=b'9' | b'-' | b'+' | b'.' => {
                let mut j = i + 1;
                while j < bytes.len()
                    && (bytes[j].is_ascii_alphanumeric() || matches!(bytes[j], b'.' | b'-' | b'+'))
                {
                    j += 1;
                }
                let text = &input[i..j];
                let value = text
                    .parse::<f64>()
                    .map_err(|_| err(start, format!("`{text}` is not a number")))?;
                i = j;
                Tok::Num(value)
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                // An identifier: letters, digits, `_`, `.`, `/`, `-`, and `` `quoted` `` or
                // "quoted" parts after a dot.
                let mut j = i;
                while j < bytes.len() {
                    let b = bytes[j];
                    if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b'-' | b':') {
                        j += 1;
                    } else if (b == b'`' || b == b'"') && j > i && bytes[j - 1] == b'.' {
                        let close = input[j + 1..]
                            .find(b as char)
                            .ok_or_else(|| err(j, "this quoted key is not closed".into()))?;
                        j += close + 2;
                    } else {
                        break;
                    }
                }
                let text = &input[i..j];
                i = j;
                match text.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "like" => Tok::Op(Op::Like),
                    "ilike" => Tok::Op(Op::ILike),
                    "in" => Tok::Op(Op::In),
                    _ => Tok::Ident(text.to_string()),
                }
            }
            _ => {
                let ch = input[i..].chars().next().unwrap_or('?');
                return Err(err(start, format!("unexpected character `{ch}`")));
            }
        };
        tokens.push(Token { tok, start, end: i });
    }
    Ok(tokens)
}

struct Parser<'a> {
    input: &'a str,
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser<'_> {
    fn error_at(&self, at: usize, message: String) -> FilterError {
        FilterError {
            column: self.input[..at].chars().count() + 1,
            message,
            input: self.input.to_string(),
        }
    }

    fn end_error(&self, message: &str) -> FilterError {
        self.error_at(
            self.input.len(),
            format!("{message}, but the filter ends here"),
        )
    }

    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or_expr(&mut self) -> Result<Filter, FilterError> {
        self.chain(Tok::Or, Self::and_expr, Filter::Or)
    }

    fn and_expr(&mut self) -> Result<Filter, FilterError> {
        self.chain(Tok::And, Self::unary, Filter::And)
    }

    /// `operand (op operand)*`, folded to the left with `join`.
    fn chain(
        &mut self,
        op: Tok,
        operand: fn(&mut Self) -> Result<Filter, FilterError>,
        join: fn(Box<Filter>, Box<Filter>) -> Filter,
    ) -> Result<Filter, FilterError> {
        let mut left = operand(self)?;
        while self.peek() == Some(&op) {
            self.pos += 1;
            let right = operand(self)?;
            left = join(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, FilterError> {
        match self.peek() {
            Some(Tok::Not) => {
                self.pos += 1;
                Ok(Filter::Not(Box::new(self.unary()?)))
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let inner = self.or_expr()?;
                match self.next() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => Ok(inner),
                    Some(t) => Err(self.error_at(
                        t.start,
                        format!("expected `)`, found `{}`", t.text(self.input)),
                    )),
                    None => Err(self.end_error("expected `)`")),
                }
            }
            _ => self.comparison(),
        }
    }

    fn comparison(&mut self) -> Result<Filter, FilterError> {
        let key_tok = self
            .next()
            .ok_or_else(|| self.end_error("expected a key such as metrics.rmse"))?;
        let Tok::Ident(text) = &key_tok.tok else {
            return Err(self.error_at(
                key_tok.start,
                format!(
                    "expected a key such as metrics.rmse, params.model or status, found `{}`",
                    key_tok.text(self.input)
                ),
            ));
        };
        let key = Key::parse(text).ok_or_else(|| {
            self.error_at(
                key_tok.start,
                format!(
                    "unknown key `{text}`: use metrics.<key>, params.<key>, tags.<key>, or one of run_id, name, status, lifecycle, user, source, experiment, project, start_time, end_time"
                ),
            )
        })?;
        let op_tok = self.next().ok_or_else(|| {
            self.end_error("expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN)")
        })?;
        let op = match op_tok.tok {
            Tok::Op(op) => op,
            Tok::Not => match self.next() {
                Some(Token {
                    tok: Tok::Op(Op::In),
                    ..
                }) => Op::NotIn,
                _ => return Err(self.error_at(op_tok.start, "expected `NOT IN`".into())),
            },
            _ => {
                return Err(self.error_at(
                    op_tok.start,
                    format!(
                        "expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN), found `{}`",
                        op_tok.text(self.input)
                    ),
                ));
            }
        };
        let value = if matches!(op, Op::In | Op::NotIn) {
            self.list()?
        } else {
            self.scalar()?
        };
        if matches!(op, Op::Like | Op::ILike) && !matches!(value, Value::Text(_)) {
            return Err(self.error_at(
                op_tok.start,
                "LIKE needs a quoted pattern, e.g. 'gbm%'".into(),
            ));
        }
        if matches!(key, Key::Metric(_))
            && matches!(value, Value::Text(_))
            && !matches!(op, Op::Like | Op::ILike)
        {
            return Err(self.error_at(
                key_tok.start,
                format!("{key} is a number: compare it with a number, e.g. {key} < 0.5"),
            ));
        }
        Ok(Filter::Compare { key, op, value })
    }

    fn scalar(&mut self) -> Result<Value, FilterError> {
        match self.next() {
            Some(Token {
                tok: Tok::Num(n), ..
            }) => Ok(Value::Number(n)),
            Some(Token {
                tok: Tok::Str(s), ..
            }) => Ok(Value::Text(s)),
            // An unquoted word (e.g. status = FINISHED) is taken as text: friendlier than MLflow.
            Some(Token {
                tok: Tok::Ident(s), ..
            }) => Ok(Value::Text(s)),
            Some(t) => Err(self.error_at(
                t.start,
                format!(
                    "expected a value (a number or a quoted string), found `{}`",
                    t.text(self.input)
                ),
            )),
            None => Err(self.end_error("expected a value")),
        }
    }

    fn list(&mut self) -> Result<Value, FilterError> {
        match self.next() {
            Some(Token {
                tok: Tok::LParen, ..
            }) => {}
            Some(t) => {
                return Err(self.error_at(
                    t.start,
                    "expected `(` to start the list, e.g. IN ('a', 'b')".into(),
                ));
            }
            None => return Err(self.end_error("expected `(`")),
        }
        let mut items = vec![self.scalar()?];
        loop {
            match self.next() {
                Some(Token {
                    tok: Tok::Comma, ..
                }) => items.push(self.scalar()?),
                Some(Token {
                    tok: Tok::RParen, ..
                }) => return Ok(Value::List(items)),
                Some(t) => {
                    return Err(self.error_at(
                        t.start,
                        format!("expected `,` or `)`, found `{}`", t.text(self.input)),
                    ));
                }
                None => return Err(self.end_error("expected `)`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<'a>(
        metrics: &'a BTreeMap<String, f64>,
        params: &'a BTreeMap<String, String>,
        tags: &'a BTreeMap<String, String>,
    ) -> RunView<'a> {
        RunView {
            run_id: "abc123",
            name: Some("gbm-lr0.1"),
            status: Some("FINISHED"),
            lifecycle: Some("active"),
            user: Some("farah"),
            source: "mlflow",
            experiment: Some("churn"),
            project: "demo",
            start_ms: Some(1000),
            end_ms: Some(2000),
            metrics: Some(metrics),
            params: Some(params),
            tags: Some(tags),
        }
    }

    fn check(expr: &str, expect: bool) {
        let metrics: BTreeMap<String, f64> = [
            ("rmse", 0.7),
            ("val/auc", 0.83),
            ("loss", f64::NAN),
            ("f1 score", 0.5),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let params: BTreeMap<String, String> = [("model", "tree"), ("lr", "0.1"), ("depth", "3")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let tags: BTreeMap<String, String> = [("stage", "prod")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let filter = Filter::parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        assert_eq!(
            filter.matches(&run(&metrics, &params, &tags)),
            expect,
            "{expr} -> {filter:?}"
        );
    }

    #[test]
    fn mlflow_examples() {
        check(r#"metrics.rmse < 1 and params.model = "tree""#, true);
        check("metrics.rmse < 0.5", false);
        check("metrics.`val/auc` >= 0.83", true);
        check("metrics.val/auc > 0.9", false);
        check("metrics.`f1 score` = 0.5", true);
        check("params.lr < 0.2", true);
        check("params.depth = 3", true);
        check("tags.stage != 'dev'", true);
        check("attributes.status = 'FINISHED'", true);
        check("status = FINISHED AND user = 'farah'", true);
        check("name LIKE 'gbm%'", true);
        check("name LIKE 'GBM%'", false);
        check("name ILIKE 'GBM%'", true);
        check("name LIKE 'gbm-lr0._'", true);
        check("params.model IN ('tree', 'linear')", true);
        check("params.model NOT IN ('tree', 'linear')", false);
        check("metrics.missing < 1", false);
        check("metrics.missing != 1", false);
        check("metrics.loss < 1 or metrics.loss >= 1", false);
        check("not (metrics.rmse < 1) or tags.stage = 'prod'", true);
        check(
            "metrics.rmse < 1 and (params.model = 'x' or params.model = 'tree')",
            true,
        );
        check("start_time >= 1000 and end_time < 2000", false);
        check(
            "experiment = 'churn' and project = 'demo' and source = 'mlflow'",
            true,
        );
        check("run_id = 'abc123'", true);
        check("tags.stage = 'it''s'", false);
    }

    fn check_error(expr: &str, column: usize, needle: &str) {
        let err = Filter::parse(expr).unwrap_err();
        assert_eq!(err.column, column, "{expr}: {err}");
        assert!(err.message.contains(needle), "{expr}: {err}");
    }

    #[test]
    fn errors_point_at_the_problem() {
        check_error("metrics.rmse <", 15, "expected a value");
        check_error("metrix.rmse < 1", 1, "unknown key");
        check_error("metrics.rmse ~ 1", 14, "unexpected character");
        check_error("metrics.rmse < 'a'", 1, "is a number");
        check_error("params.model = 'tree", 16, "not closed");
        check_error("(metrics.rmse < 1", 18, "expected `)`");
        check_error("metrics.rmse < 1 params.x = 2", 18, "expected `and`");
        check_error("params.model IN 'a'", 17, "expected `(`");
    }

    #[test]
    fn like_handles_wildcards() {
        assert!(like("abc", "a%"));
        assert!(like("abc", "%c"));
        assert!(like("abc", "%b%"));
        assert!(like("abc", "a_c"));
        assert!(!like("abc", "a_"));
        assert!(like("", "%"));
        assert!(like("aXbXc", "a%b%c"));
        assert!(!like("acb", "a%b%c"));
    }
}
