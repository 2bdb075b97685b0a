// Networks: the tenants. Every other row belongs to exactly one network and nothing crosses
// between them. Functions here run inside a caller's transaction (on a DbPool thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "dispatch/model/approval.h"
#include "dispatch/model/disclosure.h"
#include "dispatch/model/report.h"
#include "dispatch/util/result.h"

namespace tocsin {

struct SenderNumber {
  std::string number;                         // E.164
  std::optional<double> segments_per_second;  // nullopt: the server's default rate
};

struct NetworkInput {
  std::string name;
  std::string slug;
  std::vector<SenderNumber> numbers;  // raw numbers as given; NormaliseNetworkInput normalises
  std::string country = "GB";
  std::string default_language = "en";
  int retention_days = 30;
  std::string help_text;
};

struct Network {
  std::int64_t id = 0;
  std::string slug;
  std::string name;
  std::vector<SenderNumber> numbers;
  std::string country;
  std::string default_language;
  int retention_days = 30;
  std::string help_text;
  ApprovalRule approval;  // off unless set (model/approval.h)
  DisclosureRule disclosure;  // full unless set (model/disclosure.h)
  ReportSettings reports;     // model/report.h
  std::string voice_message;  // what a caller who is not a member hears ("": the template's)
  std::string created_at;  // RFC 3339 UTC
};

// Validates every field and normalises numbers to E.164 (national numbers use `country`).
// Errors name the field ("numbers[1]", "retention_days", ...).
Result<NetworkInput> NormaliseNetworkInput(NetworkInput in);

// Inserts a network (input must be normalised). Conflict on a taken slug ("slug") or a number
// already used by any network ("numbers[i]").
Result<Network> CreateNetwork(pqxx::work& tx, const NetworkInput& in);

// What an operator may change in a network; unset fields stay as they are.
struct NetworkChanges {
  std::optional<std::string> name;
  std::optional<std::string> help_text;  // "" clears it
  std::optional<std::string> default_language;
  std::optional<int> retention_days;
  std::optional<ApprovalRule> approval;  // replaces the rule whole (checked: CheckApprovalRule)
  std::optional<DisclosureRule> disclosure;  // replaces the setting whole (kinds checked)
  std::optional<ReportSettings> reports;     // replaces the settings whole (CheckReportSettings)
  std::optional<std::string> voice_message;  // "" clears it; at most kMaxVoiceMessage characters
};

// The hotline's public message (networks.voice_message) is read out whole: kept short.
inline constexpr std::size_t kMaxVoiceMessage = 500;

// Applies `changes` to `current` after checking the result with NormaliseNetworkInput's rules
// (errors name the field); returns the network as stored.
Result<Network> UpdateNetwork(pqxx::work& tx, const Network& current, const NetworkChanges& changes);

std::optional<Network> FindNetworkBySlug(pqxx::transaction_base& tx, std::string_view slug);
std::optional<Network> FindNetworkById(pqxx::transaction_base& tx, std::int64_t id);

}  // namespace tocsin
