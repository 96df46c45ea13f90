#include "actors/admin/tls_credentials.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace spec_notify::admin {
namespace {

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;

constexpr long validity_seconds = 10L * 365 * 24 * 3600;

bool add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for `key` named `cn`, signed by issuer/issuer_key (self-signed CA when issuer is null).
x509_ptr issue(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key) {
  x509_ptr cert(X509_new(), X509_free);
  if (!cert) return cert;
  bool ca = issuer == nullptr;
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return x509_ptr(nullptr, X509_free);
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr;
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(cert.get());
  ok = ok && X509_set_version(cert.get(), 2) == 1 &&
       X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&  // tolerate small clock steps
       X509_gmtime_adj(X509_getm_notAfter(cert.get()), validity_seconds) != nullptr &&
       X509_set_pubkey(cert.get(), key) == 1 &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1,
                                  -1, 0) == 1 &&
       X509_set_issuer_name(cert.get(), ca ? name : X509_get_subject_name(issuer)) == 1;
  X509* signer = ca ? cert.get() : issuer;
  ok = ok &&
       add_extension(cert.get(), signer, NID_basic_constraints,
                     ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE") &&
       add_extension(cert.get(), signer, NID_key_usage,
                     ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") &&
       (ca || add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth")) &&
       add_extension(cert.get(), signer, NID_subject_key_identifier, "hash") &&
       (ca || add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always")) &&
       X509_sign(cert.get(), ca ? key : issuer_key, EVP_sha256()) > 0;
  if (!ok) cert.reset();
  return cert;
}

std::string pem_of(X509* cert) {
  bio_ptr bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string pem_of(EVP_PKEY* key) {
  bio_ptr bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) return "";
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

// 0600 temp file in the same folder, fsync, rename: readers never see a partial file or looser modes.
bool write_private(const std::filesystem::path& path, const std::string& text, std::string& error) {
  auto tmp = path;
  tmp += ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot write " + tmp.string() + ": " + std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot write " + path.string() + ": " + std::strerror(ok ? errno : err);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

x509_ptr read_cert(const std::filesystem::path& path) {
  x509_ptr none(nullptr, X509_free);
  FILE* f = std::fopen(path.c_str(), "re");
  if (!f) return none;
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return x509_ptr(cert, X509_free);
}

pkey_ptr read_key(const std::filesystem::path& path) {
  FILE* f = std::fopen(path.c_str(), "re");
  if (!f) return pkey_ptr(nullptr, EVP_PKEY_free);
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  return pkey_ptr(key, EVP_PKEY_free);
}

// A leaf that the CA signed, that matches its key and that is valid for at least another day.
bool leaf_usable(const std::filesystem::path& cert_path, const std::filesystem::path& key_path, X509* ca) {
  auto cert = read_cert(cert_path);
  auto key = read_key(key_path);
  if (!cert || !key || X509_check_private_key(cert.get(), key.get()) != 1) return false;
  EVP_PKEY* ca_key = X509_get0_pubkey(ca);
  if (!ca_key || X509_verify(cert.get(), ca_key) != 1) return false;
  time_t tomorrow = std::time(nullptr) + 24 * 3600;
  return X509_cmp_time(X509_get0_notAfter(cert.get()), &tomorrow) > 0;
}

bool existing_set_usable(const tls_files& f) {
  auto ca = read_cert(f.ca);
  if (!ca || X509_check_ca(ca.get()) == 0) return false;
  return leaf_usable(f.daemon_cert, f.daemon_key, ca.get()) &&
         leaf_usable(f.client_cert, f.client_key, ca.get());
}

// The folder must be a real directory of ours (never a symlink somebody planted), mode 0700.
bool make_private_dir(const std::filesystem::path& dir, std::string& error) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    error = "cannot create " + dir.string() + ": " + std::strerror(errno);
    return false;
  }
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    error = dir.string() + " is not a directory of this user (a symlink?): " + std::strerror(errno);
    return false;
  }
  bool ok = ::fchmod(fd, 0700) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) error = "cannot make " + dir.string() + " private (0700): " + std::strerror(err);
  return ok;
}

}  // namespace

tls_files tls_paths(const std::filesystem::path& state_dir) {
  tls_files f;
  f.dir = state_dir / "admin-tls";
  f.ca = f.dir / "ca.pem";
  f.daemon_cert = f.dir / "daemon.pem";
  f.daemon_key = f.dir / "daemon.key";
  f.client_cert = f.dir / "client.pem";
  f.client_key = f.dir / "client.key";
  return f;
}

status ensure_tls_files(const std::filesystem::path& state_dir, tls_files& out, bool& issued) {
  out = tls_paths(state_dir);
  issued = false;
  std::string error;
  if (!make_private_dir(out.dir, error)) return status::failure(std::move(error));
  if (existing_set_usable(out)) return status::success();
  pkey_ptr ca_key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  pkey_ptr daemon_key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  pkey_ptr client_key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!ca_key || !daemon_key || !client_key) {
    return status::failure("cannot generate admin TLS keys (OpenSSL EC P-256)");
  }
  auto ca = issue(ca_key.get(), "spec-notify admin CA", nullptr, nullptr);
  if (!ca) {
    return status::failure("cannot issue the admin TLS CA certificate (OpenSSL)");
  }
  auto daemon = issue(daemon_key.get(), "spec-notify daemon", ca.get(), ca_key.get());
  auto client = issue(client_key.get(), "spec-notify operator", ca.get(), ca_key.get());
  if (!daemon || !client) {
    return status::failure("cannot issue admin TLS certificates (OpenSSL)");
  }
  // Keys first, CA last: a reader that sees the new CA also sees leaves signed by it.
  if (!write_private(out.daemon_key, pem_of(daemon_key.get()), error) ||
      !write_private(out.daemon_cert, pem_of(daemon.get()), error) ||
      !write_private(out.client_key, pem_of(client_key.get()), error) ||
      !write_private(out.client_cert, pem_of(client.get()), error) ||
      !write_private(out.ca, pem_of(ca.get()), error))
    return status::failure(std::move(error));
  issued = true;
  return status::success();
}

status client_tls_files(const std::filesystem::path& state_dir, tls_files& out) {
  out = tls_paths(state_dir);
  for (const auto* p : {&out.ca, &out.client_cert, &out.client_key}) {
    int fd = ::open(p->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return status::failure(errno == ENOENT ? "no admin credentials at " + p->string() +
                                                   " (`serve` creates them at start)"
                                             : "cannot read the admin credentials " + p->string() + ": " +
                                                   std::strerror(errno) + " (run as the daemon's user)");
    }
    ::close(fd);
  }
  return status::success();
}

}  // namespace spec_notify::admin
