#include "kube/watch.h"

#include "kube/log.h"

namespace sluice::kube {

Reflector::Reflector(std::shared_ptr<Client> client, Resource resource, std::string ns,
                     ReflectorHandlers handlers, ReflectorOptions options)
    : client_(std::move(client)),
      resource_(std::move(resource)),
      ns_(std::move(ns)),
      handlers_(std::move(handlers)),
      options_(std::move(options)),
      backoff_(options_.backoff, options_.clock ? options_.clock : real_clock(),
               options_.random ? options_.random : default_random()) {
  if (!options_.random) options_.random = default_random();
}

Reflector::~Reflector() { stop(); }

void Reflector::start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { run(); });
}

void Reflector::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cancel_.cancel();
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

std::string Reflector::last_resource_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return resource_version_;
}

bool Reflector::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

bool Reflector::wait(Clock::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stop_; });
  return !stop_;
}

std::chrono::seconds Reflector::watch_timeout() {
  auto lo = options_.min_watch_timeout.count();
  auto hi = std::max(lo, options_.max_watch_timeout.count());
  auto span = static_cast<double>(hi - lo + 1);
  auto pick = lo + static_cast<long>(options_.random() * span);
  return std::chrono::seconds(std::min<long>(pick, hi));
}

bool Reflector::list() {
  ListOptions opts;
  opts.label_selector = options_.label_selector;
  opts.field_selector = options_.field_selector;
  opts.limit = options_.page_size;
  // Pages go to on_list_page as they arrive when it is set, else into one list.
  auto listAll = [&](ListOptions o) -> Result<ListResult> {
    if (!handlers_.on_list_page) return client_->list_all(resource_, ns_, o, cancel_.get_token());
    ListResult done;
    for (bool first = true;; first = false) {
      auto page = client_->list(resource_, ns_, o, cancel_.get_token());
      if (!page.ok()) return page.error();
      handlers_.on_list_page(std::move(page->items), first);
      done.resource_version = page->resource_version;
      if (page->continue_token.empty()) return done;
      o.continue_token = page->continue_token;
      o.resource_version.clear();  // not allowed together with continue
    }
  };
  auto result = listAll(opts);
  if (!result.ok() && result.error().kind == ErrorKind::Gone && opts.limit > 0) {
    // The continue token expired between pages: fall back to one full list.
    opts.limit = 0;
    result = listAll(opts);
  }
  if (!result.ok()) {
    if (result.error().kind == ErrorKind::Cancelled) return false;
    log(LogLevel::Warning, "list " + resource_.plural + " failed: " + result.error().to_string());
    return false;
  }
  ++lists_;
  {
    std::lock_guard<std::mutex> lock(mu_);
    resource_version_ = result->resource_version;
  }
  if (handlers_.on_replace) handlers_.on_replace(std::move(result->items), result->resource_version);
  return true;
}

void Reflector::run() {
  bool need_list = options_.start_resource_version.empty();
  if (!need_list) {
    std::lock_guard<std::mutex> lock(mu_);
    resource_version_ = options_.start_resource_version;
  }
  while (!stopping()) {
    if (need_list) {
      if (!list()) {
        if (!wait(backoff_.next())) return;
        continue;
      }
      need_list = false;
    }

    WatchOptions opts;
    opts.resource_version = last_resource_version();
    opts.label_selector = options_.label_selector;
    opts.field_selector = options_.field_selector;
    opts.timeout_seconds = static_cast<int>(watch_timeout().count());
    opts.allow_bookmarks = true;

    auto result = client_->watch(
        resource_, ns_, opts,
        [this](WatchEvent&& event) {
          std::string rv = object_resource_version(event.object);
          if (event.type != WatchEventType::Bookmark && handlers_.on_event) {
            handlers_.on_event(std::move(event));
          }
          if (!rv.empty()) {
            std::lock_guard<std::mutex> lock(mu_);
            resource_version_ = rv;
          }
          return !stopping();
        },
        cancel_.get_token());

    if (stopping()) return;
    if (result.ok()) {
      // The server ended the stream as asked: resume where we left off.
      backoff_.reset();
      ++resumes_;
      continue;
    }
    const Error& error = result.error();
    if (error.kind == ErrorKind::Gone) {
      log(LogLevel::Info, "watch " + resource_.plural + ": resourceVersion expired, relisting");
      need_list = true;
      continue;
    }
    if (error.kind == ErrorKind::Decode) {
      // We may have lost an event we could not read: only a relist is safe.
      log(LogLevel::Warning, "watch " + resource_.plural + ": malformed event (" + error.message +
                                 "), relisting");
      need_list = true;
    } else {
      log(LogLevel::Warning, "watch " + resource_.plural + " failed: " + error.to_string());
    }
    if (!wait(backoff_.next())) return;
  }
}

}  // namespace sluice::kube
