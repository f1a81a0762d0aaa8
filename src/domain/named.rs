//! Enums known by name: stored in the database, sent in JSON and typed in
//! forms under the same name. [`named_enum!`] declares one with everything
//! such an enum needs, so no two of them spell it out again.

/// Declares `pub enum $name` whose variants are named by their string:
/// serde and the OpenAPI schema use the name, as does the database column
/// (a sea-orm active enum stored as text), `as_str`, `Display` and
/// `FromStr` (whose error says the input is not `$what` and lists the
/// names); `ALL` holds the variants in order. Extra derives and docs go
/// before `pub enum`.
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident: $what:tt {
            $( $(#[$vmeta:meta])* $variant:ident = $value:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            Hash,
            serde::Serialize,
            serde::Deserialize,
            utoipa::ToSchema,
            sea_orm::EnumIter,
            sea_orm::DeriveActiveEnum,
        )]
        #[sea_orm(rs_type = "String", db_type = "Text")]
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $value)]
                #[sea_orm(string_value = $value)]
                $variant,
            )+
        }

        impl $name {
            pub const ALL: [Self; [$($value),+].len()] = [$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $value,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| {
                    let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!(concat!("`{}` is not ", $what, ": one of {}"), s, names.join(", "))
                })
            }
        }
    };
}

pub(crate) use named_enum;

#[cfg(test)]
mod tests {
    use sea_orm::ActiveEnum;

    named_enum! {
        #[derive(PartialOrd, Ord)]
        pub enum Sample: "a sample" {
            First = "first",
            /// A name that is not the variant's in any case.
            Second = "E-2",
        }
    }

    #[test]
    fn one_name_everywhere() {
        let cases = [(Sample::First, "first"), (Sample::Second, "E-2")];
        for (value, name) in cases {
            assert_eq!(value.as_str(), name);
            assert_eq!(value.to_string(), name);
            assert_eq!(value.to_value(), name, "the stored name");
            assert_eq!(serde_json::to_value(value).unwrap(), name, "the JSON name");
            assert_eq!(format!(" {name} ").parse::<Sample>(), Ok(value));
            assert_eq!(Sample::try_from_value(&name.to_owned()).unwrap(), value);
        }
        assert_eq!(Sample::ALL, [Sample::First, Sample::Second]);
        assert_eq!(
            "second".parse::<Sample>(),
            Err("`second` is not a sample: one of first, E-2".to_owned())
        );
        assert!(
            Sample::try_from_value(&"Second".to_owned()).is_err(),
            "an unreadable row"
        );
    }
}
