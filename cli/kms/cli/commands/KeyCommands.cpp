#include "kms/cli/FileCrypt.hpp"
#include "kms/cli/commands/KeyCommands.hpp"

#include <Poco/Base64Encoder.h>
#include <Poco/JSON/Array.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <map>
#include <memory>
#include <sstream>

#include "kms/Exception.hpp"
#include "kms/cli/Answers.hpp"
#include "kms/cli/CliError.hpp"
#include "kms/cli/Files.hpp"
#include "kms/cli/OutputFile.hpp"
#include "kms/cli/Pem.hpp"
#include "kms/cli/Requests.hpp"
#include "kms/kmip/JsonCodec.hpp"

namespace kms::cli::commands {

using kmip::Ttlv;

std::string uidLine(const std::string& label, const std::string& uid) {
  return fmt::format("\n      {}: {}", label, uid);
}

void KeySelector::addTo(CLI::App& command, const std::string& idHelp) {
  command.add_option("-k,--key-id", keyId, idHelp);
  command.add_option("-t,--tag", tags, "Find the key by tag instead (repeat for several tags)")
      ->allow_extra_args(false);
}

std::string KeySelector::resolve(Context& context) const {
  if (!keyId.empty()) return keyId;
  if (tags.empty()) throw CliError(ExitCode::Usage, "name the key with --key-id (or --tag)");
  Requests::LocateSpec spec;
  spec.tags = tags;
  const auto found = Answers::uids(context.client().call(Requests::locate(spec)));
  if (found.empty()) throw CliError(ExitCode::ServerRefused, "no key has all the tags given");
  if (found.size() > 1) {
    throw CliError(ExitCode::Usage,
                   fmt::format("{} objects have all the tags given: name one with --key-id", found.size()));
  }
  return found.front();
}

namespace {

struct ExportFormat {
  const char* kmipFormat;  // KeyFormatType to ask for; "" for the stored form
  bool pem;
  bool base64;
};

const std::map<std::string, ExportFormat>& exportFormats() {
  static const std::map<std::string, ExportFormat> formats{
      {"json-ttlv", {"", false, false}},       {"pkcs1-pem", {"PKCS_1", true, false}},
      {"pkcs1-der", {"PKCS_1", false, false}}, {"pkcs8-pem", {"PKCS_8", true, false}},
      {"pkcs8-der", {"PKCS_8", false, false}}, {"spki-pem", {"X_509", true, false}},
      {"spki-der", {"X_509", false, false}},   {"raw", {"Raw", false, false}},
      {"base64", {"Raw", false, true}},
  };
  return formats;
}

std::string pemLabel(const std::string& format, const std::string& type) {
  const bool isPrivate = type == "PrivateKey";
  if (format.rfind("pkcs1", 0) == 0) return isPrivate ? "RSA PRIVATE KEY" : "RSA PUBLIC KEY";
  return isPrivate ? "PRIVATE KEY" : "PUBLIC KEY";
}

std::string base64(const kms::SecureBytes& bytes) {
  std::ostringstream out;
  Poco::Base64Encoder encoder(out);
  encoder.rdbuf()->setLineLength(0);
  encoder.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  encoder.close();
  return out.str() + "\n";
}

std::vector<std::string> formatNames(bool rsa) {
  std::vector<std::string> names;
  for (const auto& [name, format] : exportFormats()) {
    const bool forRsa = name != "raw" && name != "base64";
    const bool forSym = name == "raw" || name == "base64" || name == "json-ttlv";
    if (rsa ? forRsa : forSym) names.push_back(name);
  }
  return names;
}

struct ExportOptions {
  KeySelector key;
  std::string file;
  std::string format = "json-ttlv";
  bool unwrap = false;
  bool force = false;
};

void runExport(Context& context, const ExportOptions& options) {
  const auto& format = exportFormats().at(options.format);
  const OutputFile output(options.file, options.force);
  const std::string uid = options.key.resolve(context);
  Ttlv answer = context.client().call(Requests::exportKey(uid, format.kmipFormat, options.unwrap));
  const std::string type = Answers::objectTypeName(answer);
  const Ttlv& object = Answers::object(answer);
  if (format.kmipFormat[0] == '\0') {
    output.commit(kmip::JsonCodec::encode(object.tag() == "Object" ? object.withTag(type) : object) + "\n");
  } else {
    const auto& material = Answers::keyMaterial(object);
    if (format.pem) {
      output.commit(Pem::encode(material, pemLabel(options.format, type)));
    } else if (format.base64) {
      output.commit(base64(material));
    } else {
      output.commit(material);
    }
  }
  answer.wipe();
  Poco::JSON::Object fields;
  fields.set("unique_identifier", uid);
  fields.set("object_type", type);
  fields.set("key_format", options.format);
  fields.set("file", options.file);
  context.printer().result(fmt::format("The key {} of type {} was exported to \"{}\"", uid, type, options.file) +
                               uidLine("Unique identifier", uid),
                           fields, output.isStdout());
}

// --- import ---------------------------------------------------------------------------------

struct ImportOptions {
  std::string file;
  std::string keyId;
  std::string format = "json-ttlv";
  bool replace = false;
  std::vector<std::string> tags;
  std::string wrappingKeyId;
};

Ttlv keyObject(const std::string& type, const std::string& format, kms::SecureBytes material,
               const std::string& algorithm, int bits) {
  Ttlv block =
      Ttlv::structure("KeyBlock", {Requests::enumeration("KeyFormatType", format),
                                   Ttlv::structure("KeyValue", {Ttlv::byteString("KeyMaterial", std::move(material))}),
                                   Requests::enumeration("CryptographicAlgorithm", algorithm)});
  if (bits > 0) block.add(Ttlv::integer("CryptographicLength", bits));
  return Ttlv::structure(type, {std::move(block)});
}

struct PkeyFree {
  void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};

// The RSA key size of a DER key, read with OpenSSL; the type decides which parser reads it.
int rsaBits(const kms::SecureBytes& der, const std::string& type, const std::string& kmipFormat,
            const std::string& source) {
  const unsigned char* cursor = der.data();
  const auto size = static_cast<long>(der.size());
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  if (type == "PrivateKey") {
    key.reset(d2i_AutoPrivateKey(nullptr, &cursor, size));
  } else if (kmipFormat == "X_509") {
    key.reset(d2i_PUBKEY(nullptr, &cursor, size));
  } else {
    key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &cursor, size));
  }
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
    throw CliError(ExitCode::BadData, fmt::format("{} holds no RSA key in that format", source));
  }
  return EVP_PKEY_get_bits(key.get());
}

Ttlv importedObject(const ImportOptions& options, KeyKind kind) {
  const std::string& f = options.format;
  if (f == "json-ttlv") {
    try {
      Ttlv object = kmip::JsonCodec::decode(Files::readText(options.file));
      if (object.find("KeyBlock") == nullptr) {
        throw CliError(ExitCode::BadData, fmt::format("{} holds no key object (no KeyBlock)", options.file));
      }
      return object;
    } catch (const kms::Exception& error) {
      throw CliError(ExitCode::BadData, fmt::format("{} is not a JSON TTLV key: {}", options.file, error.what()));
    }
  }
  if (kind == KeyKind::Symmetric) {
    if (f != "aes" && f != "raw") throw CliError(ExitCode::Usage, fmt::format("unknown key format '{}'", f));
    auto bytes = Files::read(options.file);
    const int bits = static_cast<int>(bytes.size() * 8);
    if (bits != 128 && bits != 192 && bits != 256) {
      throw CliError(ExitCode::BadData,
                     fmt::format("{} holds {} bytes: an AES key has 16, 24 or 32", options.file, bytes.size()));
    }
    return keyObject("SymmetricKey", "Raw", std::move(bytes), "AES", bits);
  }
  std::string type;
  std::string kmipFormat;
  kms::SecureBytes der;
  if (f == "pem") {
    auto block = Pem::decode(Files::readText(options.file), options.file);
    der = std::move(block.der);
    if (block.label == "PRIVATE KEY") {
      type = "PrivateKey", kmipFormat = "PKCS_8";
    } else if (block.label == "RSA PRIVATE KEY") {
      type = "PrivateKey", kmipFormat = "PKCS_1";
    } else if (block.label == "PUBLIC KEY") {
      type = "PublicKey", kmipFormat = "X_509";
    } else if (block.label == "RSA PUBLIC KEY") {
      type = "PublicKey", kmipFormat = "PKCS_1";
    } else {
      throw CliError(ExitCode::BadData, fmt::format("{}: a PEM '{}' is no RSA key", options.file, block.label));
    }
  } else {
    static const std::map<std::string, std::pair<const char*, const char*>> der_formats{
        {"pkcs8", {"PrivateKey", "PKCS_8"}},
        {"pkcs1-priv", {"PrivateKey", "PKCS_1"}},
        {"pkcs1-pub", {"PublicKey", "PKCS_1"}},
        {"spki", {"PublicKey", "X_509"}},
    };
    const auto found = der_formats.find(f);
    if (found == der_formats.end()) throw CliError(ExitCode::Usage, fmt::format("unknown key format '{}'", f));
    type = found->second.first;
    kmipFormat = found->second.second;
    der = Files::read(options.file);
  }
  const int bits = rsaBits(der, type, kmipFormat, options.file);
  return keyObject(type, kmipFormat, std::move(der), "RSA", bits);
}

std::vector<std::string> usageOf(const std::string& type) {
  if (type == "PrivateKey") return {"Sign", "Decrypt", "UnwrapKey"};
  if (type == "PublicKey") return {"Verify", "Encrypt", "WrapKey"};
  return {"Encrypt", "Decrypt", "WrapKey", "UnwrapKey"};
}

void runImport(Context& context, const ImportOptions& options, KeyKind kind) {
  Ttlv object = importedObject(options, kind);
  const std::string type = object.tag() == "Object" ? std::string("key") : object.tag();
  std::optional<std::string> wrapping;
  if (!options.wrappingKeyId.empty()) wrapping = options.wrappingKeyId;
  Ttlv request =
      Requests::importKey(options.keyId, object, options.replace, options.tags, usageOf(object.tag()), wrapping);
  object.wipe();
  Ttlv answer = context.client().call(request);
  request.wipe();
  const std::string uid = Answers::text(answer, "UniqueIdentifier");
  Poco::JSON::Object fields;
  fields.set("unique_identifier", uid);
  fields.set("object_type", type);
  context.printer().result(
      fmt::format("The {} in file \"{}\" was imported.", type, options.file) + uidLine("Unique identifier", uid),
      fields);
}

}  // namespace

void addKeyExport(CLI::App& keys, Context& context, KeyKind kind) {
  auto options = std::make_shared<ExportOptions>();
  auto* command = keys.add_subcommand("export", "Export a key from the KMS to a file");
  options->key.addTo(*command, "The unique identifier of the key to export");
  command->add_option("key_file", options->file, "The file to export the key to ('-': stdout)")->required();
  command->add_option("-f,--key-format", options->format, "The format of the exported key (default json-ttlv)")
      ->check(CLI::IsMember(formatNames(kind == KeyKind::Rsa)));
  command->add_flag("-u,--unwrap", options->unwrap, "Export the key unwrapped when it is stored wrapped");
  command->add_flag("--force", options->force, "Overwrite the output file when it exists");
  command->callback([&context, options] { runExport(context, *options); });
}

void addKeyImport(CLI::App& keys, Context& context, KeyKind kind) {
  auto options = std::make_shared<ImportOptions>();
  auto* command = keys.add_subcommand("import", "Import a key file into the KMS");
  command->add_option("key_file", options->file, "The key file ('-': stdin)")->required();
  command->add_option("key_id", options->keyId,
                      "The unique identifier to give the key (default: chosen by the server)");
  std::vector<std::string> formats =
      kind == KeyKind::Rsa ? std::vector<std::string>{"json-ttlv", "pem", "pkcs8", "pkcs1-priv", "pkcs1-pub", "spki"}
                           : std::vector<std::string>{"json-ttlv", "aes", "raw"};
  command->add_option("-f,--key-format", options->format, "The format of the key file (default json-ttlv)")
      ->check(CLI::IsMember(formats));
  command->add_flag("-r,--replace", options->replace, "Replace an existing key under the same identifier");
  command->add_option("-t,--tag", options->tags, "A tag to give the key (repeat for several)")->allow_extra_args(false);
  command->add_option("-w,--wrapping-key-id", options->wrappingKeyId, "Store the key wrapped by this key");
  command->callback([&context, options, kind] { runImport(context, *options, kind); });
}

void addKeyRevoke(CLI::App& keys, Context& context) {
  struct Options {
    KeySelector key;
    std::string reason;
  };
  auto options = std::make_shared<Options>();
  auto* command = keys.add_subcommand("revoke", "Revoke a key: it can no longer encrypt or sign");
  command->add_option("revocation_reason", options->reason, "Why the key is revoked (free text)")->required();
  options->key.addTo(*command, "The unique identifier of the key to revoke");
  command->callback([&context, options] {
    const std::string uid = options->key.resolve(context);
    context.client().call(Requests::revoke(uid, options->reason));
    Poco::JSON::Object fields;
    fields.set("unique_identifier", uid);
    context.printer().result("Successfully revoked the key." + uidLine("Unique identifier", uid), fields);
  });
}

void addKeyDestroy(CLI::App& keys, Context& context) {
  auto options = std::make_shared<KeySelector>();
  auto* command =
      keys.add_subcommand("destroy", "Destroy a key (a KMS key must be revoked first; an HSM key need not)");
  options->addTo(*command, "The unique identifier of the key to destroy");
  command->callback([&context, options] {
    const std::string uid = options->resolve(context);
    context.client().call(Requests::byUid("Destroy", uid));
    Poco::JSON::Object fields;
    fields.set("unique_identifier", uid);
    context.printer().result("Successfully destroyed the key." + uidLine("Unique identifier", uid), fields);
  });
}

void addEnvelopeFlags(CLI::App& command, bool& envelope, bool& noEnvelope, const std::string& wholeFileHelp) {
  auto* always =
      command.add_flag("--envelope", envelope,
                       fmt::format("Envelope-encrypt even a file of {} MiB or less (see docs/file-format.md)",
                                   FileCrypt::kSmallFileLimit >> 20));
  command.add_flag("--no-envelope", noEnvelope, wholeFileHelp)->excludes(always);
}

}  // namespace kms::cli::commands
