// kms sym: symmetric keys (create, export, import, revoke, destroy) and AES-GCM file
// encryption through the server.
//
// The encrypted file is what ckms writes: the 12-byte nonce, the ciphertext (as long as the
// plaintext), the 16-byte authentication tag. The whole file goes to the server in one request.
#include <fmt/format.h>

#include <memory>
#include <optional>

#include "kms/cli/Answers.hpp"
#include "kms/cli/CliError.hpp"
#include "kms/cli/EnvelopeHeader.hpp"
#include "kms/cli/Files.hpp"
#include "kms/cli/FileCrypt.hpp"
#include "kms/cli/Progress.hpp"
#include "kms/cli/StreamingOutput.hpp"
#include "kms/cli/Requests.hpp"
#include "kms/cli/commands/Commands.hpp"
#include "kms/cli/commands/KeyCommands.hpp"

namespace kms::cli::commands {
namespace {

using kmip::Ttlv;

constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

struct CreateOptions {
  int bits = 256;
  std::string algorithm = "aes";
  std::vector<std::string> tags;
  bool sensitive = false;
  std::string wrappingKeyId;
  std::string keyId;
};

void runCreate(Context& context, const CreateOptions& options) {
  Requests::SymmetricKeySpec spec;
  spec.algorithm = "AES";
  spec.bits = options.bits;
  if (!options.keyId.empty()) spec.uid = options.keyId;
  spec.sensitive = options.sensitive;
  if (!options.wrappingKeyId.empty()) spec.wrappingKeyId = options.wrappingKeyId;
  spec.tags = options.tags;
  const Ttlv answer = context.client().call(Requests::createSymmetricKey(spec));
  const std::string uid = Answers::text(answer, "UniqueIdentifier");
  Poco::JSON::Object fields;
  fields.set("unique_identifier", uid);
  context.printer().result("The symmetric key was successfully generated." + uidLine("Unique identifier", uid), fields);
}

struct CryptOptions {
  KeySelector key;
  std::string file;
  std::string output;
  std::string authenticationData;
  bool force = false;
  bool envelope = false;
  bool noEnvelope = false;
};

std::optional<std::string> aadOf(const CryptOptions& options) {
  if (options.authenticationData.empty()) return std::nullopt;
  return options.authenticationData;
}

FileCrypt::Io filesOf(const Context& context, const CryptOptions& options, const char* extension) {
  FileCrypt::Io files;
  files.input = options.file;
  files.output = options.output.empty() ? Files::withExtension(options.file, extension) : options.output;
  files.force = options.force;
  files.progress = Progress::terminal() && !context.quiet && !context.json;
  // Before any server call (a key found by its tags needs one).
  StreamingOutput::checkTarget(files.output, files.force);
  return files;
}

// One Encrypt request: the small file (nonce | ciphertext | tag) of `plaintext`. Also what
// wraps an envelope's data key.
kms::SecureBytes seal(Context& context, const std::string& uid, kms::SecureBytes plaintext,
                      const std::optional<std::string>& aad) {
  Ttlv answer = context.client().call(Requests::encrypt(uid, Requests::aesGcmParameters(), std::move(plaintext), aad));
  const auto& nonce = Answers::bytes(answer, "IVCounterNonce");
  const auto& ciphertext = Answers::bytes(answer, "Data");
  const auto& tag = Answers::bytes(answer, "AuthenticatedEncryptionTag");
  if (nonce.size() != kNonceSize || tag.size() != kTagSize) {
    throw CliError(ExitCode::ServerRefused,
                   fmt::format("the server answered a {}-byte nonce and a {}-byte tag; the file format needs {} and {}",
                               nonce.size(), tag.size(), kNonceSize, kTagSize));
  }
  kms::SecureBytes file;
  file.reserve(nonce.size() + ciphertext.size() + tag.size());
  file.insert(file.end(), nonce.begin(), nonce.end());
  file.insert(file.end(), ciphertext.begin(), ciphertext.end());
  file.insert(file.end(), tag.begin(), tag.end());
  return file;
}

// One Decrypt request of a small file (or of an envelope's wrapped data key).
kms::SecureBytes unseal(Context& context, const std::string& uid, const kms::SecureBytes& file,
                        const std::optional<std::string>& aad, const std::string& what) {
  if (file.size() < kNonceSize + kTagSize) {
    throw CliError(ExitCode::BadData, fmt::format("{} holds {} bytes: too short for a file of kms sym encrypt (a "
                                                  "12-byte nonce, the data, a 16-byte tag)",
                                                  what, file.size()));
  }
  kms::SecureBytes nonce(file.begin(), file.begin() + kNonceSize);
  kms::SecureBytes ciphertext(file.begin() + kNonceSize, file.end() - kTagSize);
  kms::SecureBytes tag(file.end() - kTagSize, file.end());
  Ttlv answer = context.client().call(Requests::decrypt(uid, Requests::aesGcmParameters(), std::move(ciphertext),
                                                        std::move(nonce), std::move(tag), aad));
  kms::SecureBytes plaintext = Answers::bytes(answer, "Data");
  answer.wipe();
  return plaintext;
}

void runEncrypt(Context& context, const CryptOptions& options) {
  FileCrypt::EncryptJob job;
  job.files = filesOf(context, options, "enc");
  job.mode = options.envelope ? FileCrypt::Mode::Envelope
                              : (options.noEnvelope ? FileCrypt::Mode::Single : FileCrypt::Mode::Auto);
  job.keyUid = options.key.resolve(context);
  job.wrap = EnvelopeHeader::Wrap::AesGcm;
  job.aad = aadOf(options);
  job.seal = [&context, &job](kms::SecureBytes plaintext) {
    return seal(context, job.keyUid, std::move(plaintext), job.aad);
  };
  const bool envelope = FileCrypt::encrypt(job);
  Poco::JSON::Object fields;
  fields.set("unique_identifier", job.keyUid);
  fields.set("file", job.files.output);
  fields.set("envelope", envelope);
  context.printer().result(fmt::format("The encrypted file is available at \"{}\"", job.files.output), fields,
                           job.files.output == "-");
}

void runDecrypt(Context& context, const CryptOptions& options) {
  FileCrypt::DecryptJob job;
  job.files = filesOf(context, options, "plain");
  job.aad = aadOf(options);
  job.resolveKey = [&context, &options](const EnvelopeHeader* header) {
    if (header != nullptr && header->wrap != EnvelopeHeader::Wrap::AesGcm) {
      throw CliError(ExitCode::Usage,
                     fmt::format("{} was encrypted by kms rsa encrypt: decrypt it with kms rsa decrypt", options.file));
    }
    // The envelope names its key; --key-id or --tag still choose another.
    if (header != nullptr && options.key.keyId.empty() && options.key.tags.empty()) return header->keyUid;
    return options.key.resolve(context);
  };
  job.unseal = [&context, &job, &options](const std::string& uid, const kms::SecureBytes& sealed,
                                          const EnvelopeHeader* header) {
    return unseal(context, uid, sealed, job.aad, header != nullptr ? "the wrapped data key" : options.file);
  };
  const auto decrypted = FileCrypt::decrypt(job);
  Poco::JSON::Object fields;
  fields.set("unique_identifier", decrypted.keyUid);
  fields.set("file", job.files.output);
  fields.set("envelope", decrypted.envelope);
  context.printer().result(fmt::format("The decrypted file is available at \"{}\"", job.files.output), fields,
                           job.files.output == "-");
}

void addCrypt(CLI::App& sym, Context& context, bool encrypt) {
  auto options = std::make_shared<CryptOptions>();
  auto* command = sym.add_subcommand(encrypt ? "encrypt" : "decrypt",
                                     encrypt ? "Encrypt a file with AES-GCM (the server encrypts)"
                                             : "Decrypt a file of `kms sym encrypt` (the server decrypts)");
  command
      ->add_option("file", options->file,
                   encrypt ? "The file to encrypt ('-': stdin)" : "The file to decrypt ('-': stdin)")
      ->required();
  options->key.addTo(*command, "The unique identifier of the symmetric key");
  command->add_option("-o,--output-file", options->output,
                      encrypt ? "The encrypted file (default: FILE with the extension .enc; '-': stdout)"
                              : "The decrypted file (default: FILE with the extension .plain; '-': stdout)");
  command->add_option("-a,--authentication-data", options->authenticationData,
                      "Authenticated additional data (give the same to decrypt)");
  command->add_flag("--force", options->force, "Overwrite the output file when it exists");
  if (encrypt) {
    addEnvelopeFlags(*command, options->envelope, options->noEnvelope,
                     "Send the whole file to the server in one request, whatever its size (the server's size limit "
                     "applies)");
  }
  command->callback([&context, options, encrypt] {
    if (encrypt) {
      runEncrypt(context, *options);
    } else {
      runDecrypt(context, *options);
    }
  });
}

}  // namespace

void addSym(CLI::App& root, Context& context) {
  auto* sym = root.add_subcommand("sym", "Manage symmetric keys; encrypt and decrypt files with them");
  sym->require_subcommand(1);
  auto* keys = sym->add_subcommand("keys", "Create, export, import, revoke and destroy symmetric keys");
  keys->require_subcommand(1);

  auto options = std::make_shared<CreateOptions>();
  auto* create = keys->add_subcommand("create", "Create a new symmetric key");
  create->add_option("-l,--number-of-bits", options->bits, "The key length in bits (default 256)")
      ->check(CLI::IsMember({128, 192, 256}));
  create->add_option("-a,--algorithm", options->algorithm, "The algorithm (default aes)")
      ->check(CLI::IsMember({"aes"}));
  create->add_option("-t,--tag", options->tags, "A tag to give the key (repeat for several)")->allow_extra_args(false);
  create->add_flag("--sensitive", options->sensitive, "The key can never be exported in the clear");
  create->add_option("-w,--wrapping-key-id", options->wrappingKeyId,
                     "Store the key wrapped by this key (an hsm:: key wraps it inside the HSM)");
  create->add_option("key_id", options->keyId, "The unique identifier to give the key (default: chosen by the server)");
  create->callback([&context, options] { runCreate(context, *options); });

  addKeyExport(*keys, context, KeyKind::Symmetric);
  addKeyImport(*keys, context, KeyKind::Symmetric);
  addKeyRevoke(*keys, context);
  addKeyDestroy(*keys, context);
  addCrypt(*sym, context, true);
  addCrypt(*sym, context, false);
}

}  // namespace kms::cli::commands
