#include "dispatch/model/case.h"

#include <array>
#include <cctype>

#include "dispatch/model/validation.h"
#include "dispatch/util/phone.h"

namespace tocsin {
namespace {

// Checks an optional free-text field when present and not empty (empty clears it).
Status CheckOptionalText(const std::optional<std::string>& v, std::string_view field, std::size_t max) {
  if (!v || v->empty()) return Ok{};
  return CheckText(*v, field, max);
}

}  // namespace

Status CheckDate(std::string_view t, std::string_view field) {
  auto digits = [&](std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
    }
    return true;
  };
  const auto bad = Error::Invalid(std::string(field), "must be a date such as 2026-10-02");
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !digits(0, 4) || !digits(5, 2) || !digits(8, 2)) return bad;
  const int year = std::stoi(std::string(t.substr(0, 4)));
  const int month = std::stoi(std::string(t.substr(5, 2)));
  const int day = std::stoi(std::string(t.substr(8, 2)));
  static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return bad;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return bad;
  return Ok{};
}

Status CheckCaseRole(std::string_view role, std::string_view field) {
  for (std::string_view r : {"legal", "mp", "bail", "family", "campaign"}) {
    if (role == r) return Ok{};
  }
  return Error::Invalid(std::string(field), "must be one of legal, mp, bail, family, campaign");
}

std::string_view CaseEventDetailField(std::string_view type) {
  if (type == "detained") return "where";
  if (type == "removal_directions") return "details";
  if (type == "note") return "text";
  return "";
}

Status CheckCaseEvent(const CaseEventInput& in) {
  static constexpr std::string_view kTypes[] = {"detained", "removal_directions", "released",
                                                "removal_cancelled", "removed", "note"};
  bool known = false;
  for (auto t : kTypes) known = known || in.type == t;
  if (!known) {
    return Error::Invalid("type", "must be one of detained, removal_directions, released, removal_cancelled, removed, note");
  }
  const auto field = CaseEventDetailField(in.type);
  if (!field.empty()) {
    const bool required = in.type != "removal_directions";
    if (!in.detail || in.detail->empty()) {
      if (required) return Error::Invalid(std::string(field), "is required for " + in.type);
    } else if (auto s = CheckText(*in.detail, field, kMaxCaseNotes); !s.ok()) {
      return s;
    }
  }
  if (in.type == "removal_directions") {
    if (!in.deadline) return Error::Invalid("deadline", "is required for removal_directions");
    if (auto s = CheckTime(*in.deadline, "deadline"); !s.ok()) return s;
  } else if (in.deadline) {
    return Error::Invalid("deadline", "only removal_directions has a deadline");
  }
  return Ok{};
}

Result<CaseInput> NormaliseCaseInput(CaseInput in, std::string_view country, std::string_view default_language,
                                     bool creating) {
  if (in.name) {
    if (auto s = CheckText(*in.name, "name"); !s.ok()) return s.error();
  } else if (creating) {
    return Error::Invalid("name", "is required");
  }
  if (in.pseudonym) {
    if (auto s = CheckText(*in.pseudonym, "pseudonym", 100); !s.ok()) return s.error();
  }
  if (in.phone && !in.phone->empty()) {
    auto e164 = NormalisePhone(*in.phone, country, "phone");
    if (!e164.ok()) return e164.error();
    in.phone = std::move(e164.value());
  }
  if (auto s = CheckOptionalText(in.reference, "home_office_ref", 100); !s.ok()) return s.error();
  if (auto s = CheckOptionalText(in.notes, "notes", kMaxCaseNotes); !s.ok()) return s.error();
  if (in.language) {
    if (auto s = CheckLanguage(*in.language); !s.ok()) return s.error();
  } else if (creating) {
    in.language = std::string(default_language);
  }
  if (in.areas) {
    auto canon = CanonicalList(std::move(*in.areas), "areas", &CheckAreaName);
    if (!canon.ok()) return canon.error();
    in.areas = std::move(canon.value());
  } else if (creating) {
    in.areas = std::vector<std::string>{};
  }
  if (in.consent_mp && !in.consent_mp->empty()) {
    if (auto s = CheckDate(*in.consent_mp, "consent.mp"); !s.ok()) return s.error();
  }
  if (in.consent_legal && !in.consent_legal->empty()) {
    if (auto s = CheckDate(*in.consent_legal, "consent.legal"); !s.ok()) return s.error();
  }
  if (in.status) {
    if (*in.status != "open" && *in.status != "closed") {
      return Error::Invalid("status", "must be open or closed");
    }
  } else if (creating) {
    in.status = "open";
  }
  if (creating && !in.is_public) in.is_public = false;
  return in;
}

}  // namespace tocsin
