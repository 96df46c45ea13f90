#pragma once
// Test helper: a throw-away self-signed certificate (P-256, CN=localhost, SAN localhost + 127.0.0.1, CA:TRUE
// so it can also serve as its own trust anchor) written as PEM files into a fresh temp directory.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

struct test_certificate {
  std::string dir, key_file, cert_file;
};

inline void add_test_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext || X509_add_ext(cert, ext, -1) != 1) throw std::runtime_error("cannot add certificate extension");
  X509_EXTENSION_free(ext);
}

inline test_certificate make_self_signed_certificate() {
  char tmpl[] = "/tmp/spec-notify-tls-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  test_certificate out{tmpl, std::string(tmpl) + "/key.pem", std::string(tmpl) + "/cert.pem"};

  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  if (!key || !cert) throw std::runtime_error("cannot create key or certificate");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  add_test_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_test_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0)
    throw std::runtime_error("cannot sign certificate");

  FILE* f = std::fopen(out.key_file.c_str(), "w");
  if (!f || PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("cannot write key");
  std::fclose(f);
  f = std::fopen(out.cert_file.c_str(), "w");
  if (!f || PEM_write_X509(f, cert.get()) != 1) throw std::runtime_error("cannot write certificate");
  std::fclose(f);
  return out;
}

inline void remove_certificate(const test_certificate& c) {
  std::error_code ec;
  std::filesystem::remove_all(c.dir, ec);
}
