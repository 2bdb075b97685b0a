// Cases and their contacts (issue 13): create, read, list, change; add and list contacts. The
// person's name, own phone, Home Office reference and notes are sealed at rest, each bound to
// the case's id (places::Case*); the phone also has a keyed lookup hash so a text from the
// person can be recognised. None of them is ever logged or quoted in an error.
//
// Every function runs inside the caller's transaction and is scoped by `network_id` (another
// network's case is NotFound). Thread safety: holds a const reference only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/case.h"
#include "dispatch/util/crypto.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct CaseRecord {
  std::int64_t id = 0;
  std::string pseudonym;
  std::string name;                      // opened; empty when it cannot be
  std::optional<std::string> phone;      // opened
  std::optional<std::string> reference;  // opened
  std::optional<std::string> notes;      // opened
  std::string language;
  std::vector<std::string> areas;
  bool is_public = false;
  std::optional<std::string> consent_mp;
  std::optional<std::string> consent_legal;
  std::string status;
  std::string created_at;
  std::string updated_at;
};

// A contact as POSTed: a role and exactly one of an organisation, a member or a tree (by name).
struct CaseContactInput {
  std::string role;
  std::optional<std::int64_t> organisation_id;
  std::optional<std::int64_t> member_id;
  std::optional<std::string> tree;
};

struct CaseContact {
  std::int64_t id = 0;
  std::int64_t case_id = 0;
  std::string role;
  std::optional<std::int64_t> organisation_id;
  std::optional<std::int64_t> member_id;
  std::optional<std::string> tree;  // the tree's name
  std::string created_at;
};

class CaseStore {
 public:
  explicit CaseStore(const DataCipher& cipher) : cipher_(cipher) {}

  // `in` normalised for creating (NormaliseCaseInput).
  CaseRecord Create(pqxx::work& tx, std::int64_t network_id, const CaseInput& in) const;
  Result<CaseRecord> Get(pqxx::transaction_base& tx, std::int64_t network_id, std::int64_t id) const;
  // Oldest first; every status when `status` is nullopt.
  std::vector<CaseRecord> List(pqxx::transaction_base& tx, std::int64_t network_id,
                               const std::optional<std::string>& status) const;
  // `in` normalised for changing: present fields replace, empty strings clear.
  Result<CaseRecord> Update(pqxx::work& tx, std::int64_t network_id, std::int64_t id, const CaseInput& in) const;

  // Invalid naming "role", "organisation", "member" or "tree" (one of them required, the tree
  // only for campaign, each the network's own); NotFound when the case is not the network's.
  Result<CaseContact> AddContact(pqxx::work& tx, std::int64_t network_id, std::int64_t case_id,
                                 const CaseContactInput& in) const;
  Result<std::vector<CaseContact>> Contacts(pqxx::transaction_base& tx, std::int64_t network_id,
                                            std::int64_t case_id) const;

 private:
  CaseRecord Read(const pqxx::row& r, std::int64_t network_id) const;
  std::optional<std::string> OpenOptional(const pqxx::field& f, const SealPlace& place) const;
  // The sealed value for `v` in hex (SQL decodes it), or NULL (nullopt) when `v` is absent or empty.
  std::optional<std::string> SealHex(const std::optional<std::string>& v, const SealPlace& place) const;
  // Writes every column of `c` (its id set) as the row's new value.
  void Write(pqxx::work& tx, std::int64_t network_id, const CaseRecord& c, bool insert) const;

  const DataCipher& cipher_;
};

}  // namespace tocsin
