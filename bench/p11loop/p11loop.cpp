// kms-p11loop: baseline (b), what calling the HSM costs. Loads a PKCS#11 library with dlopen,
// logs in to one token, finds or makes one key, then T threads (each with its own session)
// call the HSM in a loop for D seconds:
//   --op aes-gcm      C_EncryptInit(CKM_AES_GCM, 12-byte IV, 128-bit tag) + C_Encrypt of --size bytes
//   --op rsa-decrypt  C_DecryptInit(CKM_RSA_PKCS_OAEP, SHA-1) + C_Decrypt of one 2048-bit ciphertext
// The IV is a per-thread counter: the loop measures the HSM, not the random generator.
// By default keys are token objects (CKA_TOKEN true), as HSM keys of kmsd are; --session-key
// makes session objects instead. Output: one JSON object on stdout.

#include <dlfcn.h>
#include <p11-kit/pkcs11.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Options {
  std::string library = "/usr/lib/softhsm/libsofthsm2.so";
  long slot = -1;
  std::string tokenLabel;
  std::string pin;
  std::string op = "aes-gcm";
  int threads = 1;
  double duration = 3;
  size_t size = 64;
  bool sessionKey = false;
};

CK_FUNCTION_LIST* p11 = nullptr;

[[noreturn]] void die(const char* what, CK_RV rv) {
  std::fprintf(stderr, "kms-p11loop: %s failed: 0x%08lx\n", what, static_cast<unsigned long>(rv));
  std::exit(1);
}

void check(const char* what, CK_RV rv) {
  if (rv != CKR_OK) die(what, rv);
}

[[noreturn]] void usage(const char* message) {
  if (message) std::fprintf(stderr, "kms-p11loop: %s\n", message);
  std::fprintf(stderr,
               "usage: kms-p11loop [--library SO] (--slot N | --token-label L) --pin-env VAR\n"
               "         [--op aes-gcm|rsa-decrypt] [--threads T] [--duration S] [--size BYTES] [--session-key]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value after " + a).c_str());
      return argv[++i];
    };
    if (a == "--library")
      o.library = next();
    else if (a == "--slot")
      o.slot = std::atol(next().c_str());
    else if (a == "--token-label")
      o.tokenLabel = next();
    else if (a == "--pin-env") {
      // The PIN comes from the environment, never argv: `ps` would show it.
      const std::string name = next();
      const char* value = std::getenv(name.c_str());
      if (value == nullptr) usage(("environment variable " + name + " is not set").c_str());
      o.pin = value;
    } else if (a == "--op")
      o.op = next();
    else if (a == "--threads")
      o.threads = std::atoi(next().c_str());
    else if (a == "--duration")
      o.duration = std::atof(next().c_str());
    else if (a == "--size")
      o.size = static_cast<size_t>(std::atol(next().c_str()));
    else if (a == "--session-key")
      o.sessionKey = true;
    else
      usage(("unknown argument " + a).c_str());
  }
  if (o.op != "aes-gcm" && o.op != "rsa-decrypt") usage("--op is aes-gcm or rsa-decrypt");
  if (o.threads < 1) o.threads = 1;
  return o;
}

CK_SLOT_ID findSlot(const Options& o) {
  if (o.slot >= 0) return static_cast<CK_SLOT_ID>(o.slot);
  CK_ULONG count = 0;
  check("C_GetSlotList", p11->C_GetSlotList(CK_TRUE, nullptr, &count));
  std::vector<CK_SLOT_ID> slots(count);
  check("C_GetSlotList", p11->C_GetSlotList(CK_TRUE, slots.data(), &count));
  for (CK_ULONG i = 0; i < count; ++i) {
    CK_TOKEN_INFO info;
    if (p11->C_GetTokenInfo(slots[i], &info) != CKR_OK) continue;
    std::string label(reinterpret_cast<const char*>(info.label), sizeof info.label);
    label.erase(label.find_last_not_of(' ') + 1);
    if (label == o.tokenLabel) return slots[i];
  }
  std::fprintf(stderr, "kms-p11loop: no token labelled '%s'\n", o.tokenLabel.c_str());
  std::exit(1);
}

CK_OBJECT_HANDLE makeAesKey(CK_SESSION_HANDLE session, bool token) {
  CK_MECHANISM mech{CKM_AES_KEY_GEN, nullptr, 0};
  CK_ULONG length = 32;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE, isToken = token ? CK_TRUE : CK_FALSE;
  const char label[] = "kms-p11loop-aes";
  CK_ATTRIBUTE attrs[] = {
      {CKA_VALUE_LEN, &length, sizeof length}, {CKA_TOKEN, &isToken, sizeof isToken},
      {CKA_ENCRYPT, &yes, sizeof yes},         {CKA_DECRYPT, &yes, sizeof yes},
      {CKA_SENSITIVE, &yes, sizeof yes},       {CKA_EXTRACTABLE, &no, sizeof no},
      {CKA_PRIVATE, &yes, sizeof yes},         {CKA_LABEL, const_cast<char*>(label), sizeof label - 1},
  };
  CK_OBJECT_HANDLE key = 0;
  check("C_GenerateKey", p11->C_GenerateKey(session, &mech, attrs, sizeof attrs / sizeof attrs[0], &key));
  return key;
}

void makeRsaPair(CK_SESSION_HANDLE session, bool token, CK_OBJECT_HANDLE& pub, CK_OBJECT_HANDLE& priv) {
  CK_MECHANISM mech{CKM_RSA_PKCS_KEY_PAIR_GEN, nullptr, 0};
  CK_ULONG bits = 2048;
  CK_BYTE exponent[] = {1, 0, 1};
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE, isToken = token ? CK_TRUE : CK_FALSE;
  CK_ATTRIBUTE pubAttrs[] = {{CKA_MODULUS_BITS, &bits, sizeof bits},
                             {CKA_PUBLIC_EXPONENT, exponent, sizeof exponent},
                             {CKA_ENCRYPT, &yes, sizeof yes},
                             {CKA_TOKEN, &isToken, sizeof isToken}};
  CK_ATTRIBUTE privAttrs[] = {{CKA_DECRYPT, &yes, sizeof yes},
                              {CKA_TOKEN, &isToken, sizeof isToken},
                              {CKA_PRIVATE, &yes, sizeof yes},
                              {CKA_SENSITIVE, &yes, sizeof yes},
                              {CKA_EXTRACTABLE, &no, sizeof no}};
  check("C_GenerateKeyPair", p11->C_GenerateKeyPair(session, &mech, pubAttrs, 4, privAttrs, 5, &pub, &priv));
}

CK_RSA_PKCS_OAEP_PARAMS oaepSha1() {
  CK_RSA_PKCS_OAEP_PARAMS p{};
  p.hashAlg = CKM_SHA_1;
  p.mgf = CKG_MGF1_SHA1;
  p.source = CKZ_DATA_SPECIFIED;
  p.pSourceData = nullptr;
  p.ulSourceDataLen = 0;
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  void* lib = dlopen(o.library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::fprintf(stderr, "kms-p11loop: dlopen %s: %s\n", o.library.c_str(), dlerror());
    return 1;
  }
  auto getList = reinterpret_cast<CK_RV (*)(CK_FUNCTION_LIST**)>(dlsym(lib, "C_GetFunctionList"));
  if (!getList) {
    std::fprintf(stderr, "kms-p11loop: no C_GetFunctionList in %s\n", o.library.c_str());
    return 1;
  }
  check("C_GetFunctionList", getList(&p11));
  CK_C_INITIALIZE_ARGS init{};
  init.flags = CKF_OS_LOCKING_OK;
  CK_RV rv = p11->C_Initialize(&init);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) die("C_Initialize", rv);

  const CK_SLOT_ID slot = findSlot(o);
  CK_SESSION_HANDLE setup = 0;
  check("C_OpenSession", p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &setup));
  rv = p11->C_Login(setup, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(o.pin.data()), o.pin.size());
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) die("C_Login", rv);

  CK_OBJECT_HANDLE key = 0;
  std::vector<CK_BYTE> rsaCiphertext;
  if (o.op == "aes-gcm") {
    key = makeAesKey(setup, !o.sessionKey);
  } else {
    CK_OBJECT_HANDLE pub = 0;
    makeRsaPair(setup, !o.sessionKey, pub, key);
    CK_RSA_PKCS_OAEP_PARAMS params = oaepSha1();
    CK_MECHANISM mech{CKM_RSA_PKCS_OAEP, &params, sizeof params};
    std::vector<CK_BYTE> plain(32, 0x42);
    rsaCiphertext.resize(256);
    CK_ULONG len = rsaCiphertext.size();
    check("C_EncryptInit", p11->C_EncryptInit(setup, &mech, pub));
    check("C_Encrypt", p11->C_Encrypt(setup, plain.data(), plain.size(), rsaCiphertext.data(), &len));
    rsaCiphertext.resize(len);
  }

  std::atomic<bool> go{false}, stop{false};
  std::vector<unsigned long long> counts(static_cast<size_t>(o.threads), 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      CK_SESSION_HANDLE s = 0;
      check("C_OpenSession", p11->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &s));
      std::vector<CK_BYTE> in(o.size, 0x5a), out(std::max<size_t>(o.size + 64, 1024));
      CK_BYTE iv[12] = {};
      uint64_t counter = static_cast<uint64_t>(t) << 40;
      while (!go.load()) std::this_thread::yield();
      unsigned long long n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        CK_ULONG outLen = out.size();
        if (o.op == "aes-gcm") {
          ++counter;
          std::memcpy(iv, &counter, sizeof counter);
          CK_GCM_PARAMS gcm{};
          gcm.pIv = iv;
          gcm.ulIvLen = sizeof iv;
          gcm.ulIvBits = sizeof iv * 8;
          gcm.pAAD = nullptr;
          gcm.ulAADLen = 0;
          gcm.ulTagBits = 128;
          CK_MECHANISM mech{CKM_AES_GCM, &gcm, sizeof gcm};
          check("C_EncryptInit", p11->C_EncryptInit(s, &mech, key));
          check("C_Encrypt", p11->C_Encrypt(s, in.data(), in.size(), out.data(), &outLen));
        } else {
          CK_RSA_PKCS_OAEP_PARAMS params = oaepSha1();
          CK_MECHANISM mech{CKM_RSA_PKCS_OAEP, &params, sizeof params};
          check("C_DecryptInit", p11->C_DecryptInit(s, &mech, key));
          check("C_Decrypt", p11->C_Decrypt(s, rsaCiphertext.data(), rsaCiphertext.size(), out.data(), &outLen));
        }
        ++n;
      }
      counts[static_cast<size_t>(t)] = n;
      p11->C_CloseSession(s);
    });
  }
  const auto begin = std::chrono::steady_clock::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(o.duration));
  stop = true;
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  unsigned long long total = 0;
  for (auto c : counts) total += c;

  // Leave the token as found: the token key made for this run is destroyed.
  if (!o.sessionKey) {
    p11->C_DestroyObject(setup, key);
  }
  p11->C_CloseSession(setup);
  p11->C_Finalize(nullptr);
  std::printf(
      "{\"op\": \"%s\", \"threads\": %d, \"size\": %zu, \"token_key\": %s, \"ops\": %llu, "
      "\"elapsed_s\": %.3f, \"ops_per_s\": %.1f}\n",
      o.op.c_str(), o.threads, o.size, o.sessionKey ? "false" : "true", total, elapsed,
      static_cast<double>(total) / elapsed);
  std::fprintf(stderr, "p11loop %s threads=%d: %.0f ops/s\n", o.op.c_str(), o.threads,
               static_cast<double>(total) / elapsed);
  return 0;
}
