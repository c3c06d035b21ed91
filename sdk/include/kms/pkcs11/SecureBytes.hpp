#pragma once
// A byte buffer that wipes itself when destroyed or resized down: PINs, clear key material
// from unwrap and export, decrypted data. Move-only, so that no stray copy escapes the wipe.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace kms::pkcs11 {

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(std::size_t size);
  SecureBytes(const std::uint8_t* data, std::size_t size);
  ~SecureBytes();
  SecureBytes(SecureBytes&& other) noexcept;
  SecureBytes& operator=(SecureBytes&& other) noexcept;
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;

  [[nodiscard]] std::uint8_t* data() noexcept { return bytes_.data(); }
  [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes_.data(); }
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }
  [[nodiscard]] std::span<const std::uint8_t> view() const noexcept { return bytes_; }
  // Shrinking wipes the tail; growing reallocates only after wiping the old storage.
  void resize(std::size_t size);
  void wipe() noexcept;

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace kms::pkcs11
