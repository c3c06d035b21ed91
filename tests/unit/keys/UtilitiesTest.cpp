#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <new>
#include <set>

#include "TestSupport.hpp"
#include "kms/keys/ConstantTime.hpp"
#include "kms/keys/Digest.hpp"
#include "kms/keys/KeyGenerator.hpp"
#include "kms/keys/Random.hpp"
#include "kms/keys/SecretBytes.hpp"

using namespace kms::keys;
using namespace kms::keys::test;
using kms::ErrorCode;

// Replacing the global allocation functions lets a test look at a block just before it is
// freed, without reading freed memory.
namespace {
const void* watchedBlock = nullptr;
bool watchedBlockWasWiped = false;

void inspectBeforeFree(void* p) noexcept {
  if (p != nullptr && p == watchedBlock) {
    const auto* bytes = static_cast<const std::uint8_t*>(p);
    watchedBlockWasWiped = std::all_of(bytes, bytes + 48, [](std::uint8_t b) { return b == 0; });
    watchedBlock = nullptr;
  }
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = std::malloc(size == 0 ? 1 : size)) {
    return p;
  }
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  inspectBeforeFree(p);
  std::free(p);
}
void operator delete(void* p, std::size_t /*size*/) noexcept {
  inspectBeforeFree(p);
  std::free(p);
}

TEST_SUITE("Digest") {
  TEST_CASE("FIPS 180 \"abc\" known answers") {
    const Bytes abc = bytesOf("abc");
    CHECK(Digest::digest(Hash::Sha1, abc) == fromHex("a9993e364706816aba3e25717850c26c9cd0d89d"));
    CHECK(Digest::digest(Hash::Sha224, abc) == fromHex("23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"));
    CHECK(Digest::sha256(abc) == fromHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    CHECK(Digest::digest(Hash::Sha384, abc) ==
          fromHex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"));
    CHECK(Digest::digest(Hash::Sha512, abc) ==
          fromHex("ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
                  "454d4423643ce80e2a9ac94fa54ca49f"));
    CHECK(Digest::sha256({}) == fromHex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    CHECK(Digest::length(Hash::Sha384) == 48);
  }
}

TEST_SUITE("Random") {
  TEST_CASE("bytes: requested size, never twice the same") {
    CHECK(Random::bytes(0).empty());
    const Bytes a = Random::bytes(32);
    const Bytes b = Random::bytes(32);
    CHECK(a.size() == 32);
    CHECK(a != b);
    CHECK(Random::secretBytes(24).size() == 24);
  }

  TEST_CASE("nonces are unique across many pool refills, and large requests work") {
    std::set<Bytes> seen;
    for (int i = 0; i < 2000; ++i) {
      Bytes iv(12);
      Random::nonce(iv);
      seen.insert(iv);
    }
    CHECK(seen.size() == 2000);
    Bytes big(5000);
    Random::nonce(big);
    CHECK(big != Bytes(5000, 0));
  }

  TEST_CASE("a forked child never hands out the parent's pooled nonces") {
    std::array<std::uint8_t, 12> warm{};
    Random::nonce(warm);  // fills this thread's pool before the fork
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      std::array<std::uint8_t, 12> child{};
      Random::nonce(child);
      const ssize_t written = write(fds[1], child.data(), child.size());
      _exit(written == static_cast<ssize_t>(child.size()) ? 0 : 1);
    }
    std::array<std::uint8_t, 12> parent{};
    Random::nonce(parent);
    std::array<std::uint8_t, 12> child{};
    CHECK(read(fds[0], child.data(), child.size()) == static_cast<ssize_t>(child.size()));
    int status = 0;
    waitpid(pid, &status, 0);
    close(fds[0]);
    close(fds[1]);
    CHECK(WIFEXITED(status));
    CHECK(child != parent);
  }
}

TEST_SUITE("KeyGenerator") {
  TEST_CASE("AES keys of 128, 192 and 256 bits only") {
    CHECK(KeyGenerator::aes(128).size() == 16);
    CHECK(KeyGenerator::aes(192).size() == 24);
    CHECK(KeyGenerator::aes(256).size() == 32);
    CHECK(KeyGenerator::aes(256) != KeyGenerator::aes(256));
    for (const int bits : {0, -128, 64, 127, 512}) {
      CHECK(errorOf([bits] { return KeyGenerator::aes(bits); }) == ErrorCode::InvalidField);
    }
  }
}

TEST_SUITE("SecretBytes") {
  TEST_CASE("secureZero wipes the bytes and accepts empty input") {
    std::array<std::uint8_t, 64> buffer{};
    buffer.fill(0xa5);
    secureZero(buffer.data(), buffer.size());
    CHECK(buffer == std::array<std::uint8_t, 64>{});
    secureZero(nullptr, 0);
    secureZero(buffer.data(), 0);
  }

  TEST_CASE("SecretBytes memory is wiped before it is released") {
    {
      SecretBytes secret(48, 0xa5);
      watchedBlock = secret.data();
    }
    const bool released = watchedBlock == nullptr;  // operator delete saw the block
    watchedBlock = nullptr;
    CHECK(released);
    CHECK(watchedBlockWasWiped);
  }
}

TEST_SUITE("ConstantTime") {
  TEST_CASE("constantTimeEquals") {
    CHECK(constantTimeEquals(bytesOf("secret-token"), bytesOf("secret-token")));
    CHECK_FALSE(constantTimeEquals(bytesOf("secret-token"), bytesOf("secret-tokeN")));
    CHECK_FALSE(constantTimeEquals(bytesOf("Secret-token"), bytesOf("secret-token")));
    CHECK_FALSE(constantTimeEquals(bytesOf("secret"), bytesOf("secret-token")));
    CHECK_FALSE(constantTimeEquals(bytesOf("a"), {}));
    CHECK(constantTimeEquals({}, {}));
  }
}
