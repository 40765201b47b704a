#include "kube/client.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <cpprest/uri_builder.h>

#include "kube/log.h"
#include "kube/tls.h"

namespace sluice::kube {
namespace {

using web::http::methods;
using web::http::status_code;

web::http::client::http_client_config http_config(const Config& config, std::chrono::seconds timeout) {
  web::http::client::http_client_config c;
  c.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(timeout));
  c.set_validate_certificates(!config.insecure_skip_tls_verify);
  std::string host = tls_host(config.server);
  // Called for every new connection: PEM is parsed from memory each time,
  // which is cheap next to a TLS handshake and keeps no extra key copies.
  c.set_ssl_context_callback([config, host](boost::asio::ssl::context& ctx) {
    auto r = configure_ssl_context(ctx, config, host);
    // Validated in Client::create, so this cannot fail unless memory runs
    // out; refusing the connection is the only safe answer.
    if (!r.ok()) throw std::runtime_error(r.error().message);
  });
  return c;
}

std::string with_query(const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& query) {
  web::uri_builder b(path);
  for (const auto& [k, v] : query) {
    if (!v.empty()) b.append_query(k, v, true);
  }
  return b.to_string();
}

std::string name_of(const web::json::value& obj) { return object_name(obj); }

const char* propagation_name(PropagationPolicy p) {
  switch (p) {
    case PropagationPolicy::Background: return "Background";
    case PropagationPolicy::Foreground: return "Foreground";
    case PropagationPolicy::Orphan: return "Orphan";
    case PropagationPolicy::Default: break;
  }
  return "";
}

Error cancelled_error() { return Error{ErrorKind::Cancelled, 0, "", "cancelled", std::nullopt}; }

}  // namespace

Clock::Duration retry_wait(const Error& error, Clock::Duration backoff_delay,
                           std::chrono::seconds max_retry_after) {
  if (!error.retry_after) return backoff_delay;
  auto server_wait = std::chrono::duration_cast<Clock::Duration>(std::min(*error.retry_after, max_retry_after));
  return std::max(backoff_delay, server_wait);
}

Result<std::shared_ptr<Client>> Client::create(Config config, ClientOptions options) {
  if (config.server.empty()) return config_error("no API server address");
  try {
    web::uri check(config.server);
  } catch (const std::exception& e) {
    return config_error("server \"" + config.server + "\": " + e.what());
  }
  std::unique_ptr<HttpsTransport> https;
  if (config.server.rfind("https://", 0) == 0) {
    // Sets up the TLS context the requests use: bad TLS material is refused
    // here, not on the first connection (the watches' context is the same).
    auto made = HttpsTransport::create(config, options.request_timeout);
    if (!made.ok()) return made.error();
    https = std::move(made).value();
  }
  if (!options.clock) options.clock = real_clock();
  if (!options.sleep) options.sleep = [](Clock::Duration d) { std::this_thread::sleep_for(d); };
  if (!options.random) options.random = default_random();
  return std::shared_ptr<Client>(new Client(std::move(config), std::move(options), std::move(https)));
}

Client::Client(Config config, ClientOptions options, std::unique_ptr<HttpsTransport> https)
    : config_(std::move(config)),
      options_(std::move(options)),
      http_(std::make_unique<web::http::client::http_client>(
          config_.server, http_config(config_, options_.request_timeout))),
      watch_http_(std::make_unique<web::http::client::http_client>(
          config_.server, http_config(config_, options_.watch_idle_timeout))),
      https_(std::move(https)),
      limiter_(options_.qps, options_.burst, options_.clock) {}

void Client::wait_for_token() {
  auto wait = limiter_.reserve();
  if (wait > Clock::Duration::zero()) options_.sleep(wait);
}

web::http::http_request Client::make_request(const web::http::method& method, const std::string& path,
                                             const std::optional<web::json::value>& body,
                                             const std::string& content_type, Result<void>& status) {
  web::http::http_request req(method);
  req.set_request_uri(web::uri(path));
  req.headers().add("Accept", "application/json");
  req.headers().add("User-Agent", options_.user_agent);
  if (config_.token) {
    auto token = config_.token->token();
    if (!token.ok()) {
      status = token.error();
      return req;
    }
    req.headers().add("Authorization", "Bearer " + *token);
  }
  if (body) req.set_body(body->serialize(), content_type);
  return req;
}

Result<web::json::value> Client::send_once(const web::http::method& method, const std::string& path,
                                           const std::optional<web::json::value>& body,
                                           const std::string& content_type,
                                           const pplx::cancellation_token& cancel) {
  status_code code = 0;
  std::string text;
  std::optional<std::chrono::seconds> retry_after;
  if (https_) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Accept", "application/json"},
                                                                {"User-Agent", options_.user_agent}};
    if (config_.token) {
      auto token = config_.token->token();
      if (!token.ok()) return token.error();
      headers.emplace_back("Authorization", "Bearer " + *token);
    }
    std::string payload;
    if (body) {
      payload = body->serialize();
      headers.emplace_back("Content-Type", content_type);
    }
    auto reply = https_->exchange(method, path, headers, body ? &payload : nullptr, cancel);
    if (!reply.ok()) return reply.error();
    code = static_cast<status_code>(reply->status);
    text = std::move(reply->body);
    if (!reply->retry_after.empty()) retry_after = parse_retry_after(reply->retry_after);
  } else {
    Result<void> status;
    auto req = make_request(method, path, body, content_type, status);
    if (!status.ok()) return status.error();
    web::http::http_response resp;
    try {
      resp = http_->request(req, cancel).get();
      text = resp.extract_utf8string(true).get();
    } catch (const std::exception& e) {
      if (cancel.is_canceled()) return cancelled_error();
      return transport_error(method + " " + web::uri(path).path() + ": " + e.what());
    }
    code = resp.status_code();
    auto it = resp.headers().find("Retry-After");
    if (it != resp.headers().end()) retry_after = parse_retry_after(it->second);
  }
  if (code >= 200 && code < 300) {
    if (text.empty()) return web::json::value::null();
    try {
      return web::json::value::parse(text);
    } catch (const std::exception& e) {
      return decode_error(method + " " + web::uri(path).path() + ": response is not JSON: " + e.what());
    }
  }
  return error_from_response(code, text, retry_after);
}

Result<std::string> Client::get_text(const std::string& path) {
  wait_for_token();
  Result<void> status;
  auto req = make_request(methods::GET, path, std::nullopt, "application/json", status);
  if (!status.ok()) return status.error();
  req.headers().remove("Accept");
  req.headers().add("Accept", "text/plain, */*");
  web::http::http_response resp;
  std::string text;
  try {
    resp = http_->request(req).get();
    text = resp.extract_utf8string(true).get();
  } catch (const std::exception& e) {
    return transport_error("GET " + web::uri(path).path() + ": " + e.what());
  }
  if (resp.status_code() >= 200 && resp.status_code() < 300) return text;
  return error_from_response(resp.status_code(), text);
}

void Client::sleep(Clock::Duration d, const pplx::cancellation_token& cancel) {
  if (!cancel.is_cancelable()) {
    options_.sleep(d);
    return;
  }
  // Shared with the callback, which may run on another thread.
  struct Waiter {
    std::mutex mu;
    std::condition_variable cv;
    bool fired = false;
  };
  auto waiter = std::make_shared<Waiter>();
  auto registration = cancel.register_callback([waiter] {
    std::lock_guard<std::mutex> lock(waiter->mu);
    waiter->fired = true;
    waiter->cv.notify_all();
  });
  {
    std::unique_lock<std::mutex> lock(waiter->mu);
    waiter->cv.wait_for(lock, d, [&] { return waiter->fired; });
  }
  cancel.deregister_callback(registration);
}

Result<web::json::value> Client::request(const web::http::method& method, const std::string& path,
                                         const std::optional<web::json::value>& body,
                                         const std::string& content_type,
                                         const pplx::cancellation_token& cancel) {
  Backoff backoff(options_.retry_backoff, options_.clock, options_.random);
  for (int attempt = 0;; ++attempt) {
    if (cancel.is_canceled()) return cancelled_error();
    wait_for_token();
    auto result = send_once(method, path, body, content_type, cancel);
    if (result.ok() || !result.error().is_retryable() || attempt >= options_.max_retries) {
      return result;
    }
    Clock::Duration wait = retry_wait(result.error(), backoff.next(), options_.max_retry_after);
    log(LogLevel::Debug, method + " " + web::uri(path).path() + " failed (" +
                             result.error().to_string() + "), retry " + std::to_string(attempt + 1));
    sleep(wait, cancel);
  }
}

Result<web::json::value> Client::get(const Resource& r, const std::string& ns, const std::string& name) {
  return request(methods::GET, r.object_path(ns, name));
}

Result<ListResult> Client::list(const Resource& r, const std::string& ns, const ListOptions& opts,
                                const pplx::cancellation_token& cancel) {
  std::string path = with_query(r.collection_path(ns),
                                {{"labelSelector", opts.label_selector},
                                 {"fieldSelector", opts.field_selector},
                                 {"limit", opts.limit > 0 ? std::to_string(opts.limit) : ""},
                                 {"continue", opts.continue_token},
                                 {"resourceVersion", opts.resource_version}});
  auto body = request(methods::GET, path, std::nullopt, "application/json", cancel);
  if (!body.ok()) return body.error();
  ListResult out;
  const auto& v = *body;
  if (!v.is_object() || !v.has_array_field("items")) return decode_error("list response has no items");
  for (const auto& item : v.at("items").as_array()) out.items.push_back(item);
  if (v.has_object_field("metadata")) {
    const auto& meta = v.at("metadata");
    if (meta.has_string_field("resourceVersion")) out.resource_version = meta.at("resourceVersion").as_string();
    if (meta.has_string_field("continue")) out.continue_token = meta.at("continue").as_string();
  }
  return out;
}

Result<ListResult> Client::list_all(const Resource& r, const std::string& ns, ListOptions opts,
                                    const pplx::cancellation_token& cancel) {
  ListResult all;
  for (;;) {
    auto page = list(r, ns, opts, cancel);
    if (!page.ok()) return page.error();
    for (auto& item : page->items) all.items.push_back(std::move(item));
    all.resource_version = page->resource_version;
    if (page->continue_token.empty()) return all;
    opts.continue_token = page->continue_token;
    opts.resource_version.clear();  // not allowed together with continue
  }
}

Result<web::json::value> Client::create(const Resource& r, const std::string& ns,
                                        const web::json::value& obj) {
  return request(methods::POST, r.collection_path(ns), obj);
}

Result<web::json::value> Client::update(const Resource& r, const std::string& ns,
                                        const web::json::value& obj) {
  if (name_of(obj).empty()) return Error{ErrorKind::Invalid, 0, "", "update: object has no metadata.name", {}};
  return request(methods::PUT, r.object_path(ns, name_of(obj)), obj);
}

Result<web::json::value> Client::merge_patch(const Resource& r, const std::string& ns,
                                             const std::string& name, const web::json::value& patch) {
  return request(methods::PATCH, r.object_path(ns, name), patch, "application/merge-patch+json");
}

Result<web::json::value> Client::update_status(const Resource& r, const std::string& ns,
                                               const web::json::value& obj) {
  if (name_of(obj).empty()) {
    return Error{ErrorKind::Invalid, 0, "", "update_status: object has no metadata.name", {}};
  }
  return request(methods::PUT, r.object_path(ns, name_of(obj), "status"), obj);
}

Result<web::json::value> Client::merge_patch_status(const Resource& r, const std::string& ns,
                                                    const std::string& name,
                                                    const web::json::value& patch) {
  return request(methods::PATCH, r.object_path(ns, name, "status"), patch,
                 "application/merge-patch+json");
}

Result<void> Client::remove(const Resource& r, const std::string& ns, const std::string& name,
                            const DeleteOptions& opts) {
  auto body = web::json::value::object();
  body["kind"] = web::json::value::string("DeleteOptions");
  body["apiVersion"] = web::json::value::string("v1");
  if (opts.propagation != PropagationPolicy::Default) {
    body["propagationPolicy"] = web::json::value::string(propagation_name(opts.propagation));
  }
  if (!opts.precondition_uid.empty() || !opts.precondition_resource_version.empty()) {
    auto pre = web::json::value::object();
    if (!opts.precondition_uid.empty()) pre["uid"] = web::json::value::string(opts.precondition_uid);
    if (!opts.precondition_resource_version.empty()) {
      pre["resourceVersion"] = web::json::value::string(opts.precondition_resource_version);
    }
    body["preconditions"] = pre;
  }
  if (opts.grace_period_seconds) body["gracePeriodSeconds"] = *opts.grace_period_seconds;
  auto result = request(methods::DEL, r.object_path(ns, name), body);
  if (!result.ok()) return result.error();
  return {};
}

Result<void> Client::watch(const Resource& r, const std::string& ns, const WatchOptions& opts,
                           const std::function<bool(WatchEvent&&)>& on_event,
                           const pplx::cancellation_token& cancel) {
  std::string path = with_query(
      r.collection_path(ns),
      {{"watch", "true"},
       {"resourceVersion", opts.resource_version},
       {"allowWatchBookmarks", opts.allow_bookmarks ? "true" : ""},
       {"timeoutSeconds", opts.timeout_seconds > 0 ? std::to_string(opts.timeout_seconds) : ""},
       {"labelSelector", opts.label_selector},
       {"fieldSelector", opts.field_selector}});
  wait_for_token();
  Result<void> status;
  auto req = make_request(methods::GET, path, std::nullopt, "", status);
  if (!status.ok()) return status;

  // A private source linked to the caller's, so returning early (handler
  // said stop, bad event) also closes the connection instead of leaving the
  // server streaming into a buffer nobody reads.
  pplx::cancellation_token_source local;
  struct Link {
    const pplx::cancellation_token& parent;
    pplx::cancellation_token_source& local;
    pplx::cancellation_token_registration registration;
    Link(const pplx::cancellation_token& p, pplx::cancellation_token_source& l) : parent(p), local(l) {
      if (parent.is_cancelable()) {
        registration = parent.register_callback([l]() { l.cancel(); });
      }
    }
    ~Link() {
      if (parent.is_cancelable()) parent.deregister_callback(registration);
      local.cancel();
    }
  } link(cancel, local);

  web::http::http_response resp;
  try {
    resp = watch_http_->request(req, local.get_token()).get();
  } catch (const std::exception& e) {
    if (cancel.is_canceled()) return cancelled_error();
    return transport_error(std::string("watch ") + r.plural + ": " + e.what());
  }
  if (resp.status_code() != web::http::status_codes::OK) {
    std::string text;
    try {
      text = resp.extract_utf8string(true).get();
    } catch (const std::exception&) {
    }
    return error_from_response(resp.status_code(), text);
  }

  auto body = resp.body().streambuf();
  LineSplitter splitter;
  std::vector<uint8_t> chunk(64 * 1024);
  for (;;) {
    if (cancel.is_canceled()) return cancelled_error();
    size_t n = 0;
    try {
      // Ask for what is already buffered, or block for at least one byte:
      // the stream must be consumed as it arrives, not at its end.
      size_t avail = body.in_avail();
      size_t want = avail == 0 ? 1 : std::min(avail, chunk.size());
      n = body.getn(chunk.data(), want).get();
    } catch (const std::exception& e) {
      if (cancel.is_canceled()) return cancelled_error();
      return transport_error(std::string("watch ") + r.plural + " stream: " + e.what());
    }
    if (n == 0) {
      if (cancel.is_canceled()) return cancelled_error();
      return {};  // the server ended the stream (timeoutSeconds)
    }
    auto lines = splitter.feed(reinterpret_cast<const char*>(chunk.data()), n);
    if (!lines.ok()) return lines.error();
    for (auto& line : *lines) {
      auto event = parse_watch_event(line);
      if (!event.ok()) return event.error();
      if (event->type == WatchEventType::Error) return error_from_status(event->object);
      if (!on_event(std::move(*event))) return {};
    }
  }
}

}  // namespace sluice::kube
