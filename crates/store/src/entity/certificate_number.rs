//! `certificate_numbers`: certificate number → holder and certificate, for public
//! verification. Keyed (and distributed) by the number, like `person_identities`. The
//! verification token (issue 13) is the secret of the certificate's QR code: with it the
//! public page shows the holder's details, without it only the status.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificate_numbers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: String,
    pub person_id: Uuid,
    pub certificate_id: Uuid,
    /// 144 random bits, URL-safe base64 (`ops::certificates::new_verification_token`). Not
    /// ledgered: a bearer secret stays out of the change history.
    pub verification_token: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
