// CSV export of members in the import's format (member_import.h: header
// `phone,name,language,areas,roles,channels`, lists separated by ';'), phones and names opened
// with the data key, so that importing an export recreates the members. Members who opted out
// are left out: the format has no status, and an import must never re-subscribe someone who
// texted STOP. Backups are not exported (they are member ids of this network).
#pragma once

#include <cstddef>
#include <string>

#include <pqxx/pqxx>

#include "dispatch/store/member_registry.h"
#include "dispatch/store/network_registry.h"

namespace tocsin {

struct MemberExport {
  std::string csv;            // header and one record per member, by member id
  std::size_t exported = 0;
  std::size_t opted_out = 0;  // left out
};

// Reads every member of `net` in `tx` and records one audit entry by `actor`
// (members.export, with the counts only).
MemberExport ExportMembersCsv(pqxx::work& tx, const MemberRegistry& members, const Network& net,
                              const std::string& actor);

}  // namespace tocsin
