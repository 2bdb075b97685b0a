// A network's safety settings as the API reads and shows them (PATCH and GET
// /v1/networks/{slug}):
//
//   "approval": {"min_recipients": 500 | null, "all_areas": true | false}  or null (off)
//   "disclosure": {"default": "full" | "tiered", "kinds": {"raid": "tiered", ...}}
//                 ("tiered" alone: every kind tiered; null: every kind full)
//   "reports": {"from": "reporters" | "members" | "anyone", "public_check": false,
//               "max_per_hour_per_number": 3, "merge_window": "30m"}   (model/report.h)
//
// A PATCH changes only the keys it names: {"approval": {"all_areas": true}} keeps
// min_recipients; {"approval": null} turns the rule off. In "disclosure", "kinds" replaces the
// overrides whole ({} clears them); a kind is one of raid, detention, removal, other. Errors name the field
// ("approval.min_recipients") and throw ApiError (422).
#pragma once

#include <boost/json.hpp>

#include "dispatch/model/approval.h"
#include "dispatch/model/disclosure.h"
#include "dispatch/model/report.h"

namespace tocsin {

// `current` changed by the PATCH value `v` of "approval".
ApprovalRule ParseApproval(const boost::json::value& v, const ApprovalRule& current);
// null when off.
boost::json::value ApprovalJson(const ApprovalRule& rule);

// `current` changed by the PATCH value `v` of "disclosure".
DisclosureRule ParseDisclosureSetting(const boost::json::value& v, const DisclosureRule& current);
// {"default", "kinds"}, always.
boost::json::object DisclosureJson(const DisclosureRule& rule);

// `current` changed by the PATCH value `v` of "reports" (only the keys it names; null: the
// defaults).
ReportSettings ParseReportSettings(const boost::json::value& v, const ReportSettings& current);
// Every key, always.
boost::json::object ReportSettingsJson(const ReportSettings& s);

}  // namespace tocsin
