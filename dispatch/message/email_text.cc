#include "dispatch/message/email_text.h"

#include <map>

namespace tocsin {

Result<EmailText> RenderAlertEmail(const TemplateSet& templates, std::string_view language,
                                   const AlertEmailFields& f) {
  std::map<std::string, std::string> vars = {
      {"code", f.code},
      {"areas", f.areas.empty() ? f.location : f.areas},
      {"location", f.location},
      {"details", f.details},
      {"deadline", f.deadline},
      {"network", f.network},
      {"link", f.answer_link},
  };
  Result<std::string> answer = templates.RenderEmail(
      language, "en", "", f.answer_link.empty() ? "answer_coordinator" : "answer_link", vars);
  if (!answer.ok()) return answer.error();
  vars["answer"] = std::move(answer).value();

  Result<std::string> subject = templates.RenderEmail(language, "en", f.kind, "subject", vars);
  if (!subject.ok()) return subject.error();
  if (subject.value().find_first_of("\r\n") != std::string::npos) {
    return Error::Invalid("subject", "the email subject must be one line");
  }
  Result<std::string> body = templates.RenderEmail(language, "en", f.kind, "body", vars);
  if (!body.ok()) return body.error();
  return EmailText{std::move(subject).value(), std::move(body).value()};
}

}  // namespace tocsin
