//! The catalog as CSV: export every course, import a file that upserts
//! courses by MASL id, all or nothing.
//!
//! Format: UTF-8 (a byte-order mark is tolerated), a header row, one course a
//! row, CRLF or LF, RFC 4180 quoting (a quoted cell may span lines). Columns,
//! in export order: [`COLUMNS`]. Multi-valued cells are joined with `;`
//! (`officer;civilian`, `B000001;B000002`); `opi_min` is
//! `listening/speaking` (`2/2+`); booleans are `true`/`false`; an empty
//! `ecl_min` or `opi_min` means no minimum. On import the header names the
//! columns in any order; `description`, `ecl_min`, `opi_min`, `e_imet`,
//! `prerequisites` and `active` may be left out (empty, none, none, false,
//! none, true). A prerequisite may name a course defined later in the file.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use crate::services::csv_out;
use crate::{
    db,
    db::audit::{self, Change, snapshot},
    domain::actor::Actor,
    domain::text::{csv_cell_in, field_control_char_error},
    domain::{
        course::{Audience, Category},
        ilr::Opi,
        masl::MaslId,
        prerequisites::describe_cycle,
    },
    entities::course,
    error::{AppError, AppResult, RowError},
    services::courses::{self, Catalog, CourseFields, NewCourse},
};

/// The columns, in export order.
pub const COLUMNS: [&str; 12] = [
    "masl_id",
    "title",
    "school",
    "location",
    "category",
    "ecl_min",
    "opi_min",
    "e_imet",
    "audience",
    "prerequisites",
    "active",
    "description",
];

/// Columns an import must have.
const REQUIRED: [&str; 6] = [
    "masl_id", "title", "school", "location", "category", "audience",
];

/// The largest import accepted, in bytes.
pub const MAX_IMPORT_BYTES: usize = 10 * 1024 * 1024;

/// What an import did.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Every course, archived ones included, in MASL id order.
pub async fn export<C: ConnectionTrait>(db: &C) -> AppResult<String> {
    let models = course::Entity::find()
        .order_by_asc(course::Column::MaslId)
        .all(db)
        .await?;
    let views = courses::views(db, models).await?;
    csv_out::document(
        COLUMNS,
        views.into_iter().map(|c| {
            let audience: Vec<&str> = c.audience.iter().map(|a| a.as_str()).collect();
            [
                c.masl_id,
                c.title,
                c.school,
                c.location,
                c.category.to_string(),
                c.ecl_min.map(|e| e.to_string()).unwrap_or_default(),
                c.opi_min.map(|o| o.to_string()).unwrap_or_default(),
                c.e_imet.to_string(),
                audience.join(";"),
                c.prerequisites.join(";"),
                c.active.to_string(),
                c.description,
            ]
        }),
    )
}

/// One parsed row, with the physical line it starts on.
struct Row {
    line: u64,
    fields: CourseFields,
}

/// Reads the file into rows, or every error found.
fn parse(bytes: &[u8]) -> Result<Vec<Row>, Vec<RowError>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64
            + 1;
        vec![row_error(line, "file", "is not valid UTF-8")]
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        _ => {
            return Err(vec![row_error(
                1,
                "file",
                "is empty; expected a header row",
            )]);
        }
    };
    let columns = read_header(&header)?;
    let lines = LineIndex::new(text);
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen: HashMap<MaslId, u64> = HashMap::new();
    for record in records {
        let record = record.map_err(|e| vec![row_error(0, "file", &e.to_string())])?;
        let line = record
            .position()
            .map(|p| lines.line_at(p.byte() as usize))
            .unwrap_or(0);
        if record.len() != header.len() {
            errors.push(row_error(
                line,
                "row",
                &format!(
                    "has {} cells; the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
            continue;
        }
        if let Some((name, message)) = header.iter().zip(record.iter()).find_map(|(name, value)| {
            field_control_char_error(name, value).map(|m| (name.trim(), m))
        }) {
            errors.push(row_error(line, name, &message));
            continue;
        }
        let cell = |name: &str| {
            columns
                .get(name)
                .and_then(|i| record.get(*i))
                .map(|value| csv_cell_in(value).trim())
        };
        match read_row(cell) {
            Ok(fields) => {
                if let Some(first) = seen.insert(fields.masl_id.clone(), line) {
                    errors.push(row_error(
                        line,
                        "masl_id",
                        &format!("{} is already defined on line {first}", fields.masl_id),
                    ));
                } else {
                    rows.push(Row { line, fields });
                }
            }
            Err(field_errors) => {
                errors.extend(field_errors.into_iter().flat_map(|(field, messages)| {
                    // Nested names (`opi_min.listening`) are reported at their column.
                    let column = field.split(['.', '[']).next().unwrap_or(&field).to_owned();
                    messages
                        .into_iter()
                        .map(move |m| row_error(line, &column, &m))
                }))
            }
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Physical line numbers of byte offsets. A record's position from the csv
/// reader may point at the line break ending the previous record (with CRLF,
/// its `\n` is consumed as part of the next record), so the record's first
/// byte is found by skipping line breaks.
struct LineIndex<'a> {
    text: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.as_bytes();
        let newlines = text
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Self { text, newlines }
    }

    fn line_at(&self, byte: usize) -> u64 {
        let start = self.text[byte.min(self.text.len())..]
            .iter()
            .position(|b| !matches!(b, b'\r' | b'\n'))
            .map_or(self.text.len(), |skip| byte + skip);
        self.newlines.partition_point(|&n| n < start) as u64 + 1
    }
}

fn row_error(line: u64, field: &str, message: &str) -> RowError {
    RowError {
        line,
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

/// Column name → index; every column known, the required ones present.
fn read_header(header: &csv::StringRecord) -> Result<HashMap<String, usize>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut columns = HashMap::new();
    for (index, name) in header.iter().enumerate() {
        let name = name.trim().to_ascii_lowercase();
        if !COLUMNS.contains(&name.as_str()) {
            errors.push(row_error(
                1,
                &name,
                &format!("is not a column; expected {}", COLUMNS.join(", ")),
            ));
        } else if columns.insert(name.clone(), index).is_some() {
            errors.push(row_error(1, &name, "appears twice in the header"));
        }
    }
    for name in REQUIRED {
        if !columns.contains_key(name) {
            errors.push(row_error(1, name, "is a required column"));
        }
    }
    if errors.is_empty() {
        Ok(columns)
    } else {
        Err(errors)
    }
}

type FieldErrors = BTreeMap<String, Vec<String>>;

/// Reads one row's cells into checked course fields; the errors name every
/// bad cell of the row.
fn read_row<'a>(cell: impl Fn(&str) -> Option<&'a str>) -> Result<CourseFields, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut fail = |field: &str, message: String| {
        errors.entry(field.to_owned()).or_default().push(message);
    };
    let text = |name: &str| cell(name).unwrap_or("").to_owned();
    let list = |name: &str| -> Vec<String> {
        cell(name)
            .unwrap_or("")
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    };
    // An unreadable cell is reported and replaced by a placeholder, so the
    // rest of the row is still checked.
    let category = cell("category").unwrap_or("").parse().unwrap_or_else(|e| {
        fail("category", e);
        Category::Other
    });
    let ecl_min = match cell("ecl_min").unwrap_or("") {
        "" => None,
        raw => raw
            .parse::<i32>()
            .map_err(|_| fail("ecl_min", format!("`{raw}` is not a whole number")))
            .ok(),
    };
    let opi_min = match cell("opi_min").unwrap_or("") {
        "" => None,
        raw => Opi::parse_pair(raw).map_err(|e| fail("opi_min", e)).ok(),
    };
    let e_imet = boolean(cell("e_imet"), false).unwrap_or_else(|e| {
        fail("e_imet", e);
        false
    });
    let active = boolean(cell("active"), true).unwrap_or_else(|e| {
        fail("active", e);
        true
    });
    let mut audience = Vec::new();
    for name in list("audience") {
        match name.parse::<Audience>() {
            Ok(a) => audience.push(a),
            Err(e) => fail("audience", e),
        }
    }
    let new = NewCourse {
        masl_id: text("masl_id"),
        title: text("title"),
        school: text("school"),
        location: text("location"),
        description: text("description"),
        category,
        ecl_min,
        opi_min,
        e_imet,
        audience,
        prerequisites: list("prerequisites"),
        active: Some(active),
    };
    let checked = new.check();
    match checked {
        Ok(fields) if errors.is_empty() => Ok(fields),
        Ok(_) => Err(errors),
        Err(more) => {
            for (field, messages) in more {
                let listed = errors.entry(field).or_default();
                // An audience cell of unknown names is one error, not two.
                if listed.is_empty() {
                    listed.extend(messages);
                }
            }
            Err(errors)
        }
    }
}

fn boolean(cell: Option<&str>, default: bool) -> Result<bool, String> {
    match cell.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(format!("`{other}` is not true or false")),
    }
}

/// Imports a CSV file: every row is checked (cells, duplicates, that each
/// prerequisite exists in the catalog or the file, no cycle) before anything
/// is written; then, in one transaction, new courses are created and changed
/// ones updated. Rows equal to the stored course write nothing.
pub async fn import(
    db: &DatabaseConnection,
    actor: &Actor,
    bytes: &[u8],
) -> AppResult<ImportSummary> {
    let rows = parse(bytes).map_err(AppError::InvalidRows)?;
    let txn = db::write_txn(db).await?;
    let mut catalog = Catalog::load(&txn).await?;
    check_graph(&mut catalog, &rows).map_err(AppError::InvalidRows)?;

    let in_file: BTreeSet<&str> = rows.iter().map(|r| r.fields.masl_id.as_str()).collect();
    let existing: HashMap<String, course::Model> = course::Entity::find()
        .all(&txn)
        .await?
        .into_iter()
        .filter(|c| in_file.contains(c.masl_id.as_str()))
        .map(|c| (c.masl_id.clone(), c))
        .collect();
    let befores = courses::views(&txn, existing.values().cloned().collect()).await?;
    let befores: HashMap<String, courses::CourseView> = befores
        .into_iter()
        .map(|v| (v.masl_id.clone(), v))
        .collect();

    let mut summary = ImportSummary::default();
    let mut changed = Vec::new();
    for row in &rows {
        let masl = row.fields.masl_id.as_str();
        let before = befores.get(masl);
        if let Some(before) = before
            && before.fields()? == row.fields
        {
            summary.unchanged += 1;
            continue;
        }
        let written = courses::write_row(&txn, existing.get(masl).cloned(), &row.fields).await?;
        catalog.ids.insert(row.fields.masl_id.clone(), written.id);
        if before.is_some() {
            summary.updated += 1;
        } else {
            summary.created += 1;
        }
        changed.push((written, row, before));
    }
    for (written, row, _) in &changed {
        let ids: Vec<i32> = row
            .fields
            .prerequisites
            .iter()
            .filter_map(|p| catalog.ids.get(p).copied())
            .collect();
        courses::write_prerequisites(&txn, written.id, ids).await?;
    }
    let afters = courses::views(&txn, changed.iter().map(|(w, _, _)| w.clone()).collect()).await?;
    for (after, (_, _, before)) in afters.iter().zip(&changed) {
        audit::record(
            &txn,
            Change::new(Some(actor.id), "course.import", "course", &after.masl_id)
                .before(before.and_then(snapshot))
                .after(snapshot(after)),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(summary)
}

/// Every prerequisite names a course of the catalog or of the file, and the
/// graph with the file's rows stays acyclic.
fn check_graph(catalog: &mut Catalog, rows: &[Row]) -> Result<(), Vec<RowError>> {
    let in_file: BTreeSet<&MaslId> = rows.iter().map(|r| &r.fields.masl_id).collect();
    let mut errors = Vec::new();
    for row in rows {
        let missing: Vec<&str> = row
            .fields
            .prerequisites
            .iter()
            .filter(|p| !catalog.ids.contains_key(*p) && !in_file.contains(p))
            .map(MaslId::as_str)
            .collect();
        if !missing.is_empty() {
            errors.push(row_error(
                row.line,
                "prerequisites",
                &format!(
                    "no course {} in the catalog or in this file",
                    missing.join(", ")
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for row in rows {
        catalog.set_prerequisites(&row.fields.masl_id, &row.fields.prerequisites);
    }
    if let Some(cycle) = catalog.cycle() {
        // The stored graph is acyclic, so the cycle runs through the file:
        // report it at the first of the file's rows on it.
        let line = rows
            .iter()
            .find(|r| cycle.contains(&r.fields.masl_id))
            .map(|r| r.line)
            .unwrap_or(1);
        return Err(vec![row_error(
            line,
            "prerequisites",
            &format!("makes a prerequisite cycle: {}", describe_cycle(&cycle)),
        )]);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "masl_id,title,school,location,category,ecl_min,opi_min,e_imet,audience,prerequisites,active,description";

    #[test]
    fn rows_parse_with_physical_lines() {
        let file = format!(
            "\u{feff}{HEADER}\r\nB000001,Basic,School,Here,pme,,,false,officer,,true,\"two\r\nlines\"\r\nB000002,Next,School,Here,technical,70,2/2+,true,officer;civilian,B000001,,\r\n"
        );
        let rows = parse(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].fields.description, "two\r\nlines");
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].fields.opi_min.unwrap().to_string(), "2/2+");
        assert!(rows[1].fields.active);
    }

    #[test]
    fn errors_name_line_and_field() {
        let cases = [
            ("B1,T,S,L,pme,,,false,officer,,,", vec![(2, "masl_id")]),
            (
                "B000001,T,S,L,pmx,,,false,officer,,,",
                vec![(2, "category")],
            ),
            (
                "B000001,T,S,L,pme,x,,false,officer,,,",
                vec![(2, "ecl_min")],
            ),
            (
                "B000001,T,S,L,pme,101,,false,officer,,,",
                vec![(2, "ecl_min")],
            ),
            (
                "B000001,T,S,L,pme,,2/9,false,officer,,,",
                vec![(2, "opi_min")],
            ),
            ("B000001,T,S,L,pme,,,maybe,officer,,,", vec![(2, "e_imet")]),
            ("B000001,T,S,L,pme,,,false,,,,", vec![(2, "audience")]),
            ("B000001,T,S,L,pme,,,false,pilot,,,", vec![(2, "audience")]),
            (
                "B000001,,S,L,pme,,,false,officer,X,,",
                vec![(2, "prerequisites"), (2, "title")],
            ),
            ("B000001,T,S,L,pme", vec![(2, "row")]),
        ];
        for (row, expected) in cases {
            let file = format!("{HEADER}\n{row}\n");
            let errors = parse(file.as_bytes()).err().unwrap_or_default();
            let got: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
            assert_eq!(got, expected, "{row}");
        }
    }

    #[test]
    fn header_and_encoding_errors() {
        type Expected = Vec<(u64, &'static str)>;
        let cases: [(&[u8], Expected); 4] = [
            (b"", vec![(1, "file")]),
            (b"masl_id,title,school,location,category,colour\n", vec![(1, "colour"), (1, "audience")]),
            (b"masl_id,title,school,location,category,audience,title\n", vec![(1, "title")]),
            (
                b"masl_id,title,school,location,category,audience\nB000001,T,S,L,pme,officer\nB000002,\xff,S,L,pme,officer\n",
                vec![(3, "file")],
            ),
        ];
        for (file, expected) in cases {
            let errors = parse(file).err().unwrap_or_default();
            let got: Vec<(u64, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
            assert_eq!(got, expected, "{}", String::from_utf8_lossy(file));
        }
    }

    #[test]
    fn a_masl_id_twice_is_refused_at_the_second_line() {
        let file = "masl_id,title,school,location,category,audience\nB000001,T,S,L,pme,officer\nb000001,T,S,L,pme,officer\n";
        let errors = parse(file.as_bytes()).err().unwrap();
        assert_eq!((errors[0].line, errors[0].field.as_str()), (3, "masl_id"));
    }
}
