use sea_orm::entity::prelude::*;

/// A country exempt from ECL testing in one fiscal year, with a note; in
/// force while `removed_at` is null.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ecl_exemptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub fiscal_year: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub country_code: String,
    pub note: String,
    pub created_by: i32,
    pub created_at: DateTimeUtc,
    pub updated_by: i32,
    pub updated_at: DateTimeUtc,
    pub removed_by: Option<i32>,
    pub removed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::country::Entity",
        from = "Column::CountryCode",
        to = "super::country::Column::Code"
    )]
    Country,
}

impl Related<super::country::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Country.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
