#include "TestSupport.hpp"

#include <dlfcn.h>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace kms::test {

namespace {

struct TokensOwner {
  Tokens tokens;
  TokensOwner() {
    char pattern[] = "/tmp/kms-pkcs11-test-XXXXXX";
    if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    tokens.directory = pattern;
    const std::string command = fmt::format("python3 {} init {} --tokens 4 --pin {} --label-prefix unit",
                                            KMS_SOFTHSM_PY, tokens.directory, kPin);
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) throw std::runtime_error("cannot run softhsm.py");
    std::string output;
    char buffer[4096];
    while (std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr) output += buffer;
    // The JSON holds "slot_id": N once per token (no std::regex: GCC 12 warns in it under ASan).
    const std::string key = "\"slot_id\": ";
    for (auto at = output.find(key); at != std::string::npos; at = output.find(key, at + 1)) {
      tokens.slots.push_back(std::stoull(output.substr(at + key.size())));
    }
    if (tokens.slots.size() != 4) throw std::runtime_error("softhsm.py did not create 4 tokens: " + output);
    // Read by SoftHSM2 at C_Initialize, i.e. when the first driver instance opens.
    setenv("SOFTHSM2_CONF", (tokens.directory + "/softhsm2.conf").c_str(), 1);
  }
  ~TokensOwner() {
    std::error_code ec;
    std::filesystem::remove_all(tokens.directory, ec);
  }
};

void recordLog(void* /*context*/, std::int32_t level, const char* message) {
  logSink().lines.emplace_back(level, message);
}

kms_host_services& hostServices() {
  static kms_host_services services{sizeof(kms_host_services), nullptr, recordLog, nullptr};
  return services;
}

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

Pkey publicKey(const Bytes& spki) {
  const unsigned char* p = spki.data();
  Pkey key(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki.size())));
  if (!key) throw std::runtime_error("d2i_PUBKEY failed");
  return key;
}

}  // namespace

const Tokens& Tokens::get() {
  static TokensOwner owner;
  return owner.tokens;
}

Plugin::Plugin(const char* path) {
  handle_ = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) throw std::runtime_error(std::string("dlopen failed: ") + dlerror());
  auto get = reinterpret_cast<kms_driver_get_fn>(dlsym(handle_, KMS_DRIVER_ENTRY_SYMBOL));
  if (get == nullptr) throw std::runtime_error("no kms_driver_get");
  if (get(KMS_DRIVER_ABI_MAJOR, KMS_DRIVER_ABI_MINOR, &table_) != KMS_OK) throw std::runtime_error("refused ABI");
}

const Plugin& softhsm2Plugin() {
  (void)Tokens::get();
  static Plugin plugin(KMS_PLUGIN_SOFTHSM2);
  return plugin;
}

LogSink& logSink() {
  static LogSink sink;
  return sink;
}

bool LogSink::contains(const std::string& text) const {
  for (const auto& line : lines) {
    if (line.second.find(text) != std::string::npos) return true;
  }
  return false;
}

Opened::Opened(const kms_driver_v1* table, std::vector<SlotSpec> slots, std::map<std::string, std::string> settings,
               const char* library)
    : table_(table) {
  (void)Tokens::get();
  std::vector<kms_slot_config> configs;
  for (const auto& spec : slots) {
    kms_slot_config c{};
    c.struct_size = sizeof c;
    c.login_mode = spec.login;
    c.slot_id = spec.slot;
    c.password = reinterpret_cast<const std::uint8_t*>(spec.pin.data());
    c.password_length = static_cast<std::uint32_t>(spec.pin.size());
    configs.push_back(c);
  }
  std::vector<kms_setting> list;
  for (const auto& [name, value] : settings) list.push_back({name.c_str(), value.c_str()});
  kms_open_params params{};
  params.struct_size = sizeof params;
  params.slot_count = static_cast<std::uint32_t>(configs.size());
  params.slots = configs.data();
  params.library_path = library;
  params.settings = list.data();
  params.setting_count = static_cast<std::uint32_t>(list.size());
  params.host = &hostServices();
  error_.struct_size = sizeof error_;
  status_ = table_->open(&params, &instance_, &error_);
}

Opened::~Opened() {
  if (instance_ != nullptr) table_->close(instance_);
}

const Opened& shared() {
  const auto& tokens = Tokens::get();
  static Opened instance(softhsm2Plugin().table(), {{tokens.slots[0]}, {tokens.slots[1]}, {tokens.slots[2]}});
  REQUIRE_MESSAGE(instance.status() == KMS_OK, instance.error().message);
  return instance;
}

std::uint64_t slotA() {
  return Tokens::get().slots[0];
}
std::uint64_t slotB() {
  return Tokens::get().slots[1];
}

kms_error newError() {
  kms_error e{};
  e.struct_size = sizeof e;
  return e;
}

kms_key_ref labelRef(std::uint64_t slot, const char* label) {
  kms_key_ref ref{};
  ref.struct_size = sizeof ref;
  ref.slot_id = slot;
  ref.label = label;
  return ref;
}

kms_key_ref idRef(std::uint64_t slot, const Bytes& id) {
  kms_key_ref ref{};
  ref.struct_size = sizeof ref;
  ref.slot_id = slot;
  ref.id = id.data();
  ref.id_length = static_cast<std::uint32_t>(id.size());
  return ref;
}

kms_crypt_params gcmParams(const Bytes& iv, const Bytes& aad) {
  kms_crypt_params p{};
  p.struct_size = sizeof p;
  p.algorithm = KMS_ALG_AES_GCM;
  p.iv = iv.data();
  p.iv_length = static_cast<std::uint32_t>(iv.size());
  p.aad = aad.empty() ? nullptr : aad.data();
  p.aad_length = static_cast<std::uint32_t>(aad.size());
  p.tag_length = 16;
  return p;
}

kms_crypt_params rsaParams(std::int32_t algorithm, std::int32_t hash) {
  kms_crypt_params p{};
  p.struct_size = sizeof p;
  p.algorithm = algorithm;
  p.hash = hash;
  p.mgf_hash = hash;
  return p;
}

std::string uniqueLabel(const char* prefix) {
  static std::atomic<int> counter{0};
  return fmt::format("{}-{}", prefix, ++counter);
}

kms_key_info generate(std::uint64_t slot, std::int32_t type, std::uint32_t bits, const std::string& label,
                      std::uint32_t flags, const Bytes& id) {
  kms_generate_request request{};
  request.struct_size = sizeof request;
  request.key_type = type;
  request.slot_id = slot;
  request.label = label.c_str();
  request.id = id.empty() ? nullptr : id.data();
  request.id_length = static_cast<std::uint32_t>(id.size());
  request.bits = bits;
  request.flags = flags;
  kms_key_info info{};
  info.struct_size = sizeof info;
  auto error = newError();
  const auto status = shared().table()->generate_key(shared().get(), &request, &info, &error);
  REQUIRE_MESSAGE(status == KMS_OK, error.message);
  return info;
}

Bytes opensslGcmEncrypt(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& plaintext) {
  const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_gcm()
                             : key.size() == 24 ? EVP_aes_192_gcm()
                                                : EVP_aes_256_gcm();
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr);
  EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data());
  int length = 0;
  if (!aad.empty()) EVP_EncryptUpdate(ctx.get(), nullptr, &length, aad.data(), static_cast<int>(aad.size()));
  Bytes out(plaintext.size() + 16);
  EVP_EncryptUpdate(ctx.get(), out.data(), &length, plaintext.data(), static_cast<int>(plaintext.size()));
  int final = 0;
  EVP_EncryptFinal_ex(ctx.get(), out.data() + length, &final);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, out.data() + length + final);
  out.resize(static_cast<std::size_t>(length + final) + 16);
  return out;
}

Bytes opensslAesWrapPad(const Bytes& key, const Bytes& data) {
  const EVP_CIPHER* cipher = key.size() == 16   ? EVP_aes_128_wrap_pad()
                             : key.size() == 24 ? EVP_aes_192_wrap_pad()
                                                : EVP_aes_256_wrap_pad();
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  EVP_CIPHER_CTX_set_flags(ctx.get(), EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, key.data(), nullptr);
  Bytes out(data.size() + 16);
  int length = 0;
  EVP_EncryptUpdate(ctx.get(), out.data(), &length, data.data(), static_cast<int>(data.size()));
  int final = 0;
  EVP_EncryptFinal_ex(ctx.get(), out.data() + length, &final);
  out.resize(static_cast<std::size_t>(length + final));
  return out;
}

Bytes opensslOaepEncrypt(const Bytes& spki, const Bytes& plaintext, const char* digest) {
  auto key = publicKey(spki);
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  EVP_PKEY_encrypt_init(ctx.get());
  EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING);
  EVP_PKEY_CTX_set_rsa_oaep_md_name(ctx.get(), digest, nullptr);
  EVP_PKEY_CTX_set_rsa_mgf1_md_name(ctx.get(), digest, nullptr);
  std::size_t length = 0;
  EVP_PKEY_encrypt(ctx.get(), nullptr, &length, plaintext.data(), plaintext.size());
  Bytes out(length);
  if (EVP_PKEY_encrypt(ctx.get(), out.data(), &length, plaintext.data(), plaintext.size()) != 1) return {};
  out.resize(length);
  return out;
}

bool opensslVerify(const Bytes& spki, const Bytes& data, const Bytes& signature, bool pss, const char* digest) {
  auto key = publicKey(spki);
  MdCtx md(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit_ex(md.get(), &pctx, digest, nullptr, nullptr, key.get(), nullptr) != 1) return false;
  if (pss) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  return EVP_DigestVerify(md.get(), signature.data(), signature.size(), data.data(), data.size()) == 1;
}

std::string opensslModulusHex(const Bytes& der, bool isPrivate) {
  const unsigned char* p = der.data();
  Pkey key(isPrivate ? d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()))
                     : d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!key && !isPrivate) {
    p = der.data();
    key.reset(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size())));
  }
  if (!key) return {};
  BIGNUM* n = nullptr;
  if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N, &n) != 1) return {};
  char* hex = BN_bn2hex(n);
  std::string out(hex);
  OPENSSL_free(hex);
  BN_free(n);
  return out;
}

}  // namespace kms::test
