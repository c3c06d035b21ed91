#pragma once
// The whole server's configuration. Later issues add their own nested sections (hsm, ...)
// next to http, db, tls and idp; every field has its built-in default here, so a
// default-constructed Config is a runnable server.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kms::config {

enum class DatabaseType { Sqlite, Postgresql };
enum class LogLevel { Error, Warning, Info, Debug };
// Which part of a client certificate names the user.
enum class ClientCertUser { CommonName, Email };

std::string_view databaseTypeName(DatabaseType type) noexcept;
std::string_view logLevelName(LogLevel level) noexcept;
std::string_view clientCertUserName(ClientCertUser field) noexcept;

struct HttpConfig {
  // Without authentication every request has the default user's rights: kmsd then listens on
  // loopback unless the operator names an address. ConfigLoader sets Cosmian's 0.0.0.0 when an
  // authentication method is configured and no hostname is given.
  std::string hostname = "127.0.0.1";
  std::uint16_t port = 9998;  // 0 picks a free port (tests)
  // Keys, certificates and their wrappings are kilobytes; 8 MiB leaves room for large opaque
  // objects (twice their size in JSON hex) and bounds what one request makes the server buffer.
  std::size_t maxBodySize = std::size_t{8} << 20;
  // One thread serves each open keep-alive connection (HttpConnection, DESIGN §11): a connection
  // beyond this number waits in the queue until the longest-idle connection is closed for it
  // (HttpServer checks every 200 ms); size it above the connections expected.
  unsigned threads = 64;
  unsigned maxQueued = 256;       // accepted connections waiting for a thread
  bool hostnameExplicit = false;  // set by a source (flag, environment, file), not defaulted
  // A request's head and body must arrive within this time in all, not per read: a client
  // sending a byte a second holds its thread this long at most (HttpConnection).
  std::chrono::milliseconds requestTimeout{20000};
  // What KMIP requests in flight may hold in memory together (bodies and decoded trees);
  // beyond, requests are answered 503 with Retry-After (InflightBudget).
  std::size_t maxInflightMemory = std::size_t{256} << 20;
};

// Cosmian's [socket_server] section: binary KMIP (TTLV) over TLS, KMIP's port 5696, beside the
// HTTP server. Clients must present a certificate of [tls] clients_ca_cert_file; the server
// certificate is [tls]'s.
struct SocketServerConfig {
  bool start = false;
  // Empty until ConfigLoader fills it: http.hostname unless set.
  std::string hostname;
  std::uint16_t port = 5696;  // 0 picks a free port (tests)
  // Largest TTLV message accepted, checked on its 8-byte header before anything is allocated;
  // 0 until ConfigLoader fills it: http.max_body_size unless set.
  std::size_t maxMessageSize = 0;
  // How long a connection may wait between messages before it is closed (a message itself
  // must arrive within http.request_timeout).
  std::chrono::milliseconds idleTimeout{30000};
};

struct DbConfig {
  DatabaseType type = DatabaseType::Sqlite;
  std::string databaseUrl;                  // secret: may hold a password; never printed
  std::string sqlitePath = "./var/sqlite";  // a directory
  // PostgreSQL: sessions at most, and how long a connection attempt and a statement may take
  // before the request fails (a database that is down must not hang requests).
  unsigned poolSize = 8;
  std::chrono::milliseconds connectTimeout{5000};
  std::chrono::milliseconds statementTimeout{5000};
  // The unwrapped-key cache (DESIGN §8): entries at most (0 = no cache, every use unwraps),
  // idle time after the last use (Cosmian's unwrapped_cache_max_age) and time since the unwrap.
  unsigned unwrappedCacheSize = 10000;
  std::chrono::milliseconds unwrappedCacheMaxAge{std::chrono::minutes(15)};
  std::chrono::milliseconds unwrappedCacheMaxLifetime{std::chrono::minutes(60)};
};

// Cosmian's [tls] section: TLS on the HTTP port, and client certificates.
struct TlsConfig {
  std::string certFile;     // PEM server certificate (may carry its chain)
  std::string keyFile;      // PEM private key of certFile
  std::string chainFile;    // PEM intermediate certificates sent after the server certificate
  std::string p12File;      // PKCS#12 holding key, certificate and chain: instead of the PEM files
  std::string p12Password;  // secret: never printed
  // PEM CA certificates that sign client certificates; set = client certificates are verified
  // and name the user.
  std::string clientsCaCertFile;
  ClientCertUser clientCertUser = ClientCertUser::CommonName;

  [[nodiscard]] bool enabled() const noexcept { return !certFile.empty() || !p12File.empty(); }
};

// One entry of Cosmian's `jwt_auth_provider`: "ISSUER,JWKS_URI,AUDIENCE[,AUDIENCE...]".
struct JwtProvider {
  std::string issuer;
  std::string jwksUri;                 // http(s)://, file:// or a path; default <issuer>/.well-known/jwks.json
  std::vector<std::string> audiences;  // empty: the audience is not checked
};

// Cosmian's [idp_auth] section: OIDC bearer tokens (JWT).
struct IdpConfig {
  std::vector<JwtProvider> providers;
  std::string userClaim = "email";  // the claim that names the user
};

// One HSM: the flat hsm_* keys/flags, or one [[hsm_instances]] table. Kept free of driver types:
// hsm::HsmConfigBuilder turns these into kms::hsm::InstanceConfig.
struct HsmInstanceSettings {
  std::string model;                   // softhsm2, utimaco, proteccio, crypt2pay, smartcardhsm, other
  std::vector<std::string> admins;     // hsm_admin: who may create keys and grant on this HSM
  std::vector<std::uint64_t> slots;    // hsm_slot
  std::vector<std::string> passwords;  // secret: hsm_password, same order as slots
  std::string passwordFile;            // hsm_password_file: one password per line, slot order
  std::string library;                 // hsm_library: empty = the driver's default
  bool critical = true;                // false: kmsd starts without it when it cannot open
  std::vector<std::pair<std::string, std::string>> settings;  // driver quirk settings
  std::string origin;                                         // "kms.toml:12: hsm_instances[1]", for messages
};

struct HsmConfig {
  // The flat form (one instance, legacy hsm::<slot>::<key> UIDs). admins empty = "admin".
  HsmInstanceSettings flat;
  // [[hsm_instances]]: when not empty, takes precedence over the flat form.
  std::vector<HsmInstanceSettings> instances;
  std::string pluginsDir = "/usr/lib/kms/plugins";
};

// [ms_dke_config]: Microsoft Double Key Encryption (integrations/ms_dke). Callers present Entra ID
// tokens for https://aadrm.com through a jwt_auth_provider; a decryption also needs the caller's
// email (or upn) in authorizedEmails or one of its "roles" in authorizedRoles, when either is set.
struct MsDkeConfig {
  bool enable = false;
  std::vector<std::string> authorizedEmails;  // compared without regard to case
  std::vector<std::string> authorizedRoles;
  // The identity GET /ms_dke/{keyName} acts as: Office clients fetch public keys without a token
  // (Microsoft's reference service), so the lookup runs as this user, granted getattributes on
  // the private keys and get on the public ones; decryptions run as the token's user.
  std::string user = "ms-dke";
  // Cosmian's ms_dke_service_url: the URL clients reach the service at (key ids are built on
  // it); empty: the request's own origin + /ms_dke.
  std::string serviceUrl;
};

// [google_cse_config]: Google Workspace client-side encryption, kmsd as the KACLS (Key Access
// Control List Service, integrations/google_cse, docs/google-cse.md). Every call carries two
// JWTs: the user's authentication token (a jwt_auth_provider) and Google's authorization token
// (an issuer below, audience cse-authorization, kacls_url = kms_public_url + /google_cse).
struct GoogleCseConfig {
  bool enable = false;
  // The UID of the AES key that wraps every DEK (an hsm:: key or a database key); wrapped keys
  // name the key that wrapped them, so changing this keeps older ones readable.
  std::string keyId = "google_cse";
  // Issuers of authorization tokens; empty: Google's, one per Workspace application.
  std::vector<std::string> authorizationIssuers;
  // Their JWKS: empty: Google's service-account JWKS of each issuer; one: for every issuer;
  // more: one per issuer, in the same order.
  std::vector<std::string> authorizationJwksUris;
  // Who may call the privileged routes (privilegedwrap, privilegedunwrap,
  // privilegedprivatekeydecrypt, wrapprivatekey), which take no authorization token: the email
  // of their authentication token must be listed. Empty: nobody.
  std::vector<std::string> privilegedUsers;
  // Perimeter (Google's "optional additional checks" on the tokens): when not empty, only
  // callers whose email is in one of these domains; never the blocked users (e.g. Workspace
  // administrators). Compared without regard to case.
  std::vector<std::string> allowedDomains;
  std::vector<std::string> blockedUsers;
  // The browser origins that may call the KACLS (CORS): Google's client-side encryption
  // front end by default.
  std::vector<std::string> allowedOrigins{"https://client-side-encryption.google.com"};
};

// Cosmian's [aws_xks_config]: kmsd as an AWS KMS External Key Store proxy
// (integrations/aws_xks, docs/aws-xks.md). Two SigV4 credential pairs may be active at once so
// that the operator rotates them without downtime: requests name the access key id they used.
struct AwsXksCredential {
  std::string accessKeyId;
  std::string secretAccessKey;      // secret: never printed
  std::string secretAccessKeyFile;  // the secret instead, read at start (one line)
};

struct AwsXksConfig {
  bool enable = false;
  std::string region;                     // the AWS region signing the requests (SigV4 scope)
  std::string service = "kms-xks-proxy";  // the SigV4 service name
  std::string uriPathPrefix;              // before /kms/xks/v1: "" or "/keystore-1"
  AwsXksCredential primary;
  AwsXksCredential secondary;    // optional: the pair being rotated in or out
  std::string user = "aws-xks";  // the identity XKS calls act as: keys are granted to it
  // How often GetHealthStatus's answer is refreshed by probing the HSMs (AWS accepts a cached
  // answer up to one minute old, and gives each call 250 ms: a live probe may take longer).
  std::chrono::milliseconds healthProbeInterval{10000};
};

// [audit]: the tamper-evident audit log (kms::audit, docs/audit.md). Off unless logFile is set.
enum class AuditFlush { Event, Interval };
std::string_view auditFlushName(AuditFlush flush) noexcept;

struct AuditConfig {
  std::string logFile;      // the active file; rotated ones are logFile.000001, ...
  std::string hmacKeyFile;  // 64 hex digits or 32 raw bytes; empty: lines carry no mac
  // event: a request is answered once its line is synced (group commit); interval: lines are
  // synced every flushInterval and requests never wait for the disk.
  AuditFlush flush = AuditFlush::Event;
  std::chrono::milliseconds flushInterval{1000};
  std::size_t rotateSize = std::size_t{100} << 20;  // 0: never rotate
  bool syslog = false;                              // also send each line to syslog (LOG_AUTHPRIV)
};

struct LoggingConfig {
  LogLevel level = LogLevel::Info;  // debug adds one line per HTTP request
};

struct Config {
  std::string configFile;  // the file that was read, empty when none
  HttpConfig http;
  SocketServerConfig socketServer;
  DbConfig db;
  LoggingConfig logging;
  AuditConfig audit;
  TlsConfig tls;
  IdpConfig idp;
  // The user of every request when no authentication method is configured. Cosmian's
  // force_default_username (every authenticated request acts as it) is parsed only to be
  // refused with authentication: the default user must not be reachable then.
  std::string defaultUsername = "admin";
  bool forceDefaultUsername = false;
  // Bearer API tokens issued by an administrator (POST /tokens).
  bool apiTokenAuth = false;
  // When not empty, only these users may create objects and grant access; they alone
  // administer API tokens.
  std::vector<std::string> privilegedUsers;
  std::string vendorIdentification = "cosmian";
  HsmConfig hsm;
  AwsXksConfig awsXks;
  // hsm:: UID of the server key-encryption key: every secret key created or imported without
  // its own wrapping key is stored wrapped by it. Empty: keys without a wrapping key are clear.
  std::string keyEncryptionKey;
  // rsa_pkcs1v15_decrypt: allow RSA PKCS#1 v1.5 Decrypt, a Bleichenbacher padding oracle.
  bool rsaPkcs1v15Decrypt = false;
  // OpenSSL's secure heap (locked pages, wiped) for the unwrapped-key cache: 4 MiB holds some
  // 60,000 AES-256 keys and fits the 8 MiB locked-memory limit of an unprivileged process.
  std::size_t secureHeapSize = std::size_t{4} << 20;
  // Who reads GET /hsm/status and GET /metrics besides privileged users and HSM admins ("*":
  // every authenticated user); and whether /metrics answers loopback peers unauthenticated.
  std::vector<std::string> hsmStatusReaders;
  std::vector<std::string> metricsReaders;
  bool metricsLoopbackUnauthenticated = false;
  MsDkeConfig msDke;
  GoogleCseConfig googleCse;
  // Cosmian's kms_public_url: the URL clients reach kmsd at ("https://kms.example.com"); Google
  // CSE's KACLS URL is built on it.
  std::string publicUrl;

  // A client certificate CA, a JWT provider or API tokens: requests must authenticate.
  [[nodiscard]] bool authenticationConfigured() const noexcept;
};

}  // namespace kms::config
