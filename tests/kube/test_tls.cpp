#include <gtest/gtest.h>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "kube/tls.h"
#include "test_certs.h"

namespace sluice::kube {
namespace {

TEST(TlsTest, AcceptsCaAndMatchingClientPair) {
  auto ca = testing::make_self_signed("ca");
  auto client = testing::make_self_signed("admin");
  Config config;
  config.ca_pem = ca.cert_pem + testing::make_self_signed("second-ca").cert_pem;
  config.client_cert_pem = client.cert_pem;
  config.client_key_pem = client.key_pem;
  auto r = validate_tls(config, "127.0.0.1");
  EXPECT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_TRUE(validate_tls(config, "kubernetes.default.svc").ok());
}

TEST(TlsTest, ConfiguredCaReplacesSystemRoots) {
  auto ca = testing::make_self_signed("only-ca");
  Config config;
  config.ca_pem = ca.cert_pem;
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
  ctx.set_default_verify_paths();
  ASSERT_TRUE(configure_ssl_context(ctx, config, "127.0.0.1").ok());
  auto* objects = X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx.native_handle()));
  EXPECT_EQ(sk_X509_OBJECT_num(objects), 1);
}

TEST(TlsTest, ExpectedServerNameIsSetForOpenSslToCheck) {
  Config config;
  boost::asio::ssl::context by_name(boost::asio::ssl::context::tls_client);
  ASSERT_TRUE(configure_ssl_context(by_name, config, "api.example.com").ok());
  EXPECT_STREQ(X509_VERIFY_PARAM_get0_host(SSL_CTX_get0_param(by_name.native_handle()), 0), "api.example.com");

  boost::asio::ssl::context by_ip(boost::asio::ssl::context::tls_client);
  ASSERT_TRUE(configure_ssl_context(by_ip, config, "127.0.0.1").ok());
  char* ip = X509_VERIFY_PARAM_get1_ip_asc(SSL_CTX_get0_param(by_ip.native_handle()));
  ASSERT_NE(ip, nullptr);
  EXPECT_STREQ(ip, "127.0.0.1");
  OPENSSL_free(ip);

  // Insecure mode is the one case without a name check.
  config.insecure_skip_tls_verify = true;
  boost::asio::ssl::context insecure(boost::asio::ssl::context::tls_client);
  ASSERT_TRUE(configure_ssl_context(insecure, config, "api.example.com").ok());
  EXPECT_EQ(X509_VERIFY_PARAM_get0_host(SSL_CTX_get0_param(insecure.native_handle()), 0), nullptr);
}

TEST(TlsTest, RequiresTls12OrNewer) {
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
  ASSERT_TRUE(configure_ssl_context(ctx, Config{}, "h").ok());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.native_handle()), TLS1_2_VERSION);
}

struct BadTlsCase {
  const char* name;
  std::string ca;
  std::string cert;
  std::string key;
  std::string expected_fragment;
};

void PrintTo(const BadTlsCase& c, std::ostream* os) { *os << c.name; }


class BadTlsTest : public ::testing::TestWithParam<BadTlsCase> {};

TEST_P(BadTlsTest, RejectedWithClearMessage) {
  const auto& c = GetParam();
  Config config;
  config.ca_pem = c.ca;
  config.client_cert_pem = c.cert;
  config.client_key_pem = c.key;
  auto r = validate_tls(config, "127.0.0.1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::Config);
  EXPECT_NE(r.error().message.find(c.expected_fragment), std::string::npos) << r.error().message;
}

const testing::KeyPair kOne = testing::make_self_signed("one");
const testing::KeyPair kTwo = testing::make_self_signed("two");

INSTANTIATE_TEST_SUITE_P(
    Cases, BadTlsTest,
    ::testing::Values(
        BadTlsCase{"GarbageCa", "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----\n", "",
                   "", "certificate authority"},
        BadTlsCase{"GarbageClientCert", "", "not pem", kOne.key_pem, "client certificate"},
        BadTlsCase{"GarbageKey", "", kOne.cert_pem, "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
                   "client key: not a PEM private key"},
        BadTlsCase{"KeyDoesNotMatch", "", kOne.cert_pem, kTwo.key_pem, "does not match"}),
    [](const ::testing::TestParamInfo<BadTlsCase>& info) { return info.param.name; });

}  // namespace
}  // namespace sluice::kube
