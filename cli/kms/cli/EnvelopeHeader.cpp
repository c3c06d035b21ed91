#include "kms/cli/EnvelopeHeader.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "kms/cli/CliError.hpp"
#include "kms/cli/InputFile.hpp"

namespace kms::cli {
namespace {

// magic, version, wrap, hash, flags, chunk size (4), nonce prefix (7), UID length (2)
constexpr std::size_t kFixedSize = 8 + 1 + 1 + 1 + 1 + 4 + EnvelopeHeader::kPrefixSize + 2;

void put16(std::vector<std::uint8_t>& out, std::size_t value) {
  out.push_back(static_cast<std::uint8_t>(value >> 8));
  out.push_back(static_cast<std::uint8_t>(value));
}

[[noreturn]] void invalid(const InputFile& input, const std::string& why) {
  throw CliError(ExitCode::BadData, fmt::format("{} is not a valid kms envelope file: {}", input.name(), why));
}

void readExactly(InputFile& input, std::vector<std::uint8_t>& raw, std::size_t size, const char* what) {
  const std::size_t start = raw.size();
  raw.resize(start + size);
  if (input.read(raw.data() + start, size) != size) invalid(input, fmt::format("it ends inside its {}", what));
}

}  // namespace

bool EnvelopeHeader::isMagic(const std::uint8_t* data, std::size_t size) noexcept {
  return size >= kMagic.size() && std::equal(kMagic.begin(), kMagic.end(), data);
}

std::vector<std::uint8_t> EnvelopeHeader::encode() const {
  std::vector<std::uint8_t> out(kMagic.begin(), kMagic.end());
  out.push_back(kVersion);
  out.push_back(static_cast<std::uint8_t>(wrap));
  out.push_back(static_cast<std::uint8_t>(hash));
  out.push_back(authenticationData ? kFlagAad : 0);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(chunkSize >> shift));
  out.insert(out.end(), noncePrefix.begin(), noncePrefix.end());
  put16(out, keyUid.size());
  out.insert(out.end(), keyUid.begin(), keyUid.end());
  put16(out, wrappedKey.size());
  out.insert(out.end(), wrappedKey.begin(), wrappedKey.end());
  return out;
}

EnvelopeHeader EnvelopeHeader::read(InputFile& input, std::vector<std::uint8_t>& raw) {
  raw.assign(kMagic.begin(), kMagic.end());
  readExactly(input, raw, kFixedSize - kMagic.size(), "header");
  const std::uint8_t* p = raw.data() + kMagic.size();
  if (p[0] != kVersion) {
    invalid(input, fmt::format("its format version is {} (this kms reads version {}): decrypt it with the kms that "
                               "wrote it or a newer one",
                               p[0], kVersion));
  }
  EnvelopeHeader header;
  if (p[1] < 1 || p[1] > 3) invalid(input, fmt::format("unknown key wrapping method {}", p[1]));
  header.wrap = static_cast<Wrap>(p[1]);
  if (p[2] > 5 || ((header.wrap == Wrap::RsaOaep) != (p[2] != 0))) {
    invalid(input, fmt::format("hash {} does not go with key wrapping method {}", p[2], p[1]));
  }
  header.hash = static_cast<Hash>(p[2]);
  if ((p[3] & ~kFlagAad) != 0) invalid(input, fmt::format("unknown flags 0x{:02x}", p[3]));
  header.authenticationData = (p[3] & kFlagAad) != 0;
  header.chunkSize = (std::uint32_t{p[4]} << 24) | (std::uint32_t{p[5]} << 16) | (std::uint32_t{p[6]} << 8) | p[7];
  if (header.chunkSize < kMinChunkSize || header.chunkSize > kMaxChunkSize) {
    invalid(input, fmt::format("chunk size {} out of range", header.chunkSize));
  }
  std::copy(p + 8, p + 8 + kPrefixSize, header.noncePrefix.begin());
  const std::size_t uidSize = (std::size_t{raw[kFixedSize - 2]} << 8) | raw[kFixedSize - 1];
  if (uidSize == 0 || uidSize > kMaxUidSize) invalid(input, fmt::format("key UID length {} out of range", uidSize));
  readExactly(input, raw, uidSize + 2, "header");
  header.keyUid.assign(raw.end() - static_cast<std::ptrdiff_t>(uidSize) - 2, raw.end() - 2);
  const std::size_t wrappedSize = (std::size_t{raw[raw.size() - 2]} << 8) | raw[raw.size() - 1];
  if (wrappedSize == 0 || wrappedSize > kMaxWrappedKeySize) {
    invalid(input, fmt::format("wrapped key length {} out of range", wrappedSize));
  }
  readExactly(input, raw, wrappedSize, "wrapped data key");
  header.wrappedKey.assign(raw.end() - static_cast<std::ptrdiff_t>(wrappedSize), raw.end());
  return header;
}

}  // namespace kms::cli
