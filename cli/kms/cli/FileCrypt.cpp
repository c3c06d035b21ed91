#include "kms/cli/FileCrypt.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <utility>

#include "kms/cli/ChunkCipher.hpp"
#include "kms/cli/CliError.hpp"
#include "kms/cli/InputFile.hpp"
#include "kms/cli/Progress.hpp"
#include "kms/cli/StreamingOutput.hpp"

namespace kms::cli {
namespace {

constexpr std::size_t kTagSize = ChunkCipher::kTagSize;

void randomBytes(std::uint8_t* data, std::size_t size) {
  if (RAND_bytes(data, static_cast<int>(size)) != 1) {
    throw CliError(ExitCode::Internal, "OpenSSL's random generator failed");
  }
}

std::vector<std::uint8_t> chunkAad(const std::vector<std::uint8_t>& header, const std::optional<std::string>& aad) {
  std::vector<std::uint8_t> out(header);
  if (aad) out.insert(out.end(), aad->begin(), aad->end());
  return out;
}

void writeWhole(StreamingOutput& output, const kms::SecureBytes& data) {
  output.write(data.data(), data.size());
  output.commit();
}

}  // namespace

bool FileCrypt::encrypt(const EncryptJob& job) {
  StreamingOutput output(job.files.output, job.files.force);
  InputFile input(job.files.input);
  if (job.mode == Mode::Single) {
    kms::SecureBytes all;
    input.readRest(all);
    writeWhole(output, job.seal(std::move(all)));
    return false;
  }
  // Read up to the limit first: a stdin may well end before it.
  kms::SecureBytes head(kSmallFileLimit + 1);
  const std::size_t headSize = input.read(head.data(), head.size());
  if (job.mode == Mode::Auto && headSize <= kSmallFileLimit) {
    head.resize(headSize);
    writeWhole(output, job.seal(std::move(head)));
    return false;
  }

  kms::SecureBytes dataKey(ChunkCipher::kKeySize);
  randomBytes(dataKey.data(), dataKey.size());
  EnvelopeHeader header;
  header.wrap = job.wrap;
  header.hash = job.hash;
  header.authenticationData = job.aad.has_value();
  header.chunkSize = kChunkSize;
  randomBytes(header.noncePrefix.data(), header.noncePrefix.size());
  header.keyUid = job.keyUid;
  const kms::SecureBytes wrapped = job.seal(dataKey);
  header.wrappedKey.assign(wrapped.begin(), wrapped.end());
  if (header.wrappedKey.size() > EnvelopeHeader::kMaxWrappedKeySize ||
      header.keyUid.size() > EnvelopeHeader::kMaxUidSize) {
    throw CliError(ExitCode::Usage, "the key's UID or its wrapped data key is too long for the envelope format");
  }
  const std::vector<std::uint8_t> raw = header.encode();
  ChunkCipher cipher(true, dataKey, header.noncePrefix, chunkAad(raw, job.aad));
  output.write(raw.data(), raw.size());

  std::size_t headUsed = 0;
  const auto fill = [&](std::uint8_t* data, std::size_t size) {
    std::size_t done = std::min(size, headSize - headUsed);
    if (done > 0) std::memcpy(data, head.data() + headUsed, done);
    headUsed += done;
    if (headUsed == headSize && !head.empty()) kms::SecureBytes().swap(head);  // wiped and freed
    if (done < size) done += input.read(data + done, size - done);
    return done;
  };
  Progress progress("encrypting", input.size(), job.files.progress);
  kms::SecureBytes chunk(kChunkSize + kTagSize);
  kms::SecureBytes next(kChunkSize + kTagSize);
  std::size_t size = fill(chunk.data(), kChunkSize);
  for (std::uint32_t index = 0;; ++index) {
    // The last chunk is the one after which the input ends: read the next one first.
    std::size_t nextSize = 0;
    bool last = size < kChunkSize;
    if (!last) {
      nextSize = fill(next.data(), kChunkSize);
      last = nextSize == 0;
    }
    cipher.seal(index, last, chunk.data(), size, chunk.data() + size);
    output.write(chunk.data(), size + kTagSize);
    progress.advance(size);
    if (last) break;
    if (index == std::numeric_limits<std::uint32_t>::max()) {
      throw CliError(ExitCode::LocalFile, fmt::format("{} is too large for the envelope format", input.name()));
    }
    std::swap(chunk, next);
    size = nextSize;
  }
  output.commit();
  progress.finish();
  return true;
}

FileCrypt::Decrypted FileCrypt::decrypt(const DecryptJob& job) {
  StreamingOutput output(job.files.output, job.files.force);
  InputFile input(job.files.input);
  std::array<std::uint8_t, EnvelopeHeader::kMagic.size()> magic{};
  const std::size_t magicSize = input.read(magic.data(), magic.size());
  if (!EnvelopeHeader::isMagic(magic.data(), magicSize)) {
    kms::SecureBytes file(magic.begin(), magic.begin() + static_cast<std::ptrdiff_t>(magicSize));
    input.readRest(file);
    Decrypted result{job.resolveKey(nullptr), false};
    writeWhole(output, job.unseal(result.keyUid, std::move(file), nullptr));
    return result;
  }

  std::vector<std::uint8_t> raw;
  const EnvelopeHeader header = EnvelopeHeader::read(input, raw);
  if (header.authenticationData && !job.aad) {
    throw CliError(ExitCode::Usage,
                   fmt::format("{} was encrypted with authentication data: give the same with -a", input.name()));
  }
  if (!header.authenticationData && job.aad) {
    throw CliError(ExitCode::Usage,
                   fmt::format("{} was encrypted without authentication data: leave -a out", input.name()));
  }
  Decrypted result{job.resolveKey(&header), true};
  kms::SecureBytes dataKey;
  try {
    dataKey = job.unseal(result.keyUid, kms::SecureBytes(header.wrappedKey.begin(), header.wrappedKey.end()), &header);
  } catch (const CliError& error) {
    if (error.code() != ExitCode::ServerRefused) throw;
    throw CliError(ExitCode::ServerRefused,
                   fmt::format("the server did not decrypt the data key of {} with {} (a wrong or destroyed key, a "
                               "different -a, or a modified header): {}",
                               input.name(), result.keyUid, error.what()));
  }
  if (dataKey.size() != ChunkCipher::kKeySize) {
    throw CliError(ExitCode::BadData,
                   fmt::format("the data key of {} has {} bytes, not {}: the file was not written by kms", input.name(),
                               dataKey.size(), ChunkCipher::kKeySize));
  }
  ChunkCipher cipher(false, dataKey, header.noncePrefix, chunkAad(raw, job.aad));

  Progress progress("decrypting", input.size(), job.files.progress);
  const std::size_t record = std::size_t{header.chunkSize} + kTagSize;
  kms::SecureBytes chunk(record);
  kms::SecureBytes next(record);
  std::size_t size = input.read(chunk.data(), record);
  for (std::uint32_t index = 0;; ++index) {
    if (size < kTagSize) {
      throw CliError(
          ExitCode::BadData,
          index == 0 && size == 0
              ? fmt::format("{} is truncated: it ends after its header, before its first chunk", input.name())
              : fmt::format("{} is truncated: it ends inside chunk {}", input.name(), index));
    }
    std::size_t nextSize = 0;
    bool last = size < record;
    if (!last) {
      nextSize = input.read(next.data(), record);
      last = nextSize == 0;
    }
    const std::size_t plain = size - kTagSize;
    if (last && size == record) std::memcpy(next.data(), chunk.data(), size);  // for the diagnosis below
    if (!cipher.open(index, last, chunk.data(), plain, chunk.data() + plain)) {
      // A full chunk at the end that opens as a middle chunk: the file was cut after it.
      if (last && size == record && cipher.open(index, false, next.data(), plain, next.data() + plain)) {
        OPENSSL_cleanse(next.data(), next.size());
        throw CliError(ExitCode::BadData, fmt::format("{} is truncated: it ends after chunk {}, before its final chunk",
                                                      input.name(), index));
      }
      throw CliError(
          ExitCode::BadData,
          fmt::format("chunk {} of {} failed authentication: the file was modified or truncated", index, input.name()));
    }
    output.write(chunk.data(), plain);
    progress.advance(size);
    if (last) break;
    if (index == std::numeric_limits<std::uint32_t>::max()) {
      throw CliError(ExitCode::BadData, fmt::format("{} has more chunks than the format allows", input.name()));
    }
    std::swap(chunk, next);
    size = nextSize;
  }
  output.commit();
  progress.finish();
  return result;
}

}  // namespace kms::cli
