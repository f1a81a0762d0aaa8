//! CSV documents as the exports write them: a header row, then one row per
//! record, every cell defused against spreadsheet formulas (SPEC §8).
use crate::{domain::text::csv_cell_out, error::AppResult};

/// `columns`, then `rows`, as one CSV document.
pub fn document<const N: usize>(
    columns: [&str; N],
    rows: impl IntoIterator<Item = [String; N]>,
) -> AppResult<String> {
    let failed = |e: csv::Error| anyhow::Error::from(e);
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(columns).map_err(failed)?;
    for cells in rows {
        writer
            .write_record(cells.iter().map(|cell| csv_cell_out(cell).into_owned()))
            .map_err(failed)?;
    }
    let bytes = writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(String::from_utf8(bytes).map_err(anyhow::Error::from)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_rows_and_defused_cells() {
        let rows = [
            ["PK".to_owned(), "=1+1".to_owned()],
            ["JO".to_owned(), "a, \"b\"".to_owned()],
        ];
        let csv = document(["code", "note"], rows).unwrap();
        assert_eq!(csv, "code,note\nPK,'=1+1\nJO,\"a, \"\"b\"\"\"\n");
        assert_eq!(document(["only"], []).unwrap(), "only\n");
    }
}
