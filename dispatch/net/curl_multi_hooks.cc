// The C callbacks curl calls (CurlMultiClient::CurlHooks) and how a finished transfer ended.
#include <algorithm>
#include <cstring>
#include <string_view>

#include "dispatch/net/curl_multi_internal.h"
#include "dispatch/net/http_text.h"
#include "dispatch/util/ip_address.h"

namespace tocsin {
namespace curl_detail {

std::string EnhancedCode(std::string_view line) {
  if (line.size() < 9 || (line[3] != ' ' && line[3] != '-')) return {};
  std::string_view rest = line.substr(4);
  const std::size_t end = rest.find_first_of(" \r\n");
  const std::string_view code = rest.substr(0, end);
  int dots = 0;
  for (char c : code) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return {};
    }
  }
  if (dots != 2 || code.size() < 5 || code[0] != line[0]) return {};
  return std::string(code);
}

}  // namespace curl_detail

using curl_detail::EnhancedCode;

HttpResponse CurlMultiClient::Transfer::HttpOutcome(CURLcode code) {
  HttpResponse response;
  long status = 0;
  if (code == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_OK && status != 0) {
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
  } else if (code == CURLE_OK) {
    response.error = "no HTTP response";  // can't happen over http(s); keeps status 0 explained
  } else {
    response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    response.refused_address = refused_address;
    if (refused_address) {
      response.error = "refused: the host resolves to a loopback, private, link-local or reserved address";
    } else if (body_too_large) {
      response.error = "response body larger than " +
                       std::to_string(CurlMultiClient::kMaxResponseBodyBytes) + " bytes";
    } else {
      response.error = curl_easy_strerror(code);
      if (error[0] != '\0') response.error.append(" (").append(error).append(")");
    }
  }
  return response;
}

MailResponse CurlMultiClient::Transfer::MailOutcome(CURLcode code) {
  MailResponse response;
  long last = 0;  // curl's CURLINFO_RESPONSE_CODE is the last SMTP reply code
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &last);
  response.reply = static_cast<int>(last);
  response.sent = code == CURLE_OK;
  response.curl_code = static_cast<int>(code);
  response.data_sent = !mail.message.empty() && mail_sent == mail.message.size();
  // curl 7.88's words for a refused RCPT TO ("RCPT failed: 550"); no other code tells them apart.
  response.recipient_refused = code == CURLE_SEND_ERROR && std::string_view(error).starts_with("RCPT failed");
  // The enhanced code only of the reply line that code came from.
  if (last >= 400 && refusal.starts_with(std::to_string(last))) {
    response.enhanced = EnhancedCode(refusal);
  }
  if (!response.sent) {
    response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
    response.error = curl_easy_strerror(code);
    // curl's own words name the relay and the reply code; never keep any that quote an address.
    const std::string_view detail = error;
    if (!detail.empty() && detail.find('@') == std::string_view::npos) {
      response.error.append(" (").append(detail).append(")");
    }
  }
  return response;
}

int CurlMultiClient::CurlHooks::Socket(CURL*, curl_socket_t fd, int what, void* userp, void*) noexcept {
  static_cast<CurlMultiClient*>(userp)->WatchSocket(fd, what);
  return 0;
}

int CurlMultiClient::CurlHooks::Timer(CURLM*, long timeout_ms, void* userp) noexcept {
  static_cast<CurlMultiClient*>(userp)->SetTimer(timeout_ms);
  return 0;
}

curl_socket_t CurlMultiClient::CurlHooks::Open(void* clientp, curlsocktype purpose,
                                               curl_sockaddr* address) noexcept {
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  auto* t = static_cast<Transfer*>(clientp);
  if (t->request.public_addresses_only && !IsPublicAddress(&address->addr)) {
    t->refused_address = true;
    return CURL_SOCKET_BAD;
  }
  return t->client->OpenSocket(address->family, address->socktype, address->protocol);
}

int CurlMultiClient::CurlHooks::Close(void* clientp, curl_socket_t fd) noexcept {
  return static_cast<CurlMultiClient*>(clientp)->CloseSocket(fd);
}

size_t CurlMultiClient::CurlHooks::Header(char* data, size_t size, size_t count, void* userp) noexcept {
  auto* t = static_cast<Transfer*>(userp);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.substr(0, 5) == "HTTP/") {
    t->headers.clear();
    t->last_header.clear();
    return n;
  }
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
    // Obsolete line folding: continues the previous header's value.
    std::string_view more = TrimHttpSpace(line);
    if (!t->last_header.empty() && !more.empty()) {
      t->headers[t->last_header].append(" ").append(more);
    }
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // the blank line ending the block
  std::string_view raw_name = TrimHttpSpace(line.substr(0, colon));
  if (!t->request.keep_headers.empty() &&
      std::none_of(t->request.keep_headers.begin(), t->request.keep_headers.end(),
                   [raw_name](const std::string& keep) { return EqualsIgnoringCase(raw_name, keep); })) {
    t->last_header.clear();  // a folded continuation of it is dropped too
    return n;
  }
  std::string name = AsciiLower(raw_name);
  std::string_view value = TrimHttpSpace(line.substr(colon + 1));
  auto [it, inserted] = t->headers.try_emplace(name, value);
  if (!inserted) it->second.append(", ").append(value);
  t->last_header = std::move(name);
  return n;
}

size_t CurlMultiClient::CurlHooks::MailReply(char* data, size_t size, size_t count, void* userp) noexcept {
  auto* t = static_cast<Transfer*>(userp);
  const size_t n = size * count;
  if (n > 0 && (data[0] == '4' || data[0] == '5')) t->refusal.assign(data, std::min<size_t>(n, 512));
  return n;
}

size_t CurlMultiClient::CurlHooks::MailRead(char* buffer, size_t size, size_t count, void* userp) noexcept {
  auto* t = static_cast<Transfer*>(userp);
  const size_t n = std::min(size * count, t->mail.message.size() - t->mail_sent);
  std::memcpy(buffer, t->mail.message.data() + t->mail_sent, n);
  t->mail_sent += n;
  return n;
}

size_t CurlMultiClient::CurlHooks::Discard(char*, size_t size, size_t count, void*) noexcept {
  return size * count;
}

size_t CurlMultiClient::CurlHooks::Write(char* data, size_t size, size_t count, void* userp) noexcept {
  auto* t = static_cast<Transfer*>(userp);
  const size_t n = size * count;
  if (t->body.size() + n > kMaxResponseBodyBytes) {
    t->body_too_large = true;
    return 0;  // fails the transfer with CURLE_WRITE_ERROR
  }
  t->body.append(data, n);
  return n;
}

}  // namespace tocsin
