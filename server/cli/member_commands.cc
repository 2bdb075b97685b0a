// members import, members export: the member list as CSV in one format, so an export imports
// back (into the same network or another). Both are audited as "cli".
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dispatch/store/member_export.h"
#include "dispatch/store/member_import.h"
#include "server/cli/command.h"

namespace tocsin::cli {
namespace {

Result<int> MembersImport(const Context& ctx, const Args& a) {
  auto slug = a.Require("network");
  const auto& path = a.Positional(1, "one FILE.csv")[0];
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error::NotFound("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  auto network = LoadNetwork(*ctx.db, slug);
  if (!network.ok()) return network.error();
  MemberRegistry members(*ctx.cipher);
  auto import = [&](pqxx::connection& c) {
    return ImportMembersCsv(c, members, network.value(), text.str(), "cli");
  };
  auto r = ctx.db->RunSync(import);
  if (!r.ok()) return r.error();
  std::cerr << "created " << r->created << ", updated " << r->updated << ", rejected " << r->errors.size()
            << ", created opted out " << r->opted_out << "\n";
  for (const auto& e : r->errors) std::cerr << "  line " << e.line << ": " << e.message << "\n";
  for (const auto& e : r->notes) std::cerr << "  line " << e.line << ": " << e.message << "\n";
  return r->errors.empty() ? 0 : 3;
}

// Writes `text` to `path`, created (or truncated) with mode 0600: it holds phone numbers.
Status WritePrivateFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return Error::Invalid("out", "cannot write " + path + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;
  for (std::size_t done = 0; ok && done < text.size();) {
    auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return Error::Internal("writing " + path + " failed: " + std::strerror(saved ? saved : errno));
  return Ok{};
}

Result<int> MembersExport(const Context& ctx, const Args& a) {
  a.Positional(0, "");
  auto network = LoadNetwork(*ctx.db, a.Require("network"));
  if (!network.ok()) return network.error();
  auto out_path = a.Get("out");
  if (out_path && out_path->empty()) throw UsageError{"--out needs a file name"};
  MemberRegistry members(*ctx.cipher);
  // Audited before anything is written: an export that fails half-way still shows in the log.
  auto read = [&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto e = ExportMembersCsv(tx, members, network.value(), "cli");
    tx.commit();
    return e;
  };
  auto exported = ctx.db->RunSync(read);
  if (out_path) {
    if (auto s = WritePrivateFile(*out_path, exported.csv); !s.ok()) return s.error();
  } else {
    std::cout << exported.csv << std::flush;
    if (!std::cout) return Error::Internal("writing the export to stdout failed");
  }
  std::cerr << "exported " << exported.exported << " members";
  if (exported.opted_out > 0) {
    std::cerr << " (" << exported.opted_out
              << " who opted out are left out: an import must not re-subscribe them)";
  }
  std::cerr << "\n";
  return 0;
}

}  // namespace

std::vector<Command> MemberCommands() {
  return {
      {"members", "import", "--network S FILE.csv",
       "Imports members from CSV: header phone,name,language,areas,roles,channels (only phone\n"
       "required; lists separated by ';'). Existing phones are updated with the cells given.\n"
       "Bad rows are reported by line; the good rows are stored in one transaction.\n"
       "Exit code 3 when some rows were rejected.\n",
       {"network"}, {}, Needs::kDataKey, MembersImport},
      {"members", "export", "--network S [--out FILE]",
       "Writes the network's members as CSV in the import's format (phones and names\n"
       "decrypted), so `members import` reads it back. Members who opted out are left out.\n"
       "Audited (members.export, counts only).\n"
       "  --out FILE   write to FILE (created with mode 0600) instead of stdout\n",
       {"network", "out"}, {}, Needs::kDataKey, MembersExport},
  };
}

}  // namespace tocsin::cli
