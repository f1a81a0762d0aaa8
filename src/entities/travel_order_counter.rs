use sea_orm::entity::prelude::*;

/// The last travel order number issued for a country and fiscal year.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "travel_order_counters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub country_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub fiscal_year: i32,
    pub last_seq: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
