#include "dispatch/store/member_export.h"

#include <vector>

#include "dispatch/store/audit_log.h"
#include "dispatch/store/member_import.h"
#include "dispatch/util/csv.h"

namespace tocsin {

MemberExport ExportMembersCsv(pqxx::work& tx, const MemberRegistry& members, const Network& net,
                              const std::string& actor) {
  MemberExport out;
  out.csv = CsvRecord(std::vector<std::string>(kMemberCsvColumns.begin(), kMemberCsvColumns.end()));
  MemberFilter page;
  page.limit = 500;
  while (true) {
    auto p = members.List(tx, net.id, page);
    for (const auto& m : p.members) {
      if (m.status == "opted_out") {
        ++out.opted_out;
        continue;
      }
      out.csv += CsvRecord({m.phone, m.name.value_or(""), m.language, JoinList(m.areas),
                            JoinList(m.roles), JoinList(m.channels)});
      ++out.exported;
    }
    if (!p.next_cursor) break;
    page.after_id = *p.next_cursor;
  }
  RecordAudit(tx, net.id, actor, "members.export", "members",
              "{\"exported\":" + std::to_string(out.exported) +
                  ",\"opted_out\":" + std::to_string(out.opted_out) + "}");
  return out;
}

}  // namespace tocsin
