//! SeaORM entities, one file per table. They are storage shapes, not domain types: values
//! are parsed into `anpei_domain` types at the boundary (`ops` and the read models).
//!
//! Person-keyed tables carry `person_id` and enterprise-keyed tables `enterprise_id` inside
//! every primary and unique key (see ARCHITECTURE.md, "Distribution column").

pub mod account;
pub mod account_token;
pub mod apprenticeship;
pub mod assessment;
pub mod certificate;
pub mod certificate_number;
pub mod class_attendance;
pub mod class_trainee;
pub mod class_video;
pub mod employment;
pub mod enterprise;
pub mod exam_answer;
pub mod exam_attempt;
pub mod exam_blueprint;
pub mod exam_event;
pub mod exam_registration;
pub mod exam_room;
pub mod exam_session;
pub mod exam_sign_in_request;
pub mod exam_site;
pub mod exam_staff;
pub mod institution;
pub mod institution_registration;
pub mod institution_trade;
pub mod ledger_checkpoint;
pub mod ledger_entry;
pub mod ledger_head;
pub mod off_post_period;
pub mod person;
pub mod person_identity;
pub mod pii_access;
pub mod practical_score;
pub mod process_change;
pub mod process_change_person;
pub mod question;
pub mod question_version;
pub mod region;
pub mod registration_request;
pub mod session;
pub mod setting;
pub mod skill_promotion;
pub mod subsidy_application;
pub mod subsidy_row;
pub mod syllabus_point;
pub mod trainer;
pub mod training_capacity;
pub mod training_class;
pub mod training_plan_item;
pub mod training_record;
