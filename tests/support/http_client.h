// A blocking HTTP/1.1 client for tests (libcurl easy interface), loopback only.
#pragma once

#include <map>
#include <string>

#include <boost/json.hpp>

namespace tocsin::test {

struct HttpResult {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names

  boost::json::value Json() const;  // parses body; fails the test if it is not JSON
  // The error code of a Tocsin error body ({"error":{"code":...}}), or "".
  std::string ErrorCode() const;
  std::string ErrorField() const;
};

class HttpClient {
 public:
  // `base` like "http://127.0.0.1:8080"; every request refuses non-loopback bases.
  explicit HttpClient(std::string base, std::string bearer = "");

  HttpResult Get(const std::string& path) const;
  HttpResult Delete(const std::string& path) const;
  HttpResult Post(const std::string& path, const std::string& body,
                  const std::string& content_type = "application/json") const;
  HttpResult Put(const std::string& path, const std::string& body) const;
  HttpResult Patch(const std::string& path, const std::string& body) const;
  HttpResult Send(const std::string& method, const std::string& path, const std::string& body,
                  const std::map<std::string, std::string>& headers) const;

  HttpClient WithToken(const std::string& bearer) const { return HttpClient(base_, bearer); }
  const std::string& base() const { return base_; }
  const std::string& bearer() const { return bearer_; }

 private:
  std::string base_;
  std::string bearer_;
};

}  // namespace tocsin::test
