// The client against a real kube-apiserver: CRUD, conflicts, preconditions,
// pagination, custom resources with a status subresource.
#include <set>

#include "cluster_fixture.h"

namespace sluice::kube {
namespace {

using testing::config_map;
using web::json::value;

class ClientIntegrationTest : public testing::ClusterTest {};

TEST_F(ClientIntegrationTest, ConfigMapCrud) {
  const auto cms = resources::config_maps();
  auto created = client_->create(cms, ns_, config_map("one", "1", "a"));
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  EXPECT_FALSE(object_uid(*created).empty());

  auto again = client_->create(cms, ns_, config_map("one", "1"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::AlreadyExists);
  EXPECT_EQ(again.error().http_code, 409);

  ASSERT_TRUE(client_->create(cms, ns_, config_map("two", "2", "b")).ok());

  auto got = client_->get(cms, ns_, "one");
  ASSERT_TRUE(got.ok()) << got.error().to_string();
  EXPECT_EQ(got->at("data").at("value").as_string(), "1");

  ListOptions by_label;
  by_label.label_selector = "group=a";
  auto listed = client_->list(cms, ns_, by_label);
  ASSERT_TRUE(listed.ok()) << listed.error().to_string();
  ASSERT_EQ(listed->items.size(), 1u);
  EXPECT_EQ(object_name(listed->items[0]), "one");
  EXPECT_FALSE(listed->resource_version.empty());

  ListOptions by_field;
  by_field.field_selector = "metadata.name=two";
  auto fielded = client_->list(cms, ns_, by_field);
  ASSERT_TRUE(fielded.ok()) << fielded.error().to_string();
  ASSERT_EQ(fielded->items.size(), 1u);
  EXPECT_EQ(object_name(fielded->items[0]), "two");

  value update = *got;
  update["data"]["value"] = value::string("1b");
  auto updated = client_->update(cms, ns_, update);
  ASSERT_TRUE(updated.ok()) << updated.error().to_string();
  EXPECT_EQ(updated->at("data").at("value").as_string(), "1b");

  value patch = value::object();
  patch["data"]["extra"] = value::string("x");
  auto patched = client_->merge_patch(cms, ns_, "one", patch);
  ASSERT_TRUE(patched.ok()) << patched.error().to_string();
  EXPECT_EQ(patched->at("data").at("extra").as_string(), "x");
  EXPECT_EQ(patched->at("data").at("value").as_string(), "1b");

  DeleteOptions background;
  background.propagation = PropagationPolicy::Background;
  ASSERT_TRUE(client_->remove(cms, ns_, "one", background).ok());
  auto gone = client_->get(cms, ns_, "one");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().kind, ErrorKind::NotFound);
  auto gone_again = client_->remove(cms, ns_, "one");
  ASSERT_FALSE(gone_again.ok());
  EXPECT_EQ(gone_again.error().kind, ErrorKind::NotFound);
}

TEST_F(ClientIntegrationTest, StaleUpdateAndPreconditionsConflict) {
  const auto cms = resources::config_maps();
  auto v1 = client_->create(cms, ns_, config_map("c", "1"));
  ASSERT_TRUE(v1.ok()) << v1.error().to_string();
  value fresh = *v1;
  fresh["data"]["value"] = value::string("2");
  ASSERT_TRUE(client_->update(cms, ns_, fresh).ok());

  value stale = *v1;  // still carries the first resourceVersion
  stale["data"]["value"] = value::string("3");
  auto conflict = client_->update(cms, ns_, stale);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().kind, ErrorKind::Conflict);
  EXPECT_EQ(conflict.error().http_code, 409);
  EXPECT_FALSE(conflict.error().message.empty());

  DeleteOptions wrong_version;
  wrong_version.precondition_resource_version = object_resource_version(*v1);
  auto r1 = client_->remove(cms, ns_, "c", wrong_version);
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().kind, ErrorKind::Conflict);

  DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "00000000-0000-0000-0000-000000000000";
  auto r2 = client_->remove(cms, ns_, "c", wrong_uid);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().kind, ErrorKind::Conflict);

  DeleteOptions right_uid;
  right_uid.precondition_uid = object_uid(*v1);
  EXPECT_TRUE(client_->remove(cms, ns_, "c", right_uid).ok());
}

TEST_F(ClientIntegrationTest, InvalidObjectIsInvalid) {
  auto bad = client_->create(resources::config_maps(), ns_, config_map("Not_A_DNS_Name", "x"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(bad.error().http_code, 422);
}

TEST_F(ClientIntegrationTest, PaginationOverMoreThan500Objects) {
  const auto cms = resources::config_maps();
  constexpr int kCount = 520;
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = w; i < kCount; i += 4) {
        if (!client_->create(cms, ns_, config_map("cm-" + std::to_string(i), "v", "page")).ok()) ++failures;
      }
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_EQ(failures.load(), 0);

  ListOptions page;
  page.limit = 100;
  page.label_selector = "group=page";
  auto first = client_->list(cms, ns_, page);
  ASSERT_TRUE(first.ok()) << first.error().to_string();
  EXPECT_EQ(first->items.size(), 100u);
  EXPECT_FALSE(first->continue_token.empty());

  int pages = 0;
  std::set<std::string> names;
  ListOptions cursor = page;
  for (;;) {
    auto p = client_->list(cms, ns_, cursor);
    ASSERT_TRUE(p.ok()) << p.error().to_string();
    ++pages;
    for (const auto& item : p->items) names.insert(object_name(item));
    if (p->continue_token.empty()) break;
    cursor.continue_token = p->continue_token;
  }
  EXPECT_EQ(pages, 6);
  EXPECT_EQ(names.size(), static_cast<size_t>(kCount));

  auto all = client_->list_all(cms, ns_, page);
  ASSERT_TRUE(all.ok()) << all.error().to_string();
  EXPECT_EQ(all->items.size(), static_cast<size_t>(kCount));
  EXPECT_FALSE(all->resource_version.empty());
}

// A throwaway CRD with a status subresource, in its own API group.
class CustomResourceTest : public testing::ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    if (HasFatalFailure()) return;
    plural_ = "widgets" + testing::random_suffix();
    crd_name_ = plural_ + ".kubetest.sluice.dev";
    value crd = value::parse(R"({
      "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
      "metadata": {"name": ")" + crd_name_ + R"("},
      "spec": {"group": "kubetest.sluice.dev", "scope": "Namespaced",
        "names": {"plural": ")" + plural_ + R"(", "singular": ")" + plural_ +
                             R"(x", "kind": "Widget)" + plural_.substr(7) + R"("},
        "versions": [{"name": "v1", "served": true, "storage": true,
          "subresources": {"status": {}},
          "schema": {"openAPIV3Schema": {"type": "object", "properties": {
            "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
            "status": {"type": "object", "properties": {"phase": {"type": "string"}}}}}}}]}})");
    auto created = client_->create(resources::crds(), "", crd);
    ASSERT_TRUE(created.ok()) << created.error().to_string();
    resource_ = Resource{"kubetest.sluice.dev", "v1", plural_, true};
    // The CRD is served only once Established; poll the collection.
    ASSERT_TRUE(testing::eventually([&] { return client_->list(resource_, ns_).ok(); }))
        << "CRD never became served";
  }
  void TearDown() override {
    if (client_ && !crd_name_.empty()) (void)client_->remove(resources::crds(), "", crd_name_);
    ClusterTest::TearDown();
  }

  value widget(const std::string& name, int size) {
    value w = value::object();
    w["apiVersion"] = value::string("kubetest.sluice.dev/v1");
    w["kind"] = value::string("Widget" + plural_.substr(7));
    w["metadata"]["name"] = value::string(name);
    w["spec"]["size"] = size;
    return w;
  }

  std::string plural_, crd_name_;
  Resource resource_;
};

TEST_F(CustomResourceTest, CrudAndStatusSubresource) {
  auto created = client_->create(resource_, ns_, widget("w1", 3));
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  EXPECT_EQ(created->at("spec").at("size").as_integer(), 3);

  // Status written through the main resource is ignored...
  value with_status = *created;
  with_status["status"]["phase"] = value::string("Ignored");
  with_status["spec"]["size"] = 4;
  auto updated = client_->update(resource_, ns_, with_status);
  ASSERT_TRUE(updated.ok()) << updated.error().to_string();
  EXPECT_FALSE(updated->has_field("status") && updated->at("status").has_field("phase"));
  EXPECT_EQ(updated->at("spec").at("size").as_integer(), 4);

  // ...and spec written through /status is ignored.
  value status_update = *updated;
  status_update["status"]["phase"] = value::string("Running");
  status_update["spec"]["size"] = 99;
  auto st = client_->update_status(resource_, ns_, status_update);
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_EQ(st->at("status").at("phase").as_string(), "Running");
  EXPECT_EQ(st->at("spec").at("size").as_integer(), 4);

  // Optimistic concurrency applies to status too.
  auto stale_status = client_->update_status(resource_, ns_, status_update);
  ASSERT_FALSE(stale_status.ok());
  EXPECT_EQ(stale_status.error().kind, ErrorKind::Conflict);

  value patch = value::object();
  patch["status"]["phase"] = value::string("Done");
  auto patched = client_->merge_patch_status(resource_, ns_, "w1", patch);
  ASSERT_TRUE(patched.ok()) << patched.error().to_string();
  EXPECT_EQ(patched->at("status").at("phase").as_string(), "Done");

  auto listed = client_->list(resource_, ns_);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->items.size(), 1u);

  ASSERT_TRUE(client_->remove(resource_, ns_, "w1").ok());
  auto gone = client_->get(resource_, ns_, "w1");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().kind, ErrorKind::NotFound);
}

TEST_F(ClientIntegrationTest, BearerTokenAuthenticatesAndRbacForbids) {
  // A service account with no RBAC grants: its token must authenticate
  // (403 Forbidden naming the account), while a garbage token is 401.
  value sa = value::object();
  sa["apiVersion"] = value::string("v1");
  sa["kind"] = value::string("ServiceAccount");
  sa["metadata"]["name"] = value::string("reader");
  ASSERT_TRUE(client_->create(Resource{"", "v1", "serviceaccounts", true}, ns_, sa).ok());
  value request = value::parse(R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",
                                   "spec":{"expirationSeconds":600}})");
  auto issued = client_->request(web::http::methods::POST,
                                 Resource{"", "v1", "serviceaccounts", true}.object_path(ns_, "reader", "token"),
                                 request);
  ASSERT_TRUE(issued.ok()) << issued.error().to_string();
  std::string token = issued->at("status").at("token").as_string();

  Config as_reader = client_->config();
  as_reader.client_cert_pem.clear();
  as_reader.client_key_pem.clear();
  as_reader.token = std::make_shared<StaticTokenSource>(token);
  ClientOptions options;
  options.max_retries = 0;
  auto reader = Client::create(as_reader, options);
  ASSERT_TRUE(reader.ok()) << reader.error().to_string();
  auto forbidden = (*reader)->list(resources::config_maps(), ns_);
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.error().kind, ErrorKind::Forbidden);
  EXPECT_NE(forbidden.error().message.find("system:serviceaccount:" + ns_ + ":reader"), std::string::npos)
      << forbidden.error().message;

  as_reader.token = std::make_shared<StaticTokenSource>("not-a-token");
  auto stranger = Client::create(as_reader, options);
  ASSERT_TRUE(stranger.ok());
  auto unauthorized = (*stranger)->list(resources::config_maps(), ns_);
  ASSERT_FALSE(unauthorized.ok());
  EXPECT_EQ(unauthorized.error().kind, ErrorKind::Unauthorized);
  EXPECT_EQ(unauthorized.error().http_code, 401);
}

// A real 429 on demand: the eviction API refuses to evict a ready pod covered
// by a PodDisruptionBudget that no disruption controller has processed (this
// cluster runs none) and answers "429 TooManyRequests, Retry-After: 10". The
// client must retry it, wait what the server asks (clamped to
// max_retry_after), and finally return the typed error with the server's words.
TEST_F(ClientIntegrationTest, TooManyRequestsFromTheServerIsRetriedAsToldThenTyped) {
  auto pod = value::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"guarded","labels":{"app":"guarded"}},
    "spec":{"automountServiceAccountToken":false,"containers":[{"name":"c","image":"registry.example/none:1"}]}})");
  // Pod admission wants the namespace's default ServiceAccount, which only a
  // controller-manager would create (AlreadyExists when one did).
  auto sa = value::parse(R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default"}})");
  auto madeSa = client_->create({"", "v1", "serviceaccounts", true}, ns_, sa);
  ASSERT_TRUE(madeSa.ok() || madeSa.error().is(ErrorKind::AlreadyExists)) << madeSa.error().to_string();
  auto madePod = client_->create(resources::pods(), ns_, pod);
  ASSERT_TRUE(madePod.ok()) << madePod.error().to_string();
  // Running and Ready, as its kubelet would report it: a pod that is not
  // ready may be evicted whatever the budget says.
  auto ready = value::parse(R"({"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}})");
  auto patched = client_->merge_patch_status(resources::pods(), ns_, "guarded", ready);
  ASSERT_TRUE(patched.ok()) << patched.error().to_string();
  auto pdb = value::parse(R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget",
    "metadata":{"name":"keep-one"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"guarded"}}}})");
  auto madePdb = client_->request(web::http::methods::POST, "/apis/policy/v1/namespaces/" + ns_ + "/poddisruptionbudgets", pdb);
  ASSERT_TRUE(madePdb.ok()) << madePdb.error().to_string();

  auto config = load_kubeconfig(std::getenv("SLUICE_TEST_KUBECONFIG"));
  ASSERT_TRUE(config.ok());
  auto eviction = value::parse(R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"guarded"}})");
  eviction["metadata"]["namespace"] = value::string(ns_);
  const std::string evict = "/api/v1/namespaces/" + ns_ + "/pods/guarded/eviction";

  for (auto [cap, want] : {std::pair{std::chrono::seconds(60), std::chrono::seconds(10)},
                           std::pair{std::chrono::seconds(3), std::chrono::seconds(3)}}) {
    std::vector<Clock::Duration> waits;
    ClientOptions options;
    options.max_retries = 2;
    options.max_retry_after = cap;
    // Our own backoff stays far below the server's ask, so every wait is the server's.
    options.retry_backoff = BackoffPolicy{std::chrono::milliseconds(10), std::chrono::milliseconds(100), 2.0, 0.5,
                                          std::chrono::minutes(1)};
    options.sleep = [&](Clock::Duration d) { waits.push_back(d); };  // record, do not wait
    auto client = Client::create(*config, options);
    ASSERT_TRUE(client.ok());

    auto r = (*client)->request(web::http::methods::POST, evict, eviction);
    ASSERT_FALSE(r.ok()) << "the eviction went through: " << r->serialize();
    EXPECT_EQ(r.error().kind, ErrorKind::TooManyRequests) << r.error().to_string();
    EXPECT_EQ(r.error().http_code, 429);
    EXPECT_EQ(r.error().reason, "TooManyRequests");
    EXPECT_NE(r.error().message.find("disruption budget"), std::string::npos) << r.error().message;
    ASSERT_TRUE(r.error().retry_after.has_value());
    EXPECT_EQ(*r.error().retry_after, std::chrono::seconds(10));
    ASSERT_EQ(waits.size(), 2u) << "max_retries = 2: three attempts, two waits";
    for (auto w : waits) EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(w), want) << "cap " << cap.count() << " s";
  }
  EXPECT_TRUE(client_->get(resources::pods(), ns_, "guarded").ok()) << "the guarded pod must still exist";
}

TEST(ClientTlsIntegrationTest, WrongCaIsRejected) {
  const char* path = std::getenv("SLUICE_TEST_KUBECONFIG");
  ASSERT_TRUE(path && *path) << "SLUICE_TEST_KUBECONFIG is not set";
  auto config = load_kubeconfig(path);
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  // Trust a CA that did not sign the server: the handshake must fail.
  Config wrong = *config;
  wrong.ca_pem = config->client_cert_pem;  // a certificate, but not the server's issuer
  ClientOptions options;
  options.max_retries = 0;
  auto client = Client::create(wrong, options);
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  auto r = (*client)->list(resources::namespaces(), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Unavailable);

  // And the right CA works, proving the failure above was the trust check.
  auto good = Client::create(*config, options);
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE((*good)->list(resources::namespaces(), "").ok());
}

}  // namespace
}  // namespace sluice::kube
