//! Queries whose text is assembled at run time (filters, scopes, `IN` lists). [`Sql`] collects
//! the text with `$N` placeholders (both drivers read them) and typed values, and runs on the
//! connection's driver: the values are bound for that driver, rows decoded by its `FromRow`.
//! Static queries do not need it: they are written once inside [`on!`](crate::store::on).

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Arguments, Database, Decode, Encode, FromRow, Type};
use std::fmt::Display;
use uuid::Uuid;

use super::Conn;
use crate::domain::audit::AuditAction;
use crate::domain::model::{
    ClientKind, ConnectorType, ManagedBy, MembershipStatus, OrganizationKind, PartnerRole, Via,
};
use crate::domain::{
    BrandId, ConnectorId, MembershipId, OrganizationId, OutletGroupId, OutletId, Permission,
    ReportRoleId, RoleId, TokenId, UserId,
};

/// A value bound to a placeholder, typed even when it is NULL (PostgreSQL checks the type of
/// every parameter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    Int(Option<i64>),
    Bool(Option<bool>),
}

macro_rules! values {
    ($variant:ident: $($from:ty => |$v:ident| $into:expr),+ $(,)?) => {$(
        impl From<$from> for Value {
            fn from($v: $from) -> Self {
                Value::$variant(Some($into))
            }
        }
        impl From<Option<$from>> for Value {
            fn from(value: Option<$from>) -> Self {
                Value::$variant(value.map(|$v| $into))
            }
        }
    )+};
}

values!(Uuid:
    Uuid => |v| v,
    OrganizationId => |v| v.0,
    BrandId => |v| v.0,
    OutletId => |v| v.0,
    OutletGroupId => |v| v.0,
    UserId => |v| v.0,
    MembershipId => |v| v.0,
    RoleId => |v| v.0,
    ConnectorId => |v| v.0,
    TokenId => |v| v.0,
    ReportRoleId => |v| v.0,
);
values!(Text:
    String => |v| v,
    &str => |v| v.to_string(),
    &String => |v| v.clone(),
    ConnectorType => |v| v.as_str().to_string(),
    PartnerRole => |v| v.as_str().to_string(),
    MembershipStatus => |v| v.as_str().to_string(),
    ManagedBy => |v| v.as_str().to_string(),
    OrganizationKind => |v| v.as_str().to_string(),
    Via => |v| v.as_str().to_string(),
    Permission => |v| v.as_str().to_string(),
    AuditAction => |v| v.as_str().to_string(),
    ClientKind => |v| v.as_str().to_string(),
);
values!(Int: i64 => |v| v, i32 => |v| i64::from(v), u32 => |v| i64::from(v));
values!(Bool: bool => |v| v);

/// The SQL text and its values, in placeholder order.
#[derive(Debug, Clone, Default)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
    /// Run as an unnamed statement: see [`Sql::planned_each_time`].
    planned_each_time: bool,
}

/// A row type both drivers can decode.
pub trait Decoded:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Decoded for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// A single column both drivers can decode.
pub trait Scalar:
    for<'r> Decode<'r, sqlx::Sqlite>
    + Type<sqlx::Sqlite>
    + for<'r> Decode<'r, sqlx::Postgres>
    + Type<sqlx::Postgres>
    + Send
    + Unpin
{
}
impl<T> Scalar for T where
    T: for<'r> Decode<'r, sqlx::Sqlite>
        + Type<sqlx::Sqlite>
        + for<'r> Decode<'r, sqlx::Postgres>
        + Type<sqlx::Postgres>
        + Send
        + Unpin
{
}

impl Sql {
    pub fn new(text: impl Display) -> Self {
        Self {
            text: text.to_string(),
            values: Vec::new(),
            planned_each_time: false,
        }
    }

    /// Runs the statement unprepared (unnamed), so that PostgreSQL plans it for its values on
    /// every run: a statement prepared once may be run with a generic plan after five runs,
    /// made without them (which is what `EXPLAIN` of a fragment search must not be).
    pub fn planned_each_time(&mut self) -> &mut Self {
        self.planned_each_time = true;
        self
    }

    /// Appends trusted SQL text.
    pub fn push(&mut self, text: impl Display) -> &mut Self {
        use std::fmt::Write;
        let _ = write!(self.text, "{text}");
        self
    }

    /// Appends the next placeholder and binds `value` to it.
    pub fn push_bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        let n = self.values.len();
        self.push(format_args!("${n}"))
    }

    /// Binds the next placeholder already written in the text (`$1`, `$2` … in order).
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.values.push(value.into());
        self
    }

    /// Appends `values` as placeholders separated by `, `.
    pub fn push_list<T: Into<Value>>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.push_bind(value);
        }
        self
    }

    /// Appends `VALUES (…), (…)`: one tuple per item, its values bound by `each`.
    pub fn push_values<I>(
        &mut self,
        items: impl IntoIterator<Item = I>,
        mut each: impl FnMut(Tuple<'_>, I),
    ) -> &mut Self {
        self.push("VALUES ");
        for (i, item) in items.into_iter().enumerate() {
            self.push(if i == 0 { "(" } else { ", (" });
            each(
                Tuple {
                    sql: self,
                    first: true,
                },
                item,
            );
            self.push(")");
        }
        self
    }

    /// Binds `other`'s values to this text's placeholders (a prefix such as `EXPLAIN`).
    pub fn with_values_of(mut self, other: &Sql) -> Self {
        self.values = other.values.clone();
        self
    }

    /// The text as it will run (tests and `EXPLAIN`).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text as the driver of `_conn` runs it. SQLite binds `$N` by name, looking each one
    /// up in a list: quadratic in the number of placeholders (a 30,000-value insert of
    /// `brigade synth` spent three fifths of its time there). When the placeholders are `$1`,
    /// `$2` … in order, each once, SQLite gets the same statement with `?`, bound in order.
    fn text_for<C, DB>(&self, _conn: &C) -> std::borrow::Cow<'_, str>
    where
        C: sqlx::Connection<Database = DB>,
        DB: Database,
    {
        match DB::NAME {
            "SQLite" => self.sqlite_text(),
            _ => std::borrow::Cow::Borrowed(self.text.as_str()),
        }
    }

    /// The text as SQLite runs it (see [`Sql::text_for`]): what a SQLite connection prepares
    /// and caches for this statement.
    pub(super) fn sqlite_text(&self) -> std::borrow::Cow<'_, str> {
        positional(&self.text).map_or(
            std::borrow::Cow::Borrowed(self.text.as_str()),
            std::borrow::Cow::Owned,
        )
    }

    /// The values bound for the driver of `_conn`.
    pub(crate) fn arguments<'q, C, DB>(&'q self, _conn: &C) -> DB::Arguments<'q>
    where
        C: sqlx::Connection<Database = DB>,
        DB: Database,
        Option<Uuid>: Encode<'q, DB> + Type<DB>,
        Option<&'q str>: Encode<'q, DB> + Type<DB>,
        Option<i64>: Encode<'q, DB> + Type<DB>,
        Option<bool>: Encode<'q, DB> + Type<DB>,
    {
        let mut arguments = DB::Arguments::default();
        for value in &self.values {
            // Adding a value only fails when its encoding does, which these types never do.
            let _ = match value {
                Value::Uuid(v) => arguments.add(*v),
                Value::Text(v) => arguments.add(v.as_deref()),
                Value::Int(v) => arguments.add(*v),
                Value::Bool(v) => arguments.add(*v),
            };
        }
        arguments
    }

    pub async fn fetch_all<T: Decoded>(&self, conn: &mut Conn) -> sqlx::Result<Vec<T>> {
        super::on!(conn, |c| {
            let text = self.text_for(&*c);
            sqlx::query_as_with(&text, self.arguments(&*c))
                .persistent(!self.planned_each_time)
                .fetch_all(c)
                .await
        })
    }

    pub async fn fetch_one<T: Decoded>(&self, conn: &mut Conn) -> sqlx::Result<T> {
        super::on!(conn, |c| {
            let text = self.text_for(&*c);
            sqlx::query_as_with(&text, self.arguments(&*c))
                .persistent(!self.planned_each_time)
                .fetch_one(c)
                .await
        })
    }

    pub async fn fetch_optional<T: Decoded>(&self, conn: &mut Conn) -> sqlx::Result<Option<T>> {
        super::on!(conn, |c| {
            let text = self.text_for(&*c);
            sqlx::query_as_with(&text, self.arguments(&*c))
                .persistent(!self.planned_each_time)
                .fetch_optional(c)
                .await
        })
    }

    pub async fn scalars<T: Scalar>(&self, conn: &mut Conn) -> sqlx::Result<Vec<T>> {
        super::on!(conn, |c| {
            let text = self.text_for(&*c);
            sqlx::query_scalar_with(&text, self.arguments(&*c))
                .persistent(!self.planned_each_time)
                .fetch_all(c)
                .await
        })
    }

    pub async fn scalar<T: Scalar>(&self, conn: &mut Conn) -> sqlx::Result<T> {
        super::on!(conn, |c| {
            let text = self.text_for(&*c);
            sqlx::query_scalar_with(&text, self.arguments(&*c))
                .persistent(!self.planned_each_time)
                .fetch_one(c)
                .await
        })
    }

    pub async fn scalar_optional<T: Scalar>(&self, conn: &mut Conn) -> sqlx::Result<Option<T>> {
        super::on!(conn, |c| {
            let (text, arguments) = (self.text_for(&*c), self.arguments(&*c));
            sqlx::query_scalar_with(&text, arguments)
                .persistent(!self.planned_each_time)
                .fetch_optional(c)
                .await
        })
    }

    /// Runs a statement; the number of rows it changed.
    pub async fn execute(&self, conn: &mut Conn) -> sqlx::Result<u64> {
        super::on!(conn, |c| {
            let text = self.text_for(&*c);
            sqlx::query_with(&text, self.arguments(&*c))
                .persistent(!self.planned_each_time)
                .execute(c)
                .await
                .map(|done| done.rows_affected())
        })
    }
}

/// A row type that SQLite's readers also decode on the calling thread ([`Sql::fetch_all_read`]),
/// from its columns in the order its statement selects them.
pub trait DirectRow: Sized {
    fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self>;
}

/// One column, as [`Sql::scalar_read`] reads it.
impl<T: rusqlite::types::FromSql> DirectRow for (T,) {
    fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?,))
    }
}

impl Sql {
    /// [`Sql::fetch_all`] for a read: on a SQLite reader the statement runs and its rows are
    /// decoded on this thread ([`Reader::direct`](super::Reader::direct)), unless it runs
    /// too long for this thread and is run again on the driver's; on any other connection (a
    /// transaction, PostgreSQL) through the driver, as `fetch_all`.
    pub async fn fetch_all_read<T: Decoded + DirectRow>(
        &self,
        conn: &mut Conn,
    ) -> sqlx::Result<Vec<T>> {
        let Conn::SqliteReader(reader) = conn else {
            return self.fetch_all(conn).await;
        };
        let text = self.text_for(&***reader);
        let read = reader
            .direct(|c| {
                let mut statement = c.prepare_cached(&text)?;
                self.bind_direct(&mut statement)?;
                let mut rows = statement.raw_query();
                let mut read = Vec::new();
                while let Some(row) = rows.next()? {
                    read.push(T::from_direct(row)?);
                }
                Ok(read)
            })
            .await?;
        match read {
            Some(read) => Ok(read),
            None => self.fetch_all(conn).await,
        }
    }

    /// [`Sql::fetch_optional`] for a read, the way [`Sql::fetch_all_read`] reads: the first
    /// row, if any.
    pub async fn fetch_optional_read<T: Decoded + DirectRow>(
        &self,
        conn: &mut Conn,
    ) -> sqlx::Result<Option<T>> {
        Ok(self.fetch_all_read(conn).await?.into_iter().next())
    }

    /// [`Sql::scalar`] for a read, the way [`Sql::fetch_all_read`] reads: the one row's one
    /// column.
    pub async fn scalar_read<T>(&self, conn: &mut Conn) -> sqlx::Result<T>
    where
        (T,): Decoded + DirectRow,
    {
        let (value,) = self
            .fetch_optional_read(conn)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        Ok(value)
    }

    /// Binds the values to a statement of this text, as sqlx binds them on SQLite: a UUID as
    /// its 16 bytes, a boolean as 0 or 1. Placeholders are `?` in order (see [`positional`])
    /// or `$N`, which names the Nth value.
    fn bind_direct(&self, statement: &mut rusqlite::Statement<'_>) -> rusqlite::Result<()> {
        for index in 1..=statement.parameter_count() {
            let value = match statement.parameter_name(index) {
                None => self.values.get(index - 1),
                Some(name) => name
                    .strip_prefix('$')
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| self.values.get(n.checked_sub(1)?)),
            }
            .ok_or(rusqlite::Error::InvalidParameterCount(
                index,
                self.values.len(),
            ))?;
            match value {
                Value::Uuid(v) => statement.raw_bind_parameter(index, v.map(Uuid::into_bytes))?,
                Value::Text(v) => statement.raw_bind_parameter(index, v.as_deref())?,
                Value::Int(v) => statement.raw_bind_parameter(index, v)?,
                Value::Bool(v) => statement.raw_bind_parameter(index, v)?,
            }
        }
        Ok(())
    }
}

/// Column readers for [`DirectRow`]: the types as sqlx stores them on SQLite.
pub(crate) mod direct {
    use rusqlite::Row;
    use rusqlite::types::{FromSqlError, Type};
    use std::str::FromStr;
    use uuid::Uuid;

    /// A UUID (16 bytes), into its id type.
    pub fn id<T: From<Uuid>>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
        Ok(Uuid::from_bytes(row.get::<_, [u8; 16]>(index)?).into())
    }

    pub fn optional_id<T: From<Uuid>>(row: &Row<'_>, index: usize) -> rusqlite::Result<Option<T>> {
        Ok(row
            .get::<_, Option<[u8; 16]>>(index)?
            .map(|bytes| Uuid::from_bytes(bytes).into()))
    }

    /// A text parsed into a type of the domain (`text_enum!`): an unknown text fails, as its
    /// sqlx decoding does.
    pub fn parsed<T: FromStr>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
        let text = row.get_ref(index)?.as_str().map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(index, Type::Text, Box::new(error))
        })?;
        text.parse().map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                index,
                Type::Text,
                Box::new(FromSqlError::Other(
                    format!(
                        "unknown {} {text:?} in the database",
                        std::any::type_name::<T>()
                    )
                    .into(),
                )),
            )
        })
    }
}

/// One tuple of [`Sql::push_values`].
pub struct Tuple<'s> {
    sql: &'s mut Sql,
    first: bool,
}

impl Tuple<'_> {
    pub fn push_bind(&mut self, value: impl Into<Value>) -> &mut Self {
        if !self.first {
            self.sql.push(", ");
        }
        self.first = false;
        self.sql.push_bind(value);
        self
    }
}

/// `text` with `?` for its placeholders, when they are `$1`, `$2` … in order, each once
/// (outside quoted text); `None` otherwise, or when it has none.
fn positional(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut next, mut copied, mut i) = (1u64, 0, 0);
    let mut quote = None;
    while i < bytes.len() {
        let byte = bytes[i];
        match quote {
            Some(open) if byte == open => quote = None,
            Some(_) => {}
            None if byte == b'\'' || byte == b'"' => quote = Some(byte),
            None if byte == b'$' => {
                let digits = bytes[i + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let number: u64 = text.get(i + 1..i + 1 + digits)?.parse().ok()?;
                if number != next {
                    return None;
                }
                next += 1;
                out.push_str(&text[copied..i]);
                out.push('?');
                i += 1 + digits;
                copied = i;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    if next == 1 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::positional;

    #[test]
    fn placeholders_in_order_become_positional_and_anything_else_stays() {
        let cases = [
            (
                "in order",
                "SELECT $1, $2 WHERE a = $3",
                Some("SELECT ?, ? WHERE a = ?"),
            ),
            (
                "ten and more",
                "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                Some("VALUES (?,?,?,?,?,?,?,?,?,?,?)"),
            ),
            (
                "quoted dollars are text",
                "SELECT '$2', $1 WHERE b = 'it''s $9'",
                Some("SELECT '$2', ? WHERE b = 'it''s $9'"),
            ),
            ("one used twice", "SELECT $1 WHERE a = $1", None),
            ("out of order", "SELECT $2, $1", None),
            ("none", "SELECT 1", None),
            ("a lone dollar", "SELECT $ FROM t", None),
        ];
        for (name, text, expected) in cases {
            assert_eq!(positional(text).as_deref(), expected, "{name}");
        }
    }
}
