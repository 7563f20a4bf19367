//! Registering enterprises and institutions (SPEC C1): regulators within their region.

use anpei_domain::{CreditCode, Industry, PersonName};
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::access::RegionWrite;
use crate::entity::enterprise;
use crate::ledger::{Change, LedgerKey};
use crate::{Actor, Store, StoreError};

#[derive(Debug, Clone)]
pub struct NewEnterprise {
    pub credit_code: CreditCode,
    pub name: String,
    pub industry: Industry,
    pub region_code: String,
    pub legal_representative: PersonName,
}

/// Checks an enterprise name: 2 to 100 characters, no control characters.
pub fn parse_enterprise_name(name: &str) -> Result<String, StoreError> {
    let name = name.trim();
    let count = name.chars().count();
    if !(2..=100).contains(&count) || name.chars().any(char::is_control) {
        return Err(StoreError::invalid_text(
            "name",
            "企业名称应为2至100个字符",
            "The enterprise name must be 2 to 100 characters",
        ));
    }
    Ok(name.to_owned())
}

pub async fn create(
    store: &Store,
    actor: &Actor,
    region: RegionWrite,
    new: NewEnterprise,
    now: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    let county = anpei_domain::region::find(&new.region_code).ok_or_else(|| {
        StoreError::invalid_text("region_code", "未知的行政区划代码", "Unknown region code")
    })?;
    let city = anpei_domain::region::city_of(county.code).ok_or_else(|| {
        StoreError::invalid_text(
            "region_code",
            "应填写市或县级行政区划",
            "Give a city or county region",
        )
    })?;
    if !region.allows(city.code, county.code) {
        return Err(StoreError::Forbidden);
    }
    let mut tx = store.write(actor, now).await?;
    let id = Uuid::now_v7();
    let model = enterprise::Model {
        id,
        credit_code: new.credit_code.as_str().to_owned(),
        name: new.name,
        industry: new.industry.code().to_owned(),
        region_code: county.code.to_owned(),
        city_code: city.code.to_owned(),
        legal_representative: new.legal_representative.as_str().to_owned(),
        created_at: tx.at(),
        updated_at: tx.at(),
    };
    enterprise::Entity::insert(enterprise::ActiveModel::from(model.clone()))
        .exec(tx.conn())
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict { .. } => StoreError::invalid_text(
                "credit_code",
                "该统一社会信用代码已登记",
                "An enterprise with this unified social credit code is already registered",
            ),
            other => other,
        })?;
    tx.record(Change::of(
        "enterprise.create",
        LedgerKey::Enterprise(id),
        &model,
    ));
    tx.commit().await?;
    Ok(id)
}
