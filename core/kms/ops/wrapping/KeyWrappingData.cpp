#include "kms/kmip/Enums.hpp"

#include "kms/ops/wrapping/KeyWrappingData.hpp"

#include <fmt/format.h>

#include "kms/Exception.hpp"

namespace kms::ops::wrapping {

using kmip::Ttlv;

Ttlv KeyWrappingData::write(const Ttlv& clearBlock, kmip::KeyFormatType format, Wrapped wrapped,
                            const std::string& wrappingUid) {
  std::vector<Ttlv> block{Ttlv::enumeration("KeyFormatType", static_cast<std::uint32_t>(format)),
                          Ttlv::byteString("KeyValue", std::move(wrapped.value))};
  for (const auto* tag : {"CryptographicAlgorithm", "CryptographicLength"}) {
    if (const auto* item = clearBlock.find(tag)) block.push_back(*item);
  }
  std::vector<Ttlv> data{Ttlv::enumeration("WrappingMethod", static_cast<std::uint32_t>(kmip::WrappingMethod::Encrypt)),
                         Ttlv::structure("EncryptionKeyInformation", {Ttlv::textString("UniqueIdentifier", wrappingUid),
                                                                      std::move(wrapped.parameters)})};
  data.push_back(Ttlv::enumeration("EncodingOption", static_cast<std::uint32_t>(kmip::EncodingOption::NoEncoding)));
  block.push_back(Ttlv::structure("KeyWrappingData", std::move(data)));
  return Ttlv::structure("KeyBlock", std::move(block));
}

KeyWrappingData::Stored KeyWrappingData::read(const Ttlv& keyBlock, const std::string& objectUid) {
  const auto* data = keyBlock.find("KeyWrappingData");
  const auto* value = keyBlock.find("KeyValue");
  if (data == nullptr || value == nullptr || value->type() != kmip::ItemType::ByteString) {
    throw Exception(ErrorCode::InternalError, fmt::format("stored object {} is not a wrapped key block", objectUid));
  }
  return Stored{*data, *value};
}

const Ttlv& KeyWrappingData::parameters(const Ttlv& wrappingData) {
  const auto* info = wrappingData.find("EncryptionKeyInformation");
  const auto* parameters = info != nullptr ? info->find("CryptographicParameters") : nullptr;
  if (parameters == nullptr) throw Exception(ErrorCode::InternalError, "a stored wrapped key has no parameters");
  return *parameters;
}

}  // namespace kms::ops::wrapping
