#include "kube/tls.h"

#include <memory>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace sluice::kube {
namespace {

struct BioFree { void operator()(BIO* b) const { BIO_free(b); } };
struct X509Free { void operator()(X509* x) const { X509_free(x); } };
struct PkeyFree { void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string openssl_error() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

BioPtr memory_bio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Reads every certificate in a PEM bundle; empty when none parse.
std::vector<X509Ptr> read_certs(const std::string& pem) {
  std::vector<X509Ptr> certs;
  BioPtr bio = memory_bio(pem);
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certs.emplace_back(cert);
  }
  ERR_clear_error();  // the loop always ends on a "no start line" error
  return certs;
}

Result<void> install_cas(SSL_CTX* ctx, const std::string& ca_pem) {
  auto certs = read_certs(ca_pem);
  if (certs.empty()) return config_error("certificate authority: no certificate in PEM data");
  // A configured CA replaces the system roots, as kubectl does: trusting
  // public CAs for a cluster endpoint would widen who can impersonate it.
  X509_STORE* store = X509_STORE_new();
  if (!store) return config_error("certificate authority: " + openssl_error());
  SSL_CTX_set_cert_store(ctx, store);  // ctx takes ownership
  for (auto& cert : certs) {
    if (X509_STORE_add_cert(store, cert.get()) != 1) {
      return config_error("certificate authority: " + openssl_error());
    }
  }
  return {};
}

Result<void> install_client_cert(SSL_CTX* ctx, const std::string& cert_pem,
                                 const std::string& key_pem) {
  auto certs = read_certs(cert_pem);
  if (certs.empty()) return config_error("client certificate: no certificate in PEM data");
  if (SSL_CTX_use_certificate(ctx, certs[0].get()) != 1) {
    return config_error("client certificate: " + openssl_error());
  }
  for (size_t i = 1; i < certs.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, certs[i].get()) != 1) {
      return config_error("client certificate chain: " + openssl_error());
    }
  }
  BioPtr bio = memory_bio(key_pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    return config_error("client key: not a PEM private key");
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return config_error("client key: does not match the client certificate");
  }
  return {};
}

}  // namespace

bool is_ip_literal(const std::string& host) {
  return host.find(':') != std::string::npos ||
         host.find_first_not_of("0123456789.") == std::string::npos;
}

Result<void> configure_ssl_context(boost::asio::ssl::context& asio_ctx, const Config& config,
                                   const std::string& host) {
  SSL_CTX* ctx = asio_ctx.native_handle();
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return config_error("TLS: " + openssl_error());
  }
  if (!config.ca_pem.empty()) {
    if (auto r = install_cas(ctx, config.ca_pem); !r.ok()) return r;
  }
  if (!config.client_cert_pem.empty() || !config.client_key_pem.empty()) {
    if (auto r = install_client_cert(ctx, config.client_cert_pem, config.client_key_pem); !r.ok()) {
      return r;
    }
  }
  if (!config.insecure_skip_tls_verify && !host.empty()) {
    // cpprestsdk also runs an RFC 2818 check in its verify callback; having
    // OpenSSL check the name too means the check holds even if that changes.
    X509_VERIFY_PARAM* param = SSL_CTX_get0_param(ctx);
    int ok = is_ip_literal(host) ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str())
                                 : X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    if (ok != 1) return config_error("TLS: cannot set expected server name \"" + host + "\"");
  }
  return {};
}

Result<void> validate_tls(const Config& config, const std::string& host) {
  try {
    boost::asio::ssl::context scratch(boost::asio::ssl::context::tls_client);
    return configure_ssl_context(scratch, config, host);
  } catch (const std::exception& e) {
    return config_error(std::string("TLS: ") + e.what());
  }
}

}  // namespace sluice::kube
