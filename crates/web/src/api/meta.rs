//! Reference data (regions) and the ledger's public key, which third parties need to
//! verify archive exports and checkpoints.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(regions))
        .routes(routes!(public_key))
}

#[derive(Serialize, ToSchema)]
pub struct RegionDto {
    pub code: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
    /// province, city, county
    pub level: &'static str,
    pub parent: Option<&'static str>,
}

/// The province, its 13 cities and their counties (GB/T 2260).
#[utoipa::path(get, path = "/api/v1/regions", tag = "reference", responses((status = 200, body = Vec<RegionDto>)))]
async fn regions() -> axum::Json<Vec<RegionDto>> {
    axum::Json(
        anpei_domain::region::all()
            .iter()
            .map(|r| RegionDto {
                code: r.code,
                name: r.name,
                name_en: r.name_en,
                level: match r.level {
                    anpei_domain::RegionLevel::Province => "province",
                    anpei_domain::RegionLevel::City => "city",
                    anpei_domain::RegionLevel::County => "county",
                },
                parent: r.parent,
            })
            .collect(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct PublicKeyDto {
    pub algo: String,
    pub key_id: String,
    /// SEC1 uncompressed point, hex.
    pub public_key: String,
    /// SM2 distinguishing identifier used for signatures.
    pub dist_id: &'static str,
}

/// The SM2 key that signs ledger checkpoints and archive exports.
#[utoipa::path(get, path = "/api/v1/ledger/public-key", tag = "reference", responses((status = 200, body = PublicKeyDto)))]
async fn public_key(State(state): State<AppState>) -> axum::Json<PublicKeyDto> {
    let info = state.store.verifying_key();
    axum::Json(PublicKeyDto {
        algo: info.algo.to_owned(),
        key_id: info.key_id,
        public_key: info.public_key,
        dist_id: "1234567812345678",
    })
}
