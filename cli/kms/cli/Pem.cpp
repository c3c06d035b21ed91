#include "kms/cli/Pem.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <memory>

#include "kms/cli/CliError.hpp"

namespace kms::cli {
namespace {

struct BioFree {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

}  // namespace

std::string Pem::encode(const kms::SecureBytes& der, const std::string& label) {
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio(bio.get(), label.c_str(), "", der.data(), static_cast<long>(der.size())) <= 0) {
    throw CliError(ExitCode::BadData, "cannot write the key as PEM");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Pem::Block Pem::decode(const std::string& text, const std::string& source) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long size = 0;
  if (!bio || PEM_read_bio(bio.get(), &name, &header, &data, &size) != 1) {
    throw CliError(ExitCode::BadData, fmt::format("{} holds no PEM block", source));
  }
  Block block{name, kms::SecureBytes(data, data + size)};
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_clear_free(data, static_cast<std::size_t>(size));
  return block;
}

}  // namespace kms::cli
