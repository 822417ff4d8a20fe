//! The job kinds' wire names.

use veil_circuits::statements::usage;
use veil_service::jobs::TierKind;

/// The tier job's kind is the tier statement's name, spelled once as a literal for serde.
#[test]
fn the_tier_kind_is_the_statement_name() {
    let kind = serde_json::to_value(TierKind::Tag).expect("a kind serialises");
    assert_eq!(kind, serde_json::json!(usage::TIER));
}
