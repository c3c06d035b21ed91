// kms sym keys wrap|unwrap and kms rsa keys wrap|unwrap: wrap the key of a JSON TTLV key file
// with an AES key, or unwrap it, here in the client, as ckms does (same flags, same sentences).
//
// Why locally: kmsd refuses Get/Export with a KeyWrappingSpecification and Import with KeyWrapType
// NotWrapped (FeatureNotSupported, docs/wrapped-keys.md), so the server cannot wrap a file's key
// with a key of the caller's choice nor unwrap one. A key that must rest wrapped in kmsd is
// imported with `--wrapping-key-id` instead: the server wraps it (in the HSM for an hsm:: key).
//
// The wrap is AES key wrap with padding (RFC 5649), of the key material only (EncodingOption
// NoEncoding), the scheme kmsd itself writes for keys it wraps with AES keys; the KeyWrappingData
// says so, so the file reads as kmsd's own wrapped blocks do. Unwrap also takes ckms's
// TTLV-encoded form (the whole KeyValue wrapped).
#include <Poco/Base64Decoder.h>
#include <fmt/format.h>
#include <openssl/evp.h>

#include <memory>
#include <sstream>

#include "kms/Exception.hpp"
#include "kms/cli/Answers.hpp"
#include "kms/cli/CliError.hpp"
#include "kms/cli/Files.hpp"
#include "kms/cli/OutputFile.hpp"
#include "kms/cli/Requests.hpp"
#include "kms/cli/commands/Commands.hpp"
#include "kms/kmip/BinaryCodec.hpp"
#include "kms/kmip/Dictionary.hpp"
#include "kms/kmip/JsonCodec.hpp"

namespace kms::cli::commands {
namespace {

using kmip::ItemType;
using kmip::Ttlv;

struct WrapOptions {
  std::string fileIn;
  std::string fileOut;
  std::string keyB64;
  std::string keyId;
  std::string keyFile;
  std::string password;
  bool force = false;
};

const EVP_CIPHER* wrapCipher(std::size_t keySize) {
  switch (keySize) {
    case 16:
      return EVP_aes_128_wrap_pad();
    case 24:
      return EVP_aes_192_wrap_pad();
    case 32:
      return EVP_aes_256_wrap_pad();
    default:
      throw CliError(ExitCode::BadData,
                     fmt::format("the wrapping key has {} bytes: an AES key has 16, 24 or 32", keySize));
  }
}

// RFC 5649 with OpenSSL. A wrong key or a changed byte fails the unwrap's integrity check.
kms::SecureBytes aesKeyWrap(const kms::SecureBytes& key, const kms::SecureBytes& in, bool wrap) {
  const EVP_CIPHER* cipher = wrapCipher(key.size());
  const std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw CliError(ExitCode::Internal, "out of memory");
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  if (EVP_CipherInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr, wrap ? 1 : 0) != 1) {
    throw CliError(ExitCode::Internal, "AES key wrap: OpenSSL refused the key");
  }
  kms::SecureBytes out(in.size() + 16);
  int written = 0;
  const bool ok = !in.empty() &&
                  EVP_CipherUpdate(ctx.get(), out.data(), &written, in.data(), static_cast<int>(in.size())) == 1 &&
                  written >= 0;
  int last = 0;
  if (!ok || EVP_CipherFinal_ex(ctx.get(), out.data() + written, &last) != 1) {
    if (wrap) throw CliError(ExitCode::Internal, "AES key wrap failed");
    throw CliError(ExitCode::BadData, "the key does not unwrap: wrong unwrapping key, or the file was changed");
  }
  out.resize(static_cast<std::size_t>(written) + static_cast<std::size_t>(last));
  return out;
}

kms::SecureBytes fromBase64(const std::string& text) {
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in);
  kms::SecureBytes out;
  try {
    char c = 0;
    while (decoder.get(c)) out.push_back(static_cast<std::uint8_t>(c));
  } catch (const Poco::Exception&) {
    throw CliError(ExitCode::Usage, "the wrapping key is not base64");
  }
  if (out.empty()) throw CliError(ExitCode::Usage, "the wrapping key is not base64");
  return out;
}

Ttlv readKeyFile(const std::string& path) {
  const std::string text = Files::readText(path);
  try {
    Ttlv object = kmip::JsonCodec::decode(text);
    if (object.find("KeyBlock") == nullptr) {
      throw CliError(ExitCode::BadData, fmt::format("{} holds no key (a JSON TTLV object with a KeyBlock)", path));
    }
    return object;
  } catch (const kms::Exception& error) {
    throw CliError(ExitCode::BadData, fmt::format("{} is not a JSON TTLV key: {}", path, error.what()));
  }
}

// The AES key that wraps or unwraps: base64 bytes, a key of the KMS (exported in the clear,
// so not a Sensitive nor an HSM key), or a JSON TTLV key file.
kms::SecureBytes wrappingKey(Context& context, const WrapOptions& options) {
  const int given = static_cast<int>(!options.keyB64.empty()) + static_cast<int>(!options.keyId.empty()) +
                    static_cast<int>(!options.keyFile.empty()) + static_cast<int>(!options.password.empty());
  if (given != 1) {
    throw CliError(ExitCode::Usage, "give one wrapping key: --*-key-b64, --*-key-id or --*-key-file");
  }
  if (!options.password.empty()) {
    // ckms derives the key with Argon2, which this build's OpenSSL (3.0) does not have: a key
    // derived otherwise would not unwrap ckms's files nor theirs ours.
    throw CliError(ExitCode::Usage,
                   "--wrap-password is not supported by this version of kms (no Argon2): "
                   "use --wrap-key-b64, --wrap-key-id or --wrap-key-file");
  }
  if (!options.keyB64.empty()) return fromBase64(options.keyB64);
  if (!options.keyFile.empty()) {
    Ttlv object = readKeyFile(options.keyFile);
    kms::SecureBytes key = Answers::keyMaterial(object);
    object.wipe();
    return key;
  }
  Ttlv answer = context.client().call(Requests::exportKey(options.keyId, "Raw", true));
  kms::SecureBytes key = Answers::keyMaterial(Answers::object(answer));
  answer.wipe();
  return key;
}

void commitObject(const WrapOptions& options, const Ttlv& object) {
  const std::string out = options.fileOut.empty() ? options.fileIn : options.fileOut;
  // Without KEY_FILE_OUT the input file is replaced, as ckms does; another existing file needs --force.
  const OutputFile output(out, options.force || options.fileOut.empty() || options.fileOut == options.fileIn);
  output.commit(kmip::JsonCodec::encode(object) + "\n");
}

std::string outputOf(const WrapOptions& options) {
  return options.fileOut.empty() ? options.fileIn : options.fileOut;
}

// Writes the key file and says so in ckms's sentence ("wrapped" / "unwrapped"); the object's
// key material is wiped once written.
void commitAndReport(Context& context, const WrapOptions& options, Ttlv& object, const char* verb) {
  commitObject(options, object);
  const std::string type = object.tag();
  object.wipe();
  Poco::JSON::Object fields;
  fields.set("object_type", type);
  fields.set("file", outputOf(options));
  context.printer().result(
      fmt::format("The key of type {} in file {} was {} in file: {}", type, options.fileIn, verb, outputOf(options)),
      fields, outputOf(options) == "-");
}

void runWrap(Context& context, const WrapOptions& options) {
  Ttlv object = readKeyFile(options.fileIn);
  Ttlv& block = *object.find("KeyBlock");
  if (block.find("KeyWrappingData") != nullptr) {
    throw CliError(ExitCode::BadData, fmt::format("the key in {} is already wrapped", options.fileIn));
  }
  const auto* value = block.find("KeyValue");
  const auto* material = value != nullptr ? value->find("KeyMaterial") : nullptr;
  if (material == nullptr || material->type() != ItemType::ByteString) {
    throw CliError(ExitCode::BadData, fmt::format("{}: only a key whose KeyMaterial is bytes (raw, PKCS#1, PKCS#8, "
                                                  "...) can be wrapped; export it in such a format",
                                                  options.fileIn));
  }
  kms::SecureBytes key = wrappingKey(context, options);
  kms::SecureBytes wrapped = aesKeyWrap(key, material->bytes(), true);
  std::vector<Ttlv> items;
  for (const auto& item : block.items()) {
    items.push_back(item.tag() == "KeyValue" ? Ttlv::byteString("KeyValue", wrapped) : item);
  }
  Ttlv parameters =
      Ttlv::structure("CryptographicParameters", {Requests::enumeration("BlockCipherMode", "AESKeyWrapPadding")});
  items.push_back(Ttlv::structure(
      "KeyWrappingData", {Requests::enumeration("WrappingMethod", "Encrypt"),
                          Ttlv::structure("EncryptionKeyInformation",
                                          {Ttlv::textString("UniqueIdentifier", options.keyId), std::move(parameters)}),
                          Requests::enumeration("EncodingOption", "NoEncoding")}));
  block.wipe();
  block = Ttlv::structure("KeyBlock", std::move(items));
  commitAndReport(context, options, object, "wrapped");
}

void runUnwrap(Context& context, const WrapOptions& options) {
  Ttlv object = readKeyFile(options.fileIn);
  Ttlv& block = *object.find("KeyBlock");
  const auto* data = block.find("KeyWrappingData");
  if (data == nullptr) throw CliError(ExitCode::BadData, fmt::format("the key in {} is not wrapped", options.fileIn));
  const auto* method = data->find("WrappingMethod");
  if (method != nullptr && kmip::Dictionary::enumText("WrappingMethod", method->asEnumeration()) != "Encrypt") {
    throw CliError(ExitCode::BadData,
                   fmt::format("{}: only keys wrapped by encryption can be unwrapped", options.fileIn));
  }
  const auto* info = data->find("EncryptionKeyInformation");
  const auto* parameters = info != nullptr ? info->find("CryptographicParameters") : nullptr;
  const auto* mode = parameters != nullptr ? parameters->find("BlockCipherMode") : nullptr;
  if (mode != nullptr && kmip::Dictionary::enumText("BlockCipherMode", mode->asEnumeration()) != "AESKeyWrapPadding" &&
      kmip::Dictionary::enumText("BlockCipherMode", mode->asEnumeration()) != "NISTKeyWrap") {
    throw CliError(ExitCode::BadData,
                   fmt::format("{}: the key is wrapped with {}; kms unwraps AES key wrap only", options.fileIn,
                               kmip::Dictionary::enumText("BlockCipherMode", mode->asEnumeration())));
  }
  if (parameters != nullptr && parameters->find("PaddingMethod") != nullptr) {
    throw CliError(
        ExitCode::BadData,
        fmt::format("{}: the key is wrapped with an RSA key; kms unwraps AES key wrap only", options.fileIn));
  }
  const auto* encoding = data->find("EncodingOption");
  const bool ttlvEncoded =
      encoding != nullptr && kmip::Dictionary::enumText("EncodingOption", encoding->asEnumeration()) == "TTLVEncoding";
  const auto* value = block.find("KeyValue");
  if (value == nullptr || value->type() != ItemType::ByteString) {
    throw CliError(ExitCode::BadData, fmt::format("{}: the wrapped KeyValue is not bytes", options.fileIn));
  }
  kms::SecureBytes key = wrappingKey(context, options);
  kms::SecureBytes clear = aesKeyWrap(key, value->bytes(), false);
  Ttlv clearValue = Ttlv::structure("KeyValue");
  if (ttlvEncoded) {
    try {
      clearValue = kmip::BinaryCodec::decode(clear).withTag("KeyValue");
    } catch (const kms::Exception&) {
      throw CliError(ExitCode::BadData, fmt::format("{}: the unwrapped KeyValue is not TTLV", options.fileIn));
    }
  } else {
    clearValue.add(Ttlv::byteString("KeyMaterial", std::move(clear)));
  }
  std::vector<Ttlv> items;
  for (const auto& item : block.items()) {
    if (item.tag() == "KeyWrappingData") continue;
    items.push_back(item.tag() == "KeyValue" ? clearValue : item);
  }
  clearValue.wipe();
  block.wipe();
  block = Ttlv::structure("KeyBlock", std::move(items));
  commitAndReport(context, options, object, "unwrapped");
}

void addWrap(CLI::App& keys, Context& context, bool wrap) {
  auto options = std::make_shared<WrapOptions>();
  const std::string verb = wrap ? "wrap" : "unwrap";
  auto* command =
      keys.add_subcommand(verb, wrap ? "Wrap a key of a JSON TTLV file with an AES key (locally, RFC 5649)"
                                     : "Unwrap a key of a JSON TTLV file with an AES key (locally, RFC 5649)");
  command->add_option("key_file_in", options->fileIn, "The JSON TTLV key file to " + verb + " ('-': stdin)")
      ->required();
  command->add_option("key_file_out", options->fileOut,
                      "The JSON TTLV file to write (default: KEY_FILE_IN, replaced; '-': stdout)");
  command->add_option("-k,--" + verb + "-key-b64", options->keyB64, "The AES key, in base64");
  command->add_option("-i,--" + verb + "-key-id", options->keyId,
                      "A key of the KMS, exported to " + verb + " here (not a Sensitive nor an HSM key)");
  command->add_option("-f,--" + verb + "-key-file", options->keyFile, "The AES key, in a JSON TTLV key file");
  if (wrap) {
    command->add_option("-p,--wrap-password", options->password, "ckms's password-derived key (not supported)");
  }
  command->add_flag("--force", options->force, "Overwrite KEY_FILE_OUT when it exists");
  command->callback([&context, options, wrap] {
    if (wrap) {
      runWrap(context, *options);
    } else {
      runUnwrap(context, *options);
    }
  });
}

}  // namespace

void addKeyWrapping(CLI::App& root, Context& context) {
  for (const char* group : {"sym", "rsa"}) {
    auto* keys = root.get_subcommand(group)->get_subcommand("keys");
    addWrap(*keys, context, true);
    addWrap(*keys, context, false);
  }
}

}  // namespace kms::cli::commands
