// GET / and GET /assets/{name}: the web console (console/, embedded by embed_console.cmake).
//
// Every answer carries a strict Content-Security-Policy (this origin only; no inline script or
// style, no eval, no framing), nosniff and no-referrer. index.html is revalidated on every load
// (no-cache, with an ETag); the assets' names change with their content, so they are cached for
// a year as immutable. A client that accepts gzip gets the compressed bytes.
#include <boost/beast/core/string.hpp>

#include "server/api/handler_prelude.h"
#include "server/console/assets.h"

namespace tocsin {

using http::bhttp::field;

namespace {

constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src "
    "'self';"
    " font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "
    "'none'";

const console::Asset* Find(std::string_view path) {
  for (const auto& a : console::Assets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

bool AcceptsGzip(const http::Request& req) {
  auto accept = req[field::accept_encoding];
  for (std::size_t i = 0; i + 4 <= accept.size(); ++i) {
    if (boost::beast::iequals(accept.substr(i, 4), "gzip")) return true;
  }
  return false;
}

http::Response Serve(const http::Request& req, const console::Asset& asset) {
  auto etag = "\"" + std::string(asset.etag) + "\"";
  http::Response res{status::ok, req.version()};
  res.set(field::content_type, asset.content_type);
  res.set(field::cache_control,
          asset.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  res.set(field::etag, etag);
  res.set(field::vary, "Accept-Encoding");
  res.set("Content-Security-Policy", kContentSecurityPolicy);
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
  if (req[field::if_none_match] == etag) {
    res.result(status::not_modified);
  } else if (AcceptsGzip(req)) {
    res.set(field::content_encoding, "gzip");
    res.body() = std::string(asset.gzip);
  } else {
    res.body() = std::string(asset.raw);
  }
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

Awaitable IndexHandler(http::RequestContext& ctx) {
  const auto* index = Find("/");
  if (!index) throw ApiError(Error::NotFound("no console in this build"));
  co_return Serve(ctx.req, *index);
}

Awaitable AssetHandler(http::RequestContext& ctx) {
  const auto* asset = Find("/assets/" + ctx.Param("name"));
  if (!asset) throw ApiError(Error::NotFound("no such file"));
  co_return Serve(ctx.req, *asset);
}

}  // namespace

void AddConsoleRoutes(http::Router& router, App&) {
  router.Add(verb::get, "/", [](http::RequestContext& c) { return IndexHandler(c); });
  router.Add(verb::get, "/assets/{name}", [](http::RequestContext& c) { return AssetHandler(c); });
}

}  // namespace tocsin
