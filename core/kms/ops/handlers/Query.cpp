// KMIP 2.1 section 6.1.40: the operations of the dispatch table, the object types kmsd
// manages, and the server information. Other query functions answer nothing (allowed: "the
// response payload is empty if there are no values to return").
#include "kms/ops/handlers/OperationTable.hpp"
#include "kms/ops/handlers/Handlers.hpp"

namespace kms::ops::handlers {

Ttlv query(OperationContext& ctx, const Ttlv& payload) {
  bool operations = false;
  bool objects = false;
  bool server = false;
  for (const auto* function : payload.findAll("QueryFunction")) {
    switch (static_cast<kmip::QueryFunction>(function->asEnumeration())) {
      case kmip::QueryFunction::QueryOperations:
        operations = true;
        break;
      case kmip::QueryFunction::QueryObjects:
        objects = true;
        break;
      case kmip::QueryFunction::QueryServerInformation:
        server = true;
        break;
      default:
        break;
    }
  }
  Ttlv response = Ttlv::structure("ResponsePayload");
  if (operations) {
    for (const auto operation : handlers::supportedOperations()) {
      response.add(Ttlv::enumeration("Operation", static_cast<std::uint32_t>(operation)));
    }
  }
  if (objects) {
    for (const auto type :
         {kmip::ObjectType::SymmetricKey, kmip::ObjectType::PublicKey, kmip::ObjectType::PrivateKey}) {
      response.add(Ttlv::enumeration("ObjectType", static_cast<std::uint32_t>(type)));
    }
  }
  if (server) {
    response.add(Ttlv::textString("VendorIdentification", ctx.settings.vendorIdentification));
    Ttlv info = Ttlv::structure("ServerInformation");
    info.add(Ttlv::textString("ServerName", "kmsd"));
    if (!ctx.settings.serverVersion.empty()) info.add(Ttlv::textString("ServerVersion", ctx.settings.serverVersion));
    info.add(Ttlv::textString("ProductName", "kmsd"));
    response.add(std::move(info));
  }
  return response;
}

}  // namespace kms::ops::handlers
