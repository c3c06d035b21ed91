// kms rsa: RSA key pairs (create, export, import, revoke, destroy) and RSA encryption of files
// through the server: a small file is RSA-encrypted whole (the output holds the bare
// ciphertext, or the bare plaintext); a file above FileCrypt::kSmallFileLimit is
// envelope-encrypted (docs/file-format.md): the server RSA-encrypts its data key only.
#include <fmt/format.h>

#include <map>
#include <memory>

#include "kms/cli/Answers.hpp"
#include "kms/cli/CliError.hpp"
#include "kms/cli/EnvelopeHeader.hpp"
#include "kms/cli/Files.hpp"
#include "kms/cli/FileCrypt.hpp"
#include "kms/cli/OutputFile.hpp"
#include "kms/cli/Progress.hpp"
#include "kms/cli/StreamingOutput.hpp"
#include "kms/cli/Requests.hpp"
#include "kms/cli/commands/Commands.hpp"
#include "kms/cli/commands/KeyCommands.hpp"
#include "kms/kmip/Dictionary.hpp"

namespace kms::cli::commands {
namespace {

using kmip::Ttlv;

// ckms's names of the OAEP hash -> KMIP HashingAlgorithm.
const std::map<std::string, std::string>& hashes() {
  static const std::map<std::string, std::string> table{
      {"sha1", "SHA_1"}, {"sha224", "SHA_224"}, {"sha256", "SHA_256"}, {"sha384", "SHA_384"}, {"sha512", "SHA_512"}};
  return table;
}

struct CreateOptions {
  int bits = 4096;
  std::vector<std::string> tags;
  bool sensitive = false;
  std::string wrappingKeyId;
  std::string keyId;
};

void runCreate(Context& context, const CreateOptions& options) {
  Requests::KeyPairSpec spec;
  spec.bits = options.bits;
  if (!options.keyId.empty()) spec.uid = options.keyId;
  spec.sensitive = options.sensitive;
  if (!options.wrappingKeyId.empty()) spec.wrappingKeyId = options.wrappingKeyId;
  spec.tags = options.tags;
  const Ttlv answer = context.client().call(Requests::createRsaKeyPair(spec));
  const std::string& publicUid = Answers::text(answer, "PublicKeyUniqueIdentifier");
  const std::string& privateUid = Answers::text(answer, "PrivateKeyUniqueIdentifier");
  Poco::JSON::Object fields;
  fields.set("public_key_unique_identifier", publicUid);
  fields.set("private_key_unique_identifier", privateUid);
  context.printer().result("The RSA key pair has been created." + uidLine("Public key unique identifier", publicUid) +
                               uidLine("Private key unique identifier", privateUid),
                           fields);
}

// ckms's names of the OAEP hash -> the envelope header's code.
EnvelopeHeader::Hash headerHash(const std::string& hash) {
  static const std::map<std::string, EnvelopeHeader::Hash> table{{"sha1", EnvelopeHeader::Hash::Sha1},
                                                                 {"sha224", EnvelopeHeader::Hash::Sha224},
                                                                 {"sha256", EnvelopeHeader::Hash::Sha256},
                                                                 {"sha384", EnvelopeHeader::Hash::Sha384},
                                                                 {"sha512", EnvelopeHeader::Hash::Sha512}};
  return table.at(hash);
}

std::string hashName(EnvelopeHeader::Hash hash) {
  for (const auto& [name, code] :
       {std::pair{"sha1", EnvelopeHeader::Hash::Sha1}, std::pair{"sha224", EnvelopeHeader::Hash::Sha224},
        std::pair{"sha256", EnvelopeHeader::Hash::Sha256}, std::pair{"sha384", EnvelopeHeader::Hash::Sha384},
        std::pair{"sha512", EnvelopeHeader::Hash::Sha512}}) {
    if (code == hash) return name;
  }
  return "sha256";  // PKCS#1 v1.5: no hash; rsaParameters ignores it
}

struct CryptOptions {
  KeySelector key;
  std::string file;
  std::string output;
  std::string algorithm = "ckm-rsa-pkcs-oaep";
  std::string hash = "sha256";
  bool force = false;
  bool envelope = false;
  bool noEnvelope = false;
};

// One Encrypt or Decrypt request: the bare ciphertext or plaintext.
kms::SecureBytes crypt(Context& context, const std::string& uid, const std::string& algorithm, const std::string& hash,
                       kms::SecureBytes input, bool encrypt) {
  const auto parameters = Requests::rsaParameters(algorithm, hashes().at(hash));
  Ttlv request = encrypt
                     ? Requests::encrypt(uid, parameters, std::move(input), std::nullopt)
                     : Requests::decrypt(uid, parameters, std::move(input), std::nullopt, std::nullopt, std::nullopt);
  Ttlv answer = context.client().call(request);
  request.wipe();
  kms::SecureBytes output = Answers::bytes(answer, "Data");
  answer.wipe();
  return output;
}

void runCrypt(Context& context, const CryptOptions& options, bool encrypt) {
  FileCrypt::Io files;
  files.input = options.file;
  files.output =
      options.output.empty() ? Files::withExtension(options.file, encrypt ? "enc" : "plain") : options.output;
  files.force = options.force;
  files.progress = Progress::terminal() && !context.quiet && !context.json;
  StreamingOutput::checkTarget(files.output, files.force);  // before any server call
  std::string uid;
  bool envelope = false;
  if (encrypt) {
    FileCrypt::EncryptJob job;
    job.files = files;
    job.mode = options.envelope ? FileCrypt::Mode::Envelope
                                : (options.noEnvelope ? FileCrypt::Mode::Single : FileCrypt::Mode::Auto);
    job.keyUid = uid = options.key.resolve(context);
    const bool oaep = options.algorithm == "ckm-rsa-pkcs-oaep";
    job.wrap = oaep ? EnvelopeHeader::Wrap::RsaOaep : EnvelopeHeader::Wrap::RsaPkcs1;
    job.hash = oaep ? headerHash(options.hash) : EnvelopeHeader::Hash::None;
    job.seal = [&context, &options, &uid](kms::SecureBytes plaintext) {
      return crypt(context, uid, options.algorithm, options.hash, std::move(plaintext), true);
    };
    envelope = FileCrypt::encrypt(job);
  } else {
    FileCrypt::DecryptJob job;
    job.files = files;
    job.resolveKey = [&context, &options](const EnvelopeHeader* header) {
      if (header != nullptr && header->wrap == EnvelopeHeader::Wrap::AesGcm) {
        throw CliError(
            ExitCode::Usage,
            fmt::format("{} was encrypted by kms sym encrypt: decrypt it with kms sym decrypt", options.file));
      }
      // The header names the public key; the private key's UID is the user's to give.
      if (header != nullptr && options.key.keyId.empty() && options.key.tags.empty()) {
        throw CliError(ExitCode::Usage,
                       fmt::format("name the private key with --key-id: {} was encrypted with the public key {}",
                                   options.file, header->keyUid));
      }
      return options.key.resolve(context);
    };
    // An envelope's data key was wrapped with the parameters its header records: those, not -e/-s.
    job.unseal = [&context, &options](const std::string& key, kms::SecureBytes sealed, const EnvelopeHeader* header) {
      if (header == nullptr) return crypt(context, key, options.algorithm, options.hash, std::move(sealed), false);
      const bool oaep = header->wrap == EnvelopeHeader::Wrap::RsaOaep;
      return crypt(context, key, oaep ? "ckm-rsa-pkcs-oaep" : "ckm-rsa-pkcs", hashName(header->hash), std::move(sealed),
                   false);
    };
    const auto decrypted = FileCrypt::decrypt(job);
    uid = decrypted.keyUid;
    envelope = decrypted.envelope;
  }
  Poco::JSON::Object fields;
  fields.set("unique_identifier", uid);
  fields.set("file", files.output);
  fields.set("envelope", envelope);
  context.printer().result(
      fmt::format("The {} file is available at \"{}\"", encrypt ? "encrypted" : "decrypted", files.output), fields,
      files.output == "-");
}

void addCrypt(CLI::App& rsa, Context& context, bool encrypt) {
  auto options = std::make_shared<CryptOptions>();
  auto* command =
      rsa.add_subcommand(encrypt ? "encrypt" : "decrypt",
                         encrypt ? "Encrypt a file with an RSA public key (the server encrypts it, or its data key)"
                                 : "Decrypt a file of `kms rsa encrypt` with the private key");
  command
      ->add_option("file", options->file,
                   encrypt ? "The file to encrypt ('-': stdin)" : "The file to decrypt ('-': stdin)")
      ->required();
  options->key.addTo(*command,
                     encrypt ? "The unique identifier of the public key" : "The unique identifier of the private key");
  command
      ->add_option("-e,--encryption-algorithm", options->algorithm,
                   "ckm-rsa-pkcs-oaep (OAEP with SHA-256, the default) or ckm-rsa-pkcs (PKCS#1 v1.5)")
      ->check(CLI::IsMember({"ckm-rsa-pkcs-oaep", "ckm-rsa-pkcs"}));
  command
      ->add_option("-s,--hashing-algorithm", options->hash,
                   "The OAEP hash: sha1, sha224, sha256 (default), sha384, sha512")
      ->check(CLI::IsMember({"sha1", "sha224", "sha256", "sha384", "sha512"}));
  command->add_option("-o,--output-file", options->output,
                      encrypt ? "The encrypted file (default: FILE with the extension .enc; '-': stdout)"
                              : "The decrypted file (default: FILE with the extension .plain; '-': stdout)");
  command->add_flag("--force", options->force, "Overwrite the output file when it exists");
  if (encrypt) {
    addEnvelopeFlags(*command, options->envelope, options->noEnvelope,
                     "Encrypt the whole file with RSA in one request, whatever its size (it must fit the key)");
  }
  command->callback([&context, options, encrypt] { runCrypt(context, *options, encrypt); });
}

struct SignOptions {
  KeySelector key;
  std::string file;
  std::string signatureFile;  // verify: the signature; sign: the output
  std::string scheme = "rsa-pss";
  std::string hash = "sha256";
  bool force = false;
};

void runSign(Context& context, const SignOptions& options) {
  const OutputFile output(options.signatureFile.empty() ? options.file + ".sig" : options.signatureFile, options.force);
  auto data = Files::read(options.file);
  const std::string uid = options.key.resolve(context);
  const Ttlv answer = context.client().call(
      Requests::sign(uid, Requests::signatureParameters(options.scheme, hashes().at(options.hash)), std::move(data)));
  output.commit(Answers::bytes(answer, "SignatureData"));
  Poco::JSON::Object fields;
  fields.set("unique_identifier", uid);
  fields.set("file", output.path());
  context.printer().result(fmt::format("The signature is available at \"{}\"", output.path()), fields,
                           output.isStdout());
}

void runVerify(Context& context, const SignOptions& options) {
  auto data = Files::read(options.file);
  auto signature = Files::read(options.signatureFile);
  const std::string uid = options.key.resolve(context);
  const Ttlv answer = context.client().call(
      Requests::verify(uid, Requests::signatureParameters(options.scheme, hashes().at(options.hash)), std::move(data),
                       std::move(signature)));
  const auto* indicator = answer.find("ValidityIndicator");
  const bool valid =
      indicator != nullptr && kmip::Dictionary::enumText("ValidityIndicator", indicator->asEnumeration()) == "Valid";
  if (!valid) {
    throw CliError(ExitCode::ServerRefused, fmt::format("the signature {} of {} does not verify with {}",
                                                        options.signatureFile, options.file, uid));
  }
  Poco::JSON::Object fields;
  fields.set("unique_identifier", uid);
  fields.set("valid", true);
  context.printer().result("The signature is valid.", fields);
}

void addSignatures(CLI::App& rsa, Context& context) {
  const auto common = [](CLI::App& command, SignOptions& options) {
    command.add_option("-a,--signature-algorithm", options.scheme, "rsa-pss (the default) or pkcs1v15")
        ->check(CLI::IsMember({"rsa-pss", "pkcs1v15"}));
    command.add_option("-s,--hashing-algorithm", options.hash, "sha1, sha224, sha256 (default), sha384, sha512")
        ->check(CLI::IsMember({"sha1", "sha224", "sha256", "sha384", "sha512"}));
  };
  auto sign = std::make_shared<SignOptions>();
  auto* signCommand = rsa.add_subcommand("sign", "Sign a file with an RSA private key (the server signs)");
  signCommand->add_option("file", sign->file, "The file to sign ('-': stdin)")->required();
  sign->key.addTo(*signCommand, "The unique identifier of the private key");
  common(*signCommand, *sign);
  signCommand->add_option("-o,--output-file", sign->signatureFile, "The signature (default: FILE.sig; '-': stdout)");
  signCommand->add_flag("--force", sign->force, "Overwrite the output file when it exists");
  signCommand->callback([&context, sign] { runSign(context, *sign); });

  auto verify = std::make_shared<SignOptions>();
  auto* verifyCommand =
      rsa.add_subcommand("verify", "Verify a file's signature with an RSA public key (exit 1 if it does not verify)");
  verifyCommand->add_option("file", verify->file, "The signed file")->required();
  verifyCommand->add_option("signature_file", verify->signatureFile, "The signature")->required();
  verify->key.addTo(*verifyCommand, "The unique identifier of the public key");
  common(*verifyCommand, *verify);
  verifyCommand->callback([&context, verify] { runVerify(context, *verify); });
}

}  // namespace

void addRsa(CLI::App& root, Context& context) {
  auto* rsa = root.add_subcommand("rsa", "Manage RSA key pairs; encrypt and decrypt files with them");
  rsa->require_subcommand(1);
  auto* keys = rsa->add_subcommand("keys", "Create, export, import, revoke and destroy RSA keys");
  keys->require_subcommand(1);

  auto options = std::make_shared<CreateOptions>();
  auto* create = keys->add_subcommand("create", "Create a new RSA key pair");
  create->add_option("-s,--size_in_bits", options->bits, "The modulus size in bits (default 4096)")
      ->check(CLI::IsMember({2048, 3072, 4096}));
  create->add_option("-t,--tag", options->tags, "A tag to give the pair (repeat for several)")->allow_extra_args(false);
  create->add_flag("--sensitive", options->sensitive, "The private key can never be exported in the clear");
  create->add_option("-w,--wrapping-key-id", options->wrappingKeyId, "Store the private key wrapped by this key");
  create->add_option("private_key_id", options->keyId,
                     "The unique identifier of the private key (hsm::<slot>::<name> creates it in the HSM; the "
                     "public key gets _pk appended)");
  create->callback([&context, options] { runCreate(context, *options); });

  addKeyExport(*keys, context, KeyKind::Rsa);
  addKeyImport(*keys, context, KeyKind::Rsa);
  addKeyRevoke(*keys, context);
  addKeyDestroy(*keys, context);
  addCrypt(*rsa, context, true);
  addCrypt(*rsa, context, false);
  addSignatures(*rsa, context);
}

}  // namespace kms::cli::commands
