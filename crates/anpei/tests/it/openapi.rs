//! The API describes itself: `/openapi.json` is OpenAPI 3.1 and lists every endpoint with
//! its methods, so clients can be generated from it.

use anpei_testkit::both_engines;

use crate::support::get_ok;

both_engines!(
    the_openapi_document_is_3_1_and_lists_every_endpoint,
    |app| async move {
        let document = get_ok(&app, &app.anonymous(), "/openapi.json").await;
        let version = document["openapi"].as_str().expect("an openapi version");
        assert!(version.starts_with("3.1"), "OpenAPI 3.1, got {version}");
        assert!(
            document["info"]["title"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        );

        let expected: &[(&str, &[&str])] = &[
            ("/api/v1/session", &["post", "delete"]),
            ("/api/v1/me", &["get"]),
            ("/api/v1/me/password", &["put"]),
            ("/api/v1/persons/search", &["post"]),
            ("/api/v1/persons/{id}", &["get"]),
            ("/api/v1/persons/{id}/export", &["get"]),
            ("/api/v1/persons/{id}/phone", &["put"]),
            ("/api/v1/enterprises", &["get", "post"]),
            ("/api/v1/enterprises/{id}", &["get"]),
            ("/api/v1/enterprises/{id}/staff", &["get"]),
            ("/api/v1/enterprises/{id}/employments", &["post"]),
            (
                "/api/v1/enterprises/{id}/employments/{person_id}/{employment_id}/end",
                &["post"],
            ),
            ("/api/v1/certificates/{number}/pdf", &["get"]),
            ("/api/v1/regions", &["get"]),
            ("/api/v1/ledger/public-key", &["get"]),
        ];
        let paths = document["paths"].as_object().expect("paths");
        for (path, methods) in expected {
            let item = paths.get(*path).unwrap_or_else(|| {
                panic!(
                    "{path} is documented; documented: {:?}",
                    paths.keys().collect::<Vec<_>>()
                )
            });
            for method in *methods {
                assert!(item.get(*method).is_some(), "{method} {path} is documented");
            }
        }
        assert!(
            document["components"]["schemas"]["Problem"].is_object(),
            "the problem document is a named schema"
        );
    }
);
