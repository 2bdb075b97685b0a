#include "tests/support/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <stdexcept>

#include <catch2/catch.hpp>

namespace tocsin::test {
namespace {

std::size_t WriteBody(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::size_t WriteHeader(char* data, std::size_t size, std::size_t n, void* out) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    auto name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    auto value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n ") + 1);
    (*static_cast<std::map<std::string, std::string>*>(out))[name] = value;
  }
  return size * n;
}

}  // namespace

boost::json::value HttpResult::Json() const {
  boost::json::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) FAIL("response is not JSON (status " << status << "): " << body);
  return v;
}

std::string HttpResult::ErrorCode() const {
  boost::json::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return "";
  auto* e = v.as_object().if_contains("error");
  if (!e || !e->is_object() || !e->as_object().contains("code")) return "";
  return std::string(e->as_object().at("code").as_string());
}

std::string HttpResult::ErrorField() const {
  boost::json::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec || !v.is_object()) return "";
  auto* e = v.as_object().if_contains("error");
  if (!e || !e->is_object() || !e->as_object().contains("field")) return "";
  return std::string(e->as_object().at("field").as_string());
}

HttpClient::HttpClient(std::string base, std::string bearer)
    : base_(std::move(base)), bearer_(std::move(bearer)) {
  if (base_.rfind("http://127.", 0) != 0 && base_.rfind("http://localhost", 0) != 0) {
    throw std::invalid_argument("tests only talk to loopback: " + base_);
  }
}

HttpResult HttpClient::Get(const std::string& path) const { return Send("GET", path, "", {}); }
HttpResult HttpClient::Delete(const std::string& path) const { return Send("DELETE", path, "", {}); }
HttpResult HttpClient::Post(const std::string& path, const std::string& body,
                            const std::string& content_type) const {
  return Send("POST", path, body, {{"Content-Type", content_type}});
}
HttpResult HttpClient::Put(const std::string& path, const std::string& body) const {
  return Send("PUT", path, body, {{"Content-Type", "application/json"}});
}
HttpResult HttpClient::Patch(const std::string& path, const std::string& body) const {
  return Send("PATCH", path, body, {{"Content-Type", "application/json"}});
}

HttpResult HttpClient::Send(const std::string& method, const std::string& path,
                            const std::string& body,
                            const std::map<std::string, std::string>& headers) const {
  HttpResult result;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& [k, v] : headers) list = curl_slist_append(list, (k + ": " + v).c_str());
  if (!bearer_.empty()) list = curl_slist_append(list, ("Authorization: Bearer " + bearer_).c_str());
  list = curl_slist_append(list, "Expect:");
  auto url = base_ + path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  auto rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    result.status = 0;
    result.body = curl_easy_strerror(rc);
  }
  return result;
}

}  // namespace tocsin::test
