#include "kms/integrations/aws_xks/RequestMetadata.hpp"

#include "kms/integrations/aws_xks/XksBody.hpp"
#include "kms/integrations/aws_xks/XksError.hpp"

namespace kms::integrations::aws_xks {
namespace {

constexpr std::size_t kMaxField = 2048;  // the specification's ARN length

std::string field(const XksBody& metadata, const std::string& name, bool required, bool strict) {
  if (!metadata.has(name)) {
    if (required && strict) {
      throw XksError(XksErrorName::ValidationException, "requestMetadata." + name + " is missing");
    }
    return {};
  }
  const std::string* value = metadata.text(name);
  if (value == nullptr) {
    if (strict) throw XksError(XksErrorName::ValidationException, "requestMetadata." + name + " is not a string");
    return {};
  }
  std::string text = *value;
  if (text.size() > kMaxField) {
    if (strict) throw XksError(XksErrorName::ValidationException, "requestMetadata." + name + " is too long");
    text.resize(kMaxField);
  }
  return text;
}

void append(std::string& out, const char* name, const std::string& value) {
  if (value.empty()) return;
  out.append(" ").append(name).append("=");
  for (const char ch : value) out.push_back(ch >= 0x21 && ch <= 0x7e ? ch : '?');
}

}  // namespace

RequestMetadata RequestMetadata::read(const XksBody& body, bool strict) {
  const XksBody* metadata = body.object("requestMetadata");
  if (metadata == nullptr) {
    if (strict) throw XksError(XksErrorName::ValidationException, "requestMetadata is missing or not an object");
    return {};
  }
  RequestMetadata out;
  out.awsPrincipalArn = field(*metadata, "awsPrincipalArn", true, strict);
  out.awsSourceVpc = field(*metadata, "awsSourceVpc", false, strict);
  out.awsSourceVpce = field(*metadata, "awsSourceVpce", false, strict);
  out.kmsKeyArn = field(*metadata, "kmsKeyArn", false, strict);
  out.kmsOperation = field(*metadata, "kmsOperation", true, strict);
  out.kmsRequestId = field(*metadata, "kmsRequestId", true, strict);
  out.kmsViaService = field(*metadata, "kmsViaService", false, strict);
  return out;
}

std::string RequestMetadata::logText() const {
  std::string out;
  append(out, "kmsRequestId", kmsRequestId);
  append(out, "kmsOperation", kmsOperation);
  append(out, "awsPrincipalArn", awsPrincipalArn);
  append(out, "kmsKeyArn", kmsKeyArn);
  append(out, "kmsViaService", kmsViaService);
  append(out, "awsSourceVpc", awsSourceVpc);
  append(out, "awsSourceVpce", awsSourceVpce);
  return out;
}

}  // namespace kms::integrations::aws_xks
