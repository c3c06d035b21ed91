#include "kms/ops/OperationContext.hpp"

#include "kms/Exception.hpp"

namespace kms::ops {

const std::string& OperationContext::uidOf(const kmip::Ttlv& payload) const {
  if (const auto* uid = payload.find("UniqueIdentifier")) {
    if (uid->type() != kmip::ItemType::TextString) {
      throw Exception(ErrorCode::InvalidField, "UniqueIdentifier must be a TextString");
    }
    if (uid->text().empty()) throw Exception(ErrorCode::InvalidField, "UniqueIdentifier is empty");
    return uid->text();
  }
  if (!idPlaceholder.empty()) return idPlaceholder;
  throw Exception(ErrorCode::MissingData, "UniqueIdentifier is missing and no ID placeholder is set in this batch");
}

}  // namespace kms::ops
