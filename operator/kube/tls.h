// TLS set-up for API server connections: trust only the configured CAs (or
// the system roots when none), present the client certificate, and let
// OpenSSL check the server's host name or IP. PEM comes from memory only.
#pragma once

#include <string>

#include <boost/asio/ssl/context.hpp>

#include "kube/config.h"
#include "kube/result.h"

namespace sluice::kube {

// Installs `config`'s CA certificates, client certificate chain and key into
// `ctx`, requires TLS >= 1.2 and sets `host` (a DNS name or IP literal) as the
// name the server certificate must carry. Returns a Config error when the PEM
// does not parse or the key does not match the certificate.
Result<void> configure_ssl_context(boost::asio::ssl::context& ctx, const Config& config,
                                   const std::string& host);

// True when `host` is an IP address literal (v4 digits and dots, or v6 with
// colons) rather than a DNS name: no SNI, and the certificate must carry
// the address.
bool is_ip_literal(const std::string& host);

// Runs configure_ssl_context on a scratch context, so a client can reject bad
// TLS material when it is created instead of on first connection.
Result<void> validate_tls(const Config& config, const std::string& host);

}  // namespace sluice::kube
