#pragma once
// One function per KMIP operation: takes the RequestPayload, returns the ResponsePayload
// (both as TTLV structures tagged "RequestPayload"/"ResponsePayload"), throws kms::Exception.
// Each is defined in its own ops/handlers/<Operation>.cpp; OperationTable maps operations to them. Handlers never see
// the transport.
#include "kms/kmip/Ttlv.hpp"
#include "kms/ops/OperationContext.hpp"

namespace kms::ops::handlers {

using kmip::Ttlv;

// Objects, key material and cryptography
Ttlv create(OperationContext& ctx, const Ttlv& payload);
Ttlv createKeyPair(OperationContext& ctx, const Ttlv& payload);
Ttlv registerObject(OperationContext& ctx, const Ttlv& payload);
Ttlv importObject(OperationContext& ctx, const Ttlv& payload);
Ttlv get(OperationContext& ctx, const Ttlv& payload);
Ttlv exportObject(OperationContext& ctx, const Ttlv& payload);
Ttlv encrypt(OperationContext& ctx, const Ttlv& payload);
Ttlv decrypt(OperationContext& ctx, const Ttlv& payload);
Ttlv sign(OperationContext& ctx, const Ttlv& payload);
Ttlv signatureVerify(OperationContext& ctx, const Ttlv& payload);
Ttlv mac(OperationContext& ctx, const Ttlv& payload);
Ttlv macVerify(OperationContext& ctx, const Ttlv& payload);
Ttlv hash(OperationContext& ctx, const Ttlv& payload);
Ttlv rngRetrieve(OperationContext& ctx, const Ttlv& payload);
Ttlv rngSeed(OperationContext& ctx, const Ttlv& payload);

// Lifecycle, attributes, discovery
Ttlv getAttributes(OperationContext& ctx, const Ttlv& payload);
Ttlv getAttributeList(OperationContext& ctx, const Ttlv& payload);
Ttlv addAttribute(OperationContext& ctx, const Ttlv& payload);
Ttlv setAttribute(OperationContext& ctx, const Ttlv& payload);
Ttlv modifyAttribute(OperationContext& ctx, const Ttlv& payload);
Ttlv deleteAttribute(OperationContext& ctx, const Ttlv& payload);
Ttlv locate(OperationContext& ctx, const Ttlv& payload);
Ttlv activate(OperationContext& ctx, const Ttlv& payload);
Ttlv revoke(OperationContext& ctx, const Ttlv& payload);
Ttlv destroy(OperationContext& ctx, const Ttlv& payload);
Ttlv query(OperationContext& ctx, const Ttlv& payload);
Ttlv discoverVersions(OperationContext& ctx, const Ttlv& payload);
Ttlv interop(OperationContext& ctx, const Ttlv& payload);
Ttlv log(OperationContext& ctx, const Ttlv& payload);

}  // namespace kms::ops::handlers
